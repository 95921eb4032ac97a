"""Readers for the files a user ingests: profile pages, abstract lists, listings, JSON/JSONL/CSV.

`read_path` is the one entry point: it reads the file as UTF-8, tells its format when asked to ("auto"),
and returns the professors it holds, each with papers already de-duplicated within the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.errors import InputError
from assistant.sources.abstract_list import read_abstract_list
from assistant.sources.detect import FORMATS, detect_format, read_text
from assistant.sources.listing import read_listing
from assistant.sources.profile_page import read_profile
from assistant.sources.structured import read_csv, read_json, read_jsonl
from assistant.types import Professor

__all__ = ["FORMATS", "ReadResult", "detect_format", "read_path"]


class ReadResult(BaseModel):
    professors: list[Professor]  # each with .papers, already de-duplicated within the file
    skipped: list[str] = Field(default_factory=list)  # "path:line: reason" for each record not ingested


Reader = Callable[[str, Path, str | None, str | None], tuple[list[Professor], list[str]]]

_READERS: dict[str, Reader] = {
    "profile": lambda text, path, prof, _coll: read_profile(text, path, prof),
    "abstracts": lambda text, path, prof, _coll: read_abstract_list(text, path, prof),
    "listing": read_listing,
    "json": lambda text, path, prof, _coll: read_json(text, path, prof),
    "jsonl": lambda text, path, prof, _coll: read_jsonl(text, path, prof),
    "csv": lambda text, path, prof, _coll: read_csv(text, path, prof),
}


def read_path(
    path: Path, fmt: str = "auto", *, professor: str | None = None, collection: str | None = None
) -> ReadResult:
    """Read one file. `professor` names whose papers these are (required for abstract lists); `collection`
    names an ownerless listing (default: the file's stem)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}", path=str(path))
    text = read_text(path)
    kind = detect_format(path, text) if fmt == "auto" else fmt
    professors, skipped = _READERS[kind](text, path, professor, collection)
    return ReadResult(professors=professors, skipped=skipped)
