"""Whether a store exists and can be written, and opening its catalog read-only when it cannot.

A store is a folder holding `catalog.sqlite`. Read commands refuse a folder without one (a typo in --store must
not create an empty store); write commands create it. A store on a read-only disk, or one this user may not
write, is opened read-only, so that reading it needs no write at all.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from assistant.store import StoreMissingError

CATALOG_NAME = "catalog.sqlite"


def require_store(store_dir: Path) -> None:
    """For read commands: the store must exist already."""
    if not (store_dir / CATALOG_NAME).is_file():
        raise StoreMissingError(
            f"no store at {store_dir}; run `outreach ingest` first (or check --store / OUTREACH_STORE)"
        )


def writable(catalog_path: Path) -> bool:
    """Can this process write the catalog (and its journal files beside it)? True for a store not made yet,
    as long as its nearest existing folder can be written."""
    folder = catalog_path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        return False
    return not catalog_path.exists() or os.access(catalog_path, os.W_OK)


def connect_read_only(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection that never writes. `mode=ro` needs the WAL's shared-memory file, which a read-only store
    that was closed cleanly does not have (SQLite then says "unable to open database file"); for a store we
    cannot write, `immutable=1` reads the file as it is, which is safe because no one writes a read-only
    store. A store we can write always gets `mode=ro`, which sees other processes' commits."""
    conn = _connect(path, "mode=ro", check_same_thread)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if writable(path):
            raise
    return _connect(path, "immutable=1", check_same_thread)


def _connect(path: Path, flags: str, check_same_thread: bool) -> sqlite3.Connection:
    uri = f"file:{quote(str(path))}?{flags}"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=check_same_thread)
