"""The writer lock: one process (or thread) at a time writes to a store; readers never wait for it.

The lock is the operating system's (`flock` through the `filelock` library, on `STORE/.write.lock`), so a
process that dies, even by kill -9, releases it. Its holder writes its pid to `STORE/.writer` once it holds the
lock, so a second writer can say whom it waits for. Re-entrant within a thread: an ingest holds it across the
vector upsert and the catalog transaction, which takes it again.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.store import StoreBusyError, StoreReadOnlyError

if TYPE_CHECKING:
    from filelock import FileLock

LOCK_NAME = ".write.lock"
HOLDER_NAME = ".writer"
# Long enough for another ingest of a few thousand papers to finish; a script that waits longer is better told.
WAIT_S = 30 * 60.0

Announce = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class StoreLock:
    def __init__(self, store_dir: Path, *, wait_s: float | None = None, announce: Announce = _stderr) -> None:
        self.store_dir = store_dir
        self.wait_s = WAIT_S if wait_s is None else wait_s
        self.announce = announce

    @cached_property
    def _lock(self) -> FileLock:
        """Made on first use: a command that only reads never imports filelock (0.05 s of start-up)."""
        from filelock import FileLock

        # One FileLock object per path in this process (is_singleton), so every Catalog of a store shares its
        # per-thread re-entrancy count; threads still exclude each other (each opens its own descriptor).
        return FileLock(self.store_dir / LOCK_NAME, is_singleton=True, preserve_lock_file=True)

    @property
    def held(self) -> bool:
        """Held by this thread (possibly re-entered)."""
        return bool(self._lock.is_locked)

    @contextmanager
    def hold(self) -> Iterator[None]:
        first = not self.held
        self._acquire()
        try:
            if first:
                _write_holder(self.store_dir)
            yield
        finally:
            self._lock.release()

    def _acquire(self) -> None:
        from filelock import Timeout

        try:
            try:
                self._lock.acquire(timeout=0)
                return
            except Timeout:
                pass
            self.announce(
                f"another Outreach process is writing to {self.store_dir} (pid {holder_pid(self.store_dir) or '?'}); "
                "waiting…"
            )
            started = time.monotonic()
            self._lock.acquire(timeout=self.wait_s)
            self.announce(f"…done waiting ({time.monotonic() - started:.0f} s); writing to {self.store_dir}")
        except Timeout:
            raise StoreBusyError(
                f"another Outreach process (pid {holder_pid(self.store_dir) or '?'}) has been writing to "
                f"{self.store_dir} for more than {self.wait_s:.0f} s; let it finish (or stop it) and try again. "
                "Nothing was written."
            ) from None
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise read_only_error(self.store_dir, exc) from None
            raise


def read_only_error(store_dir: Path, exc: BaseException | str) -> StoreReadOnlyError:
    reason = exc if isinstance(exc, str) else getattr(exc, "strerror", None) or str(exc)
    return StoreReadOnlyError(
        f"the store at {store_dir} is read-only ({reason}): this command writes to it. Read commands "
        "(professors, papers, search, match, draft, ask) still work; to write, make the folder writable or "
        "copy the store elsewhere and pass --store COPY. Nothing was written."
    )


def _write_holder(store_dir: Path) -> None:
    """Our pid, for a writer that has to wait; best effort (the lock, not this file, is what excludes)."""
    with suppress(OSError):
        (store_dir / HOLDER_NAME).write_text(f"{os.getpid()}\n")


def holder_pid(store_dir: Path) -> int | None:
    try:
        return int((store_dir / HOLDER_NAME).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
