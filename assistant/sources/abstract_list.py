"""Abstract lists: one paper per `Abstract:` line, no titles; blank lines between groups mean nothing.

A non-blank line that does not start with `Abstract:` continues the abstract above it (a wrapped paste).
The file names no professor, so the caller must say whose papers these are.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import InputError
from assistant.merge import merge_papers
from assistant.sources.detect import clean, make_paper, make_professor_id, split_lines
from assistant.types import Paper, PaperSource, Professor

_ABSTRACT = re.compile(r"^\s*abstract\s*:\s*", re.IGNORECASE)


def read_abstract_list(text: str, path: Path, professor: str | None) -> tuple[list[Professor], list[str]]:
    name = clean(professor)
    if not name:
        raise InputError("an abstract list names no professor: pass --professor NAME", path=str(path))
    entries: list[tuple[int, list[str]]] = []  # (line number, text pieces)
    for number, line in enumerate(split_lines(text), start=1):
        match = _ABSTRACT.match(line)
        if match:
            entries.append((number, [line[match.end() :]]))
        elif line.strip() and entries:
            entries[-1][1].append(line.strip())
        elif line.strip():
            raise InputError(
                "an abstract list has one paper per line starting with 'Abstract:'; this text comes before the "
                "first one (use --format to choose another format)",
                path=str(path),
                line=number,
            )
    skipped: list[str] = []
    papers: list[Paper] = []
    for number, pieces in entries:
        paper = make_paper(
            None,
            " ".join(p.strip() for p in pieces),
            f"{path}:{number}",
            skipped,
            sources=[PaperSource(origin=path.name)],
        )
        if paper:
            papers.append(paper)
    if not papers:
        raise InputError("no 'Abstract:' line with text to index; nothing was written", path=str(path))
    prof = Professor(id=make_professor_id(name, path), name=name, papers=merge_papers([], papers)[0])
    return [prof], skipped
