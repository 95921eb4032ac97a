"""Reading an input file as text, telling which of our formats it is in, and what every reader shares."""

from __future__ import annotations

import json
import re
from datetime import date as Date
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.ids import paper_id, professor_id
from assistant.types import Paper

FORMATS = ("auto", "profile", "abstracts", "listing", "json", "jsonl", "csv")

_BY_SUFFIX = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_ABSTRACT_LINE = re.compile(r"^\s*abstract\s*:", re.IGNORECASE)
_AUTHORS_LINE = re.compile(r"^\s*•\s*\d+\s+authors?\s*$")
_PROFILE_HEADINGS = {"selected publications", "research topics", "frequent coauthors"}
_CSV_COLUMNS = {"title", "abstract", "professor"}


def read_text(path: Path) -> str:
    """The file's text; an InputError a user can act on when it is missing, a directory, not UTF-8 or empty."""
    if not path.exists():
        raise InputError("no such file: check the path", path=str(path))
    if path.is_dir():
        raise InputError("this is a directory: pass the files inside it", path=str(path))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at byte offset {exc.start}): "
            "re-save it as UTF-8 and try again",
            path=str(path),
            line=line,
        ) from None
    if not text.strip():
        raise InputError("the file is empty", path=str(path))
    return text


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (str.splitlines also breaks on form feeds and U+2028)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def detect_format(path: Path, text: str) -> str:
    """One of FORMATS (never "auto"), from the file name and then the content; InputError when unsure."""
    if not text.strip():
        raise InputError("the file is empty", path=str(path))
    by_suffix = _BY_SUFFIX.get(path.suffix.lower())
    if by_suffix == "json":  # a .json file holding one object per line is JSON Lines
        return _json_kind(text, next(line for line in split_lines(text) if line.strip()))
    if by_suffix:
        return by_suffix
    found = _sniff(text)
    if found is None:
        choices = ", ".join(f for f in FORMATS if f != "auto")
        raise InputError(f"cannot tell what kind of file this is; pass --format with one of: {choices}", path=str(path))
    return found


def _sniff(text: str) -> str | None:
    lines = [line for line in split_lines(text) if line.strip()]
    first = lines[0].lstrip()
    if first.startswith(("{", "[")):
        return _json_kind(text, first)
    if sum(bool(_ABSTRACT_LINE.match(line)) for line in lines) * 2 > len(lines):
        return "abstracts"
    if _looks_like_profile(lines):
        return "profile"
    if any(line.strip() == "·" or _AUTHORS_LINE.match(line) for line in lines):
        return "listing"
    header = {cell.strip().lower() for cell in first.split(",")}
    if "," in first and header & _CSV_COLUMNS:
        return "csv"
    return None


def _json_kind(text: str, first_line: str) -> str:
    try:
        json.loads(text)
        return "json"
    except json.JSONDecodeError:
        pass
    try:
        return "jsonl" if isinstance(json.loads(first_line), dict) else "json"
    except json.JSONDecodeError:
        return "json"  # let the JSON reader report where it breaks


def _looks_like_profile(lines: list[str]) -> bool:
    if len(lines) > 1 and lines[1].startswith("· "):
        return True
    return any(line.strip().lower() in _PROFILE_HEADINGS for line in lines)


# ---------------------------------------------------------------- shared by the readers

_MONTHS = {m: i for i, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?$")


def parse_date(text: str) -> str | None:
    """ISO text for "2023-01-30", "2023-1", "2023", "Jan 30, 2023" or "January 30 2023"; None when not a
    full enough date (e.g. "Mar 4" has no year, and we do not guess one)."""
    text = text.strip()
    iso = _ISO.match(text)
    if iso:
        year, month, day = iso.groups()
        return _iso(int(year), int(month) if month else None, int(day) if day else None)
    named = _MONTH_DAY_YEAR.match(text)
    if named and named.group(3):
        month = _MONTHS.get(named.group(1)[:3].lower())
        return _iso(int(named.group(3)), month, int(named.group(2))) if month else None
    return None


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    try:
        if day is not None and month is not None:
            return Date(year, month, day).isoformat()
        if month is not None:
            return f"{Date(year, month, 1).isoformat()[:7]}"
    except ValueError:
        return None
    return f"{year:04d}"


def clean(text: str | None) -> str | None:
    """Stripped text, or None when nothing is left."""
    text = (text or "").strip()
    return text or None


def make_professor_id(name: str, path: Path, line: int | None = None) -> str:
    """ids.professor_id, or an InputError a user can act on when the name has nothing to make a slug from."""
    try:
        return professor_id(name)
    except ValueError:
        raise InputError(
            f"the name {name!r} has no Latin letters or digits to make an id from: "
            "give a Latin spelling of the name (e.g. with --professor NAME)",
            path=str(path),
            line=line,
        ) from None


def make_paper(title: str | None, abstract: str | None, where: str, skipped: list[str], **fields: Any) -> Paper | None:
    """A Paper with its content id, or None (recorded in `skipped` as "path:line: reason") when it has
    neither a title nor an abstract to identify it."""
    title, abstract = clean(title), clean(abstract)
    try:
        ident = paper_id(title, abstract)
    except ValueError:
        reason = "the paper has no title and no abstract"
        if title or abstract:  # e.g. a Japanese title: ids.normalize_text keeps only ASCII letters and digits
            reason = "the paper's title and abstract have no Latin letters or digits to make a stable id from"
        skipped.append(f"{where}: skipped: {reason}")
        return None
    return Paper(id=ident, title=title, abstract=abstract, **fields)
