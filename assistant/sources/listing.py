"""Daily-papers listings: entries of title, abstract and a meta block, separated by blank lines.

    <title>

    <abstract>

      • 4 authors                 (or an affiliation line)
    ·
    Jan 30, 2023                (optionally followed by an upvote count: "Jan 23, 2024 2")

The meta block (the line holding only `·`, or the `• N authors` line) marks each entry; the two text
blocks before it are the title and the abstract, so the page's header ("Daily Papers", "Subscribe", …)
is never mistaken for a paper. A date without a year ("Mar 4") is kept as unknown: we do not guess it.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import InputError
from assistant.merge import merge_papers, year_of
from assistant.sources.detect import clean, make_paper, make_professor_id, parse_date, split_lines
from assistant.types import Paper, PaperSource, Professor

_AUTHORS = re.compile(r"^•\s*(\d+)\s+authors?$")
_DATE = re.compile(r"^(?P<date>[A-Za-z]{3,9}\.?\s+\d{1,2}(?:,?\s+(?:19|20)\d{2})?)(?:\s+\d+)?$")
_TITLE_MAX_CHARS = 300  # a lone text block longer than this is an abstract, not a title

Block = tuple[int, list[str]]  # (first line number, stripped lines)


def read_listing(
    text: str, path: Path, professor: str | None = None, collection: str | None = None
) -> tuple[list[Professor], list[str]]:
    """The listing's papers under `professor`, or under a collection named `collection` (default: file stem)."""
    skipped: list[str] = []
    papers: list[Paper] = []
    pending: list[Block] = []
    first_entry = True
    for block in _blocks(text):
        if not _is_meta(block):
            pending.append(block)
            continue
        paper = _entry(pending, block, path, skipped, ignore_extra=first_entry)
        if paper:
            papers.append(paper)
        pending, first_entry = [], False
    if pending:
        skipped.append(f"{path}:{pending[0][0]}: text after the last entry has no '·' / date line; not read")
    if not papers:
        raise InputError(
            "no paper entries found: a listing holds entries of a title, an abstract and a '·' / date line "
            "(use --format to choose another format); nothing was written",
            path=str(path),
        )
    owner = clean(professor)
    name = owner or clean(collection) or path.stem
    prof = Professor(
        id=make_professor_id(name, path),
        name=name,
        kind="professor" if owner else "collection",
        papers=merge_papers([], papers)[0],
    )
    return [prof], skipped


def _blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(split_lines(text), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _is_meta(block: Block) -> bool:
    return any(line == "·" or _AUTHORS.match(line) for line in block[1])


def _entry(texts: list[Block], meta: Block, path: Path, skipped: list[str], *, ignore_extra: bool) -> Paper | None:
    """The paper of one entry: the two text blocks before the meta block are its title and abstract."""
    title, abstract = _title_and_abstract(texts)
    if len(texts) > 2 and not ignore_extra:  # the first entry follows the page header, which is not a paper
        skipped.append(f"{path}:{texts[0][0]}: text between two entries is not a title or abstract; not read")
    author_count, date = _parse_meta(meta[1])
    where = f"{path}:{(texts[-2] if len(texts) > 1 else texts[-1] if texts else meta)[0]}"
    return make_paper(
        title,
        abstract,
        where,
        skipped,
        date=date,
        year=year_of(date),
        author_count=author_count,
        sources=[PaperSource(origin=path.name, date=date)],
    )


def _title_and_abstract(texts: list[Block]) -> tuple[str | None, str | None]:
    joined = [" ".join(lines) for _, lines in texts]
    if len(joined) >= 2:
        return joined[-2], joined[-1]
    if len(joined) == 1:
        only = joined[0]
        short = len(texts[0][1]) == 1 and len(only) <= _TITLE_MAX_CHARS
        return (only, None) if short else (None, only)
    return None, None


def _parse_meta(lines: list[str]) -> tuple[int | None, str | None]:
    author_count: int | None = None
    date: str | None = None
    for line in lines:
        authors = _AUTHORS.match(line)
        if authors:
            author_count = int(authors.group(1))
        dated = _DATE.match(line)
        if dated:
            date = parse_date(dated.group("date"))
    return author_count, date
