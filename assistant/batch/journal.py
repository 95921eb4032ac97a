"""A batch's output folder: the append-only journal of item states, the lock, where each draft's files go, and
how its JSON sidecar is written.

Resuming rests on one ordering: draft files are renamed into place *before* their `done` line is appended and
fsynced, so a `done` line always has its files, and an item whose last state is anything else is redone.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import InputError
from assistant.types import Sidecar

log = logging.getLogger("assistant.batch")  # one logger for the package: `-v` output names the batch, not a module

JOURNAL = "journal.jsonl"
LOCK = ".batch.lock"
DRAFT_FORMATS = ("md", "eml", "json")

JournalState = Literal["pending", "running", "done", "failed"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Tokens(BaseModel):
    prompt: int = 0
    completion: int = 0


class JournalRecord(BaseModel):
    """One state change of one item; the last record of an item is its state."""

    v: int = 1
    ts: str = Field(default_factory=_now)
    key: str  # the item's file key (the professor id)
    state: JournalState
    name: str | None = None
    input_hash: str | None = None
    status: Literal["clean", "needs review"] | None = None  # done
    error: str | None = None  # failed
    files: dict[str, str] | None = None  # done: format -> sha256 of what was written
    tokens: Tokens | None = None  # done, or failed after replies that could not be used

    def line(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n"


class Journal:
    """Append-only JSON lines, fsynced one by one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # worker threads append their own items' states

    def records(self) -> list[JournalRecord]:
        if not self.path.exists():
            return []
        out = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(JournalRecord.model_validate_json(line))
            except ValidationError:
                # A kill during a write leaves this (always the last line), as would a record this version does
                # not know: the item is redone.
                log.warning("%s:%d: ignoring an incomplete journal line", self.path, n)
        return out

    def latest(self) -> dict[str, JournalRecord]:
        return {r.key: r for r in self.records()}

    def append(self, *records: JournalRecord, sync: bool = True) -> None:
        """State changes, in one write. `sync=False` skips the fsync, for states whose loss only means redoing the
        item."""
        data = "".join(r.line() for r in records).encode("utf-8")
        with self._lock, self.path.open("a+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell():  # a line cut short by a kill must not swallow this one
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())


def draft_paths(out_dir: Path, key: str) -> dict[str, Path]:
    return {fmt: out_dir / f"{key}.{fmt}" for fmt in DRAFT_FORMATS}


def sidecar_text(sidecar: Sidecar) -> str:
    # exclude_unset: a violation without the cross-draft check's fields is written without them, as read.
    return json.dumps(sidecar.model_dump(mode="json", exclude_unset=True), indent=2, ensure_ascii=False) + "\n"


@contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder: two writers would interleave the journal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / LOCK).open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise InputError(
                "another `outreach batch` is writing here; wait for it or use another --out", path=str(out_dir)
            ) from exc
        for stray in out_dir.glob(".*.tmp"):  # a temp file a killed run never renamed: never a finished draft
            stray.unlink(missing_ok=True)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
