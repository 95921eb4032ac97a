"""Writes that never leave a half-written file: write a temp file beside the target, fsync, rename."""

from __future__ import annotations

import os
import tempfile
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
