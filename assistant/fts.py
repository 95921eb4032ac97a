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

import json
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
    if professor_ids is None:
        return _best_of_all(conn, expression, limit)
    marks = ",".join("?" * len(professor_ids))
    first, last = conn.execute(
        f"SELECT min(rowid), max(rowid) FROM papers WHERE professor_id IN ({marks})", list(professor_ids)
    ).fetchone()
    if first is None:
        return []
    # bm25 weighs terms over the whole index, so bounding the rowids changes no score, and FTS5 then reads only
    # that stretch of each term's postings instead of scoring every match in the store (0.13 s -> 0.01 s for one
    # professor at 100k papers).
    sql = (
        "SELECT p.professor_id, p.paper_id FROM papers_fts f JOIN papers p ON p.rowid = f.rowid "
        f"WHERE papers_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND p.professor_id IN ({marks}) "
        "ORDER BY bm25(papers_fts), p.professor_id, p.paper_id LIMIT ?"
    )
    return [(r[0], r[1]) for r in conn.execute(sql, [expression, first, last, *professor_ids, limit])]


def _best_of_all(conn: sqlite3.Connection, expression: str, limit: int) -> list[tuple[str, str]]:
    """The `limit` best matches in the whole index, ordered as "ORDER BY bm25, professor_id, paper_id" orders
    them, without joining every match to `papers` for the tie-break (70,000 matches of a query's common terms at
    100k papers: 0.18 s -> 0.09 s). FTS5 ranks by bm25 alone; the rows it returns are joined, and the answer
    stands once the last row fetched scores strictly worse than the `limit`-th row kept: every row not fetched
    scores no better than it, so none can tie with or beat the rows kept. Otherwise twice as many are fetched."""
    fetch = 2 * limit
    while True:
        ranked = conn.execute(
            "SELECT rowid, bm25(papers_fts) FROM papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) LIMIT ?",
            (expression, fetch),
        ).fetchall()
        score = dict(ranked)
        keys = conn.execute(  # rowids as one JSON array: no limit on how many
            "SELECT rowid, professor_id, paper_id FROM papers WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(list(score)),),
        ).fetchall()
        kept = sorted((score[rowid], pid, paper) for rowid, pid, paper in keys)
        everything = len(ranked) < fetch
        if everything or (len(kept) >= limit and ranked[-1][1] > kept[limit - 1][0]):
            return [(pid, paper) for _, pid, paper in kept[:limit]]
        fetch *= 2


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
