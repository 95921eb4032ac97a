"""A full disk: free space checked before large writes, and write failures that mean "disk full" (or
"read-only") turned into messages a person can act on.

The estimate is deliberately generous: the gold-standard store took 47.1 MB for 2,933 papers (16 KB a paper:
catalog row, FTS5 terms, Chroma's vector, document and HNSW entry; README, "Ingest and search"), and each write
also saves the derived data of the whole store anew (vectors and term matrix, about 4 KB a row) before the old
copy is removed.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import OutreachError
from assistant.store import StoreFullError, StoreReadOnlyError
from assistant.store.lock import read_only_error

BYTES_PER_NEW_PAPER = 24_000
BYTES_PER_STORED_ROW = 4_000
# Chroma's first start and its log compaction, SQLite's WAL, the derived data's metadata.
MARGIN_BYTES = 4 * 2**20

_FULL_TEXTS = ("no space left on device", "database or disk is full", "disk is full", "os error 28", "disk quota")
_READ_ONLY_TEXTS = ("readonly database", "read-only file system", "os error 30")
# What Chroma says when a write to its files failed part-way (on a full disk: "Error in compaction: Failed to
# apply logs…"); read as "disk full" only when the disk is in fact nearly full.
_STORAGE_TEXTS = ("compaction", "failed to apply logs", "error returned from database", "i/o error")


def free_bytes(store_dir: Path) -> int:
    folder = store_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def needed_bytes(new_papers: int, stored_rows: int) -> int:
    return new_papers * BYTES_PER_NEW_PAPER + stored_rows * BYTES_PER_STORED_ROW + MARGIN_BYTES


def ensure_space(store_dir: Path, new_papers: int, stored_rows: int, what: str) -> None:
    """Refuse, before anything is written, a write the disk has clearly no room for."""
    need, free = needed_bytes(new_papers, stored_rows), free_bytes(store_dir)
    if free < need:
        raise StoreFullError(
            f"{what} needs about {_mb(need)} free on the disk holding {store_dir}, which has {_mb(free)} free. "
            f"Free at least {_mb(need - free)} (old batch output folders and copies of stores are the usual "
            "candidates), or use a store on another disk with --store. Nothing was written; the store is intact."
        )


@contextmanager
def write_errors(store_dir: Path) -> Iterator[None]:
    """Around a write to the store: a full or read-only disk becomes a StoreFullError / StoreReadOnlyError.
    The callers roll back first (a failed SQLite transaction, a catalog left at its old version)."""
    try:
        yield
    except (OutreachError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if is_disk_full(exc, store_dir):
            raise full_error(store_dir, exc) from exc
        if is_read_only(exc):
            raise read_only_error(store_dir, exc) from exc
        raise


def is_disk_full(exc: BaseException, store_dir: Path) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if any(t in text for t in _FULL_TEXTS):
        return True
    storage = isinstance(exc, sqlite3.Error) or any(t in text for t in _STORAGE_TEXTS)
    return storage and free_bytes(store_dir) < MARGIN_BYTES


def is_read_only(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return True
    return any(t in str(exc).lower() for t in _READ_ONLY_TEXTS)


def full_error(store_dir: Path, exc: BaseException) -> StoreFullError:
    return StoreFullError(
        f"the disk holding {store_dir} is full ({_reason(exc)}; {_mb(free_bytes(store_dir))} free). The write was "
        "rolled back: the store is intact and read commands still work. Free some space (old batch output "
        "folders and copies of stores are the usual candidates), then run the command again."
    )


def _reason(exc: BaseException) -> str:
    """The error's own words, one line: OSError's strerror, else the first line of its message."""
    lines = str(exc).splitlines()
    return str(getattr(exc, "strerror", None) or (lines[0] if lines else type(exc).__name__))[:160]


def _mb(n: int) -> str:
    return f"{max(n, 0) / 2**20:.1f} MB"


__all__ = ["StoreFullError", "StoreReadOnlyError", "ensure_space", "write_errors"]
