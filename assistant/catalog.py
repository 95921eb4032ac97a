"""The catalog: professors and their papers as records, in SQLite under the store.

Chroma holds the vectors; this holds the truth about what was ingested (every listing of every paper), the
keyword index over it (fts.py, updated by the same transaction as the papers), and small state such as the
shortlist. Writes happen in one transaction, so a failed ingest changes nothing, and under the store's writer
lock (store/lock.py), so two processes never interleave their writes; readers take no lock (WAL). A store this
process cannot write is opened read-only: reading works, and a write says the store is read-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assistant import fts
from assistant.errors import AmbiguousError, NotFoundError
from assistant.ids import normalize_text
from assistant.store.access import connect_read_only, writable
from assistant.store.lock import StoreLock, read_only_error
from assistant.store.space import write_errors
from assistant.types import Paper, Professor

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS professors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS papers (
    professor_id TEXT NOT NULL REFERENCES professors(id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL, position INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (professor_id, paper_id)
);
CREATE TABLE IF NOT EXISTS shortlist (
    professor_id TEXT PRIMARY KEY, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.store_dir = path.parent
        self.lock = StoreLock(self.store_dir)
        self.read_only = path.exists() and not writable(path)
        if self.read_only:
            self._conn = connect_read_only(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        if self.get_meta("search_schema") != fts.SEARCH_SCHEMA_VERSION:
            self._install_search_index()

    def _install_search_index(self) -> None:
        """A store written before the keyword index existed (or a new one) gets it, once, in one transaction."""
        with self.transaction() as conn:
            if self.get_meta("search_schema") != fts.SEARCH_SCHEMA_VERSION:  # another process may have done it
                fts.install(conn)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction under the store's writer lock. Inside another one (an ingest's, which holds the
        lock across its vector upsert) it joins it: one commit, or one rollback, for the whole write."""
        if self.read_only:
            raise read_only_error(self.store_dir, "this user or this disk cannot write to it")
        with self.lock.hold(), write_errors(self.store_dir):
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """A read-only query, for small state kept beside the catalog (the shortlist)."""
        return self._conn.execute(sql, args).fetchall()

    # ------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        if conn is not None:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
            return
        with self.transaction() as own:
            own.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def version(self) -> int:
        """Bumped on every write of professors or papers: the key of the derived data built from them."""
        return int(self.get_meta("version") or 0)

    # ------------------------------------------------------------ professors

    def save_professors(self, professors: Iterable[Professor]) -> None:
        """Replace these professors and all their papers, atomically (in the caller's transaction when there
        is one: ingest merges with the rows it read under the same lock)."""
        with self.transaction() as conn:
            for prof in professors:
                record = prof.model_dump(mode="json", exclude={"papers"})
                conn.execute(
                    "INSERT OR REPLACE INTO professors (id, name, kind, data) VALUES (?, ?, ?, ?)",
                    (prof.id, prof.name, prof.kind, json.dumps(record)),
                )
                conn.execute("DELETE FROM papers WHERE professor_id = ?", (prof.id,))
                conn.executemany(
                    "INSERT INTO papers (professor_id, paper_id, position, data, terms) VALUES (?, ?, ?, ?, ?)",
                    [
                        (prof.id, p.id, i, p.model_dump_json(), fts.terms_of(p.embedding_text()))
                        for i, p in enumerate(prof.papers)
                    ],
                )
            self.set_meta("version", str(self.version + 1), conn)

    def professor_ids(self, kind: str | None = None) -> list[str]:
        sql, args = "SELECT id FROM professors", tuple[str, ...]()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [r[0] for r in self._conn.execute(sql + " ORDER BY name", args)]

    def get(self, professor_id: str, *, with_papers: bool = True) -> Professor | None:
        row = self._conn.execute("SELECT data FROM professors WHERE id = ?", (professor_id,)).fetchone()
        if not row:
            return None
        prof = Professor.model_validate_json(row[0])
        if with_papers:
            prof.papers = self.papers_of(professor_id)
        return prof

    def papers_of(self, professor_id: str) -> list[Paper]:
        rows = self._conn.execute("SELECT data FROM papers WHERE professor_id = ? ORDER BY position", (professor_id,))
        return [Paper.model_validate_json(r[0]) for r in rows]

    def professors(self, kind: str | None = "professor", *, with_papers: bool = False) -> list[Professor]:
        sql, args = "SELECT id, data FROM professors", tuple[str, ...]()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        result = []
        for pid, data in self._conn.execute(sql + " ORDER BY name", args).fetchall():
            prof = Professor.model_validate_json(data)
            if with_papers:
                prof.papers = self.papers_of(pid)
            result.append(prof)
        return result

    def paper_count(self) -> int:
        """Paper rows (a paper shared by two professors counts twice)."""
        return int(self._conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def paper_counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT professor_id, COUNT(*) FROM papers GROUP BY professor_id")
        return {pid: n for pid, n in rows}

    def all_papers(self) -> list[tuple[str, Paper]]:
        rows = self._conn.execute("SELECT professor_id, data FROM papers ORDER BY professor_id, position")
        return [(pid, Paper.model_validate_json(data)) for pid, data in rows]

    def papers_by_key(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Paper]:
        """The papers with these (professor_id, paper_id) keys; keys the catalog does not hold are left out."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, str], Paper] = {}
        for start in range(0, len(wanted), 400):  # one query per 400 keys (800 variables)
            chunk = wanted[start : start + 400]
            # A join from the wanted keys (CROSS JOIN keeps that order): each is one primary-key lookup, where
            # "(professor_id, paper_id) IN (VALUES ...)" scans the whole table.
            rows = self._conn.execute(
                f"WITH wanted(p, q) AS (VALUES {','.join(['(?, ?)'] * len(chunk))}) "
                "SELECT professor_id, paper_id, data FROM wanted CROSS JOIN papers "
                "ON papers.professor_id = wanted.p AND papers.paper_id = wanted.q",
                [x for key in chunk for x in key],
            )
            found.update(((pid, paper), Paper.model_validate_json(data)) for pid, paper, data in rows)
        return found

    # ------------------------------------------------------------ keywords

    def keyword_search(self, query: str, professor_ids: Sequence[str] | None, limit: int) -> list[tuple[str, str]]:
        """(professor_id, paper_id) of the best BM25 matches (FTS5), best first."""
        return fts.search(self._conn, query, professor_ids, limit)

    def term_stats(self) -> fts.TermStats:
        return fts.TermStats(self._conn, self.paper_count())

    def resolve(self, name_or_id: str, *, kind: str | None = None, with_papers: bool = True) -> Professor:
        """A professor named by id or by name (case- and accent-insensitive); refuses to guess."""
        exact = self.get(name_or_id.strip(), with_papers=with_papers)
        if exact and (kind is None or exact.kind == kind):
            return exact
        rows = self._conn.execute("SELECT id, name, kind FROM professors").fetchall()
        rows = [r for r in rows if kind is None or r[2] == kind]
        found = self.get(_named_id(name_or_id, rows), with_papers=with_papers)
        assert found is not None
        return found


def _named_id(name_or_id: str, rows: list[tuple[str, str, str]]) -> str:
    """The id of the one record (id, name, kind) a name picks out: the same name, else a unique partial name."""
    wanted = normalize_text(name_or_id)
    same = [r for r in rows if normalize_text(r[1]) == wanted]
    if len(same) > 1:
        raise AmbiguousError(f"{name_or_id!r} names several records", _labels(same))
    if same:
        return same[0][0]
    # Partial names ("Mirzasoleiman") are fine when they pick out exactly one person.
    partial = [r for r in rows if wanted and wanted in normalize_text(r[1])]
    if len(partial) > 1:
        raise AmbiguousError(f"{name_or_id!r} matches several professors; name one by id", _labels(partial))
    if partial:
        return partial[0][0]
    raise NotFoundError(
        f"no professor named {name_or_id!r} in the store (see `outreach professors`)", _close_names(wanted, rows)
    )


def _close_names(wanted: str, rows: list[tuple[str, str, str]]) -> list[str]:
    """Up to five records whose names are near the one asked for, as suggestions."""
    from rapidfuzz import fuzz  # only for a name not found: not on every command's start-up

    scored = sorted(rows, key=lambda r: -fuzz.WRatio(wanted, normalize_text(r[1])))
    return _labels([r for r in scored[:5] if fuzz.WRatio(wanted, normalize_text(r[1])) >= 60])


def _labels(rows: list[tuple[str, str, str]]) -> list[str]:
    return [f"{r[1]} (id {r[0]})" for r in rows]
