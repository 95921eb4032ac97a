"""Writes that never leave a half-written file or folder: write a temporary one beside the target, rename."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import InputError


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Readers see the old file or the new one, never half of one. `durable=False` skips the fsync, for files
    that are recomputed on every run (a batch's summaries and cross-draft flags): after a crash they may be the
    old version, which the next run rewrites."""
    if not path.parent.is_dir():  # a failed mkdir costs an exception per write, and a batch writes hundreds
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def building_folder(path: Path, format_: str) -> Iterator[Path]:
    """A folder filled under a temporary name beside `path`, then renamed to it, so a reader sees it whole or not
    at all; on any failure the temporary folder is removed and `path` is left as it was. A `path` that is there
    but not complete in `format_` (an older format) is replaced; one that another process completed meanwhile
    is kept (theirs is as good as ours). The caller writes `meta.json` (with `format`) into the folder last."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=path.parent))
    try:
        yield tmp
        if path.exists() and not folder_complete(path, format_):  # rename cannot replace a non-empty folder
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.rename(tmp, path)
        except OSError:  # another process saved the same folder first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def folder_meta(path: Path) -> dict[str, object] | None:
    """The folder's `meta.json`, or None when it is missing or unreadable."""
    try:
        found = json.loads((path / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def folder_complete(path: Path, format_: str) -> bool:
    found = folder_meta(path)
    return found is not None and found.get("format") == format_


def read_text_file(path: Path) -> str:
    """A user's text file, or an InputError that says what is wrong with it."""
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.is_dir():
        raise InputError("is a directory, not a file", path=str(path))
    text = decode_text(path.read_bytes(), path)
    if not text.strip():
        raise InputError("the file is empty", path=str(path))
    return text


def decode_text(data: bytes, path: Path) -> str:
    """The text of a user's file: UTF-8 (a byte-order mark tolerated), or an InputError naming the first bad byte
    and its line; NUL characters mean a binary file was given where text was expected."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 and try again",
            path=str(path),
            line=line,
        ) from exc
    if "\x00" in text:
        raise InputError("this looks like a binary file, not text", path=str(path))
    return text
