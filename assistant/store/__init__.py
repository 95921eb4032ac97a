"""The store's safety rails: one writer at a time, read-only and missing stores, and a full disk.

- `lock.StoreLock`: the writer lock (an OS file lock through `filelock`, `STORE/.write.lock`) that every write
  to the store takes, and the pid of its holder in `STORE/.writer`, for the "waiting for pid N" message.
- `access`: does a store exist, can it be written; read commands on a store that is missing say so instead of
  creating one, and a store that cannot be written is opened read-only.
- `space`: free space checked before large writes, and write failures from a full disk (ENOSPC, SQLite's
  "database or disk is full", Chroma's compaction errors) turned into a message saying what to free.
"""

from __future__ import annotations

from assistant.errors import OutreachError


class StoreMissingError(OutreachError):
    """A read command named a store that does not exist (a typo in --store, or nothing ingested yet)."""


class StoreReadOnlyError(OutreachError):
    """A write command on a store this process cannot write."""


class StoreFullError(OutreachError):
    """The disk holding the store is full, or too full for the write about to start; nothing was written."""


class StoreBusyError(OutreachError):
    """Another process held the writer lock for longer than we wait."""
