"""Structured input: JSON, JSON Lines and CSV.

Schema
------
A *professor object*:

    {
      "name": "Baharan Mirzasoleiman",        required (or pass --professor NAME)
      "id": "118242121",                      optional: the professor's id at `source`
      "source": "semantic-scholar",           optional: where `id` comes from; together they are kept as
                                              external_ids["semantic_scholar"] = "118242121"
                                              (an id without a source is kept as external_ids["external"])
      "affiliation": "UCLA", "position": "Assistant Professor", "department": "Computer Science",
      "email": "name@example.edu",            all optional
      "topics": ["Machine learning", ...],    optional: a list, or one string separated by ";"
      "papers": [ <paper object>, ... ]       optional
    }

A *paper object* (every field optional, but a paper needs a title or an abstract):

    {
      "title": "...", "abstract": "...",
      "year": 2024,                           an integer (a numeric string is accepted)
      "date": "2024-05-11",                   YYYY-MM-DD, YYYY-MM or YYYY ("May 11, 2024" is accepted);
                                              when both are given, the year is taken from the date
      "venue": "ICML", "url": "https://...", "doi": "10.1234/abc", "arxiv_id": "2401.01234",
      "authors": ["A. Author", "B. Author"]   a list, or one string separated by ";"
    }

Other keys are ignored (a paper's own "id" too: our ids come from the paper's content, so re-reading a
file never duplicates it). A paper with neither title nor abstract is skipped and reported; a paper with
a title but no abstract is kept. When a paper has an arxiv_id but no url, its url becomes the arXiv page.

Files
-----
- `.json`: one professor object, a list of them, or `{"professors": [...]}`.
- `.jsonl`: one professor object per line (blank lines are allowed).
- `.csv`: one paper per row, with a header row naming the columns
  `professor,title,abstract,year,date,venue,authors,url,doi` (any order; `authors` separated by ";").
  Rows are grouped by professor. The `professor` column may be left out when --professor NAME is given;
  a row with an empty professor cell falls back to --professor.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.ids import normalize_text
from assistant.merge import merge_professor, year_of
from assistant.sources.detect import clean, make_paper, make_professor_id, parse_date, split_lines
from assistant.types import Paper, PaperSource, Professor

CSV_COLUMNS = ("professor", "title", "abstract", "year", "date", "venue", "authors", "url", "doi")
_PROFESSOR_TEXT_FIELDS = ("affiliation", "position", "department", "email")


class _Where:
    """Where a record sits, for messages: a file, and a line (JSONL, CSV) or a position (JSON)."""

    def __init__(self, path: Path, line: int | None = None, label: str = "") -> None:
        self.path, self.line, self.label = path, line, label

    def error(self, message: str) -> InputError:
        prefix = f"{self.label}: " if self.label else ""
        return InputError(prefix + message, path=str(self.path), line=self.line)

    def text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.label}" if self.label else where


# ---------------------------------------------------------------- JSON / JSONL


def read_json(text: str, path: Path, professor: str | None = None) -> tuple[list[Professor], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = " (one object per line is JSON Lines: use --format jsonl)" if exc.msg == "Extra data" else ""
        raise InputError(
            f"malformed JSON at column {exc.colno}: {exc.msg}{hint}", path=str(path), line=exc.lineno
        ) from None
    if isinstance(data, dict) and "professors" in data:
        data = data["professors"]
    records = data if isinstance(data, list) else [data]
    skipped: list[str] = []
    professors = []
    for number, record in enumerate(records, start=1):
        label = f"professor {number} of {len(records)}" if isinstance(data, list) else ""
        professors.append(_professor(record, _Where(path, None, label), professor, skipped))
    return _group(professors), skipped


def read_jsonl(text: str, path: Path, professor: str | None = None) -> tuple[list[Professor], list[str]]:
    skipped: list[str] = []
    professors = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON at column {exc.colno}: {exc.msg} (a .jsonl file holds one JSON object per line)",
                path=str(path),
                line=number,
            ) from None
        professors.append(_professor(record, _Where(path, number), professor, skipped))
    return _group(professors), skipped


def _professor(record: Any, where: _Where, default_name: str | None, skipped: list[str]) -> Professor:
    if not isinstance(record, dict):
        raise where.error(f'expected a professor object {{"name": ..., "papers": [...]}}, got {_kind(record)}')
    name = _text(record.get("name"), "name", where) or clean(default_name)
    if not name:
        raise where.error('the professor object has no "name": add one, or pass --professor NAME')
    fields = {key: _text(record.get(key), key, where) for key in _PROFESSOR_TEXT_FIELDS}
    papers_data = record.get("papers") or []
    if not isinstance(papers_data, list):
        raise where.error(f'"papers" must be a list of paper objects, got {_kind(papers_data)}')
    papers = []
    for number, paper_data in enumerate(papers_data, start=1):
        label = _join(where.label, f"{name}, paper {number} of {len(papers_data)}")
        paper_where = _Where(where.path, where.line, label)
        paper = _paper(paper_data, paper_where, skipped)
        if paper:
            papers.append(paper)
    return Professor(
        id=make_professor_id(name, where.path, where.line),
        name=name,
        topics=_text_list(record.get("topics"), "topics", where),
        external_ids=_external_ids(record, where),
        papers=papers,
        **fields,
    )


def _external_ids(record: dict[str, Any], where: _Where) -> dict[str, str]:
    ident = record.get("id")
    if ident is None or ident == "":
        return {}
    source = _text(record.get("source"), "source", where)
    key = normalize_text(source).replace(" ", "_") if source else "external"
    return {key or "external": str(ident)}


def _paper(data: Any, where: _Where, skipped: list[str]) -> Paper | None:
    if not isinstance(data, dict):
        raise where.error(f"expected a paper object, got {_kind(data)}")
    date_text = _text(data.get("date"), "date", where)
    date = _date(date_text, where) if date_text else None
    given_year = _year(data.get("year"), where)  # checked even when the date decides
    year = year_of(date) or given_year  # the date is the more precise of the two
    venue, doi = _text(data.get("venue"), "venue", where), _text(data.get("doi"), "doi", where)
    url = _text(data.get("url"), "url", where)
    arxiv_id = _text(data.get("arxiv_id"), "arxiv_id", where)
    if not url and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    return make_paper(
        _text(data.get("title"), "title", where),
        _text(data.get("abstract"), "abstract", where),
        where.text(),
        skipped,
        year=year,
        date=date,
        venue=venue,
        authors=_text_list(data.get("authors"), "authors", where),
        doi=doi,
        url=url,
        sources=[PaperSource(origin=where.path.name, venue=venue, date=date, url=url, doi=doi)],
    )


# ---------------------------------------------------------------- CSV


def read_csv(text: str, path: Path, professor: str | None = None) -> tuple[list[Professor], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except csv.Error as exc:
        raise InputError(f"malformed CSV header: {exc}", path=str(path), line=1) from None
    _check_header(header, path, professor)
    skipped: list[str] = []
    professors: list[Professor] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=str(path), line=reader.line_num) from None
        if any(cell.strip() for cell in row):
            professors.append(_csv_row(header, row, _Where(path, line), professor, skipped))
        line = reader.line_num + 1
    return _group(professors), skipped


def _check_header(header: list[str], path: Path, professor: str | None) -> None:
    if not {"title", "abstract"} & set(header):
        separator = " (columns must be separated by commas)" if ";" in ",".join(header) else ""
        raise InputError(
            f"the CSV header has neither a 'title' nor an 'abstract' column{separator}; expected columns: "
            + ",".join(CSV_COLUMNS),
            path=str(path),
            line=1,
        )
    if "professor" not in header and not clean(professor):
        raise InputError("the CSV has no 'professor' column: add one, or pass --professor NAME", path=str(path), line=1)


def _csv_row(header: list[str], row: list[str], where: _Where, default: str | None, skipped: list[str]) -> Professor:
    if len(row) > len(header):
        raise where.error(
            f"this row has {len(row)} fields but the header has {len(header)}; "
            "put double quotes around any value that contains a comma"
        )
    cells = {key: value.strip() for key, value in zip(header, row, strict=False) if key}
    name = clean(cells.get("professor")) or clean(default)
    if not name:
        raise where.error("this row has no professor: fill the 'professor' cell, or pass --professor NAME")
    paper = _paper({key: value for key, value in cells.items() if value}, where, skipped)
    return Professor(id=make_professor_id(name, where.path, where.line), name=name, papers=[paper] if paper else [])


# ---------------------------------------------------------------- shared


def _group(professors: Iterable[Professor]) -> list[Professor]:
    """One Professor per id, in order of first appearance, with papers de-duplicated."""
    grouped: dict[str, Professor] = {}
    for prof in professors:
        grouped[prof.id] = merge_professor(grouped.get(prof.id), prof)[0]
    return list(grouped.values())


def _text(value: Any, key: str, where: _Where) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.error(f'"{key}" must be text, got {_kind(value)}')
    return clean(str(value))


def _text_list(value: Any, key: str, where: _Where) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise where.error(f'"{key}" must be a list of text or one ";"-separated text, got {_kind(value)}')


def _year(value: Any, where: _Where) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(float(value)) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    except ValueError:
        year = None
    if year is None or not 1000 <= year <= 2999:
        raise where.error(f'"year" must be a four-digit year, got {value!r}')
    return year


def _date(text: str, where: _Where) -> str:
    date = parse_date(text)
    if date is None:
        raise where.error(f'"date" {text!r} is not a date: write it as YYYY-MM-DD (or YYYY-MM, or YYYY)')
    return date


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _join(*labels: str) -> str:
    return ", ".join(label for label in labels if label)
