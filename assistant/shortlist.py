"""The student's shortlist of professors, with a note and an outreach status each; persisted in the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal, get_args

from pydantic import BaseModel

from assistant.catalog import Catalog
from assistant.errors import InputError, NotFoundError

Status = Literal["to-draft", "drafted", "sent", "replied"]
STATUSES: tuple[str, ...] = get_args(Status)


class ShortlistEntry(BaseModel):
    professor_id: str
    name: str
    status: Status
    note: str
    added_at: str
    updated_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add(catalog: Catalog, names: Sequence[str]) -> list[str]:
    """Add professors (by id or name); every name is resolved before anything is written."""
    ids = [catalog.resolve(n, kind="professor").id for n in names]
    with catalog.transaction() as conn:
        now = _now()
        for pid in ids:
            conn.execute(
                "INSERT OR IGNORE INTO shortlist (professor_id, status, note, added_at, updated_at) "
                "VALUES (?, 'to-draft', '', ?, ?)",
                (pid, now, now),
            )
    return ids


def _entry_id(catalog: Catalog, name: str) -> str:
    pid = catalog.resolve(name).id
    if not catalog.query("SELECT 1 FROM shortlist WHERE professor_id = ?", (pid,)):
        raise NotFoundError(f"{name!r} is not on the shortlist (see `outreach shortlist list`)")
    return pid


def remove(catalog: Catalog, name: str) -> str:
    pid = _entry_id(catalog, name)
    with catalog.transaction() as conn:
        conn.execute("DELETE FROM shortlist WHERE professor_id = ?", (pid,))
    return pid


def note(catalog: Catalog, name: str, text: str) -> str:
    pid = _entry_id(catalog, name)
    with catalog.transaction() as conn:
        conn.execute("UPDATE shortlist SET note = ?, updated_at = ? WHERE professor_id = ?", (text, _now(), pid))
    return pid


def set_status(catalog: Catalog, name: str, status: str) -> str:
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    pid = _entry_id(catalog, name)
    with catalog.transaction() as conn:
        conn.execute("UPDATE shortlist SET status = ?, updated_at = ? WHERE professor_id = ?", (status, _now(), pid))
    return pid


def entries(catalog: Catalog) -> list[ShortlistEntry]:
    rows = catalog.query(
        "SELECT s.professor_id, p.name, s.status, s.note, s.added_at, s.updated_at "
        "FROM shortlist s JOIN professors p ON p.id = s.professor_id ORDER BY s.added_at, p.name"
    )
    keys = ("professor_id", "name", "status", "note", "added_at", "updated_at")
    return [ShortlistEntry.model_validate(dict(zip(keys, r, strict=True))) for r in rows]
