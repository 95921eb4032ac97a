"""The persistent keyword index: SQLite FTS5 inside the catalog, kept in step with the papers table by triggers.

Each paper row stores its keyword terms (`keywords.tokenize` of title + abstract, space-joined) in a `terms`
column; the FTS5 table indexes that column as external content, so terms are stored once, every catalog write
updates the index in the same transaction, and `'rebuild'` can always recreate it from the papers table.
Because the terms are already tokenized and stemmed, FTS5's `unicode61` tokenizer only splits them on spaces:
search, the TF-IDF of match (derived.py) and the offline ask's IDF all see the same terms.

Ranking is FTS5's `bm25()` (k1 = 1.2, b = 0.75, like our former in-memory BM25; its IDF is
log((N - n + 0.5) / (n + 0.5)) floored near 0, so a term in more than half of the papers adds almost nothing).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence

from assistant.text import tokenize

SEARCH_SCHEMA_VERSION = "1"

_INDEX = """
CREATE VIRTUAL TABLE papers_fts USING fts5(terms, content='papers', content_rowid='rowid', tokenize='unicode61');
CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');
CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts(rowid, terms) VALUES (new.rowid, new.terms);
END;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, terms) VALUES ('delete', old.rowid, old.terms);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF terms ON papers BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, terms) VALUES ('delete', old.rowid, old.terms);
    INSERT INTO papers_fts(rowid, terms) VALUES (new.rowid, new.terms);
END;
"""


def terms_of(text: str) -> str:
    return " ".join(tokenize(text))


def install(conn: sqlite3.Connection) -> None:
    """Add the keyword index to a catalog that has none (a new store, or one written before it existed).

    The caller holds a write transaction. Terms of existing rows are filled in before the triggers exist, then
    the index is built from them in one pass."""
    from assistant.types import Paper

    columns = {row[1] for row in conn.execute("PRAGMA table_info(papers)")}
    if "terms" not in columns:
        conn.execute("ALTER TABLE papers ADD COLUMN terms TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT rowid, data FROM papers").fetchall()
    conn.executemany(
        "UPDATE papers SET terms = ? WHERE rowid = ?",
        [(terms_of(Paper.model_validate_json(data).embedding_text()), rowid) for rowid, data in rows],
    )
    for statement in _statements(_INDEX):
        conn.execute(statement)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('search_schema', ?)", (SEARCH_SCHEMA_VERSION,))


def _statements(script: str) -> list[str]:
    """The script's statements one by one (executescript would commit the caller's transaction)."""
    out, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def match_expression(query: str) -> str | None:
    """An FTS5 query matching any of the query's terms (quoted, so no term is read as an operator)."""
    terms = dict.fromkeys(tokenize(query))
    return " OR ".join(f'"{t}"' for t in terms) or None


def search(
    conn: sqlite3.Connection, query: str, professor_ids: Sequence[str] | None, limit: int
) -> list[tuple[str, str]]:
    """(professor_id, paper_id) of the best keyword matches, best first; ties broken by id."""
    expression = match_expression(query)
    if expression is None:
        return []
    sql = (
        "SELECT p.professor_id, p.paper_id FROM papers_fts f JOIN papers p ON p.rowid = f.rowid "
        "WHERE papers_fts MATCH ?"
    )
    args: list[object] = [expression]
    if professor_ids is not None:
        sql += f" AND p.professor_id IN ({','.join('?' * len(professor_ids))})"
        args.extend(professor_ids)
    sql += " ORDER BY bm25(papers_fts), p.professor_id, p.paper_id LIMIT ?"
    return [(r[0], r[1]) for r in conn.execute(sql, [*args, limit])]


class TermStats:
    """BM25 IDF of terms over every paper row, read from the index's vocabulary on demand (and remembered)."""

    def __init__(self, conn: sqlite3.Connection, n_docs: int) -> None:
        self._conn = conn
        self.n_docs = n_docs
        self._idf: dict[str, float | None] = {}

    def get(self, term: str, default: float) -> float:
        if term not in self._idf:
            self._lookup([term])
        found = self._idf[term]
        return default if found is None else found

    def _lookup(self, terms: Iterable[str]) -> None:
        wanted = list(terms)
        n = self.n_docs
        rows = self._conn.execute(
            f"SELECT term, doc FROM papers_vocab WHERE term IN ({','.join('?' * len(wanted))})", wanted
        ).fetchall()
        found = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in rows}
        for term in wanted:
            self._idf[term] = found.get(term)
