"""Building the guardrails' saved corpus of a catalog version (`saved_corpus.py` reads it): in full, or from the
previous version by removing and adding only the papers that changed.

`store/derived/guardrails/<catalog version>/` holds, for the store's professors (`kind = 'professor'`, in the
catalog's name order, each one's papers in order: the entries `StoreCorpus` had):
- `corpus.sqlite`: each entry's trusted title and abstract normalised, under an entry id, with an FTS5 index over
  them for whole-word lookups, and the owners' names;
- `order.npy`: each entry id's place in the entries' order (-1 for an id no longer used), so an id can stay the
  same from one version to the next while professors are added before it;
- `titles.txt`: the titles again, one per entry id ('' when none or no longer used), for rapidfuzz;
- the hash of every word 8-gram of every abstract with its entry id, sorted, in segments (`<segment>-hashes.npy`,
  `<segment>-entries.npy`, listed in `meta.json`): a version adds one segment for the papers it added and
  hard-links the older ones, whose ids of removed papers `order.npy` marks unused.

An incremental build copies the previous `corpus.sqlite` and applies the changes in one transaction; after a
few segments, or once a quarter of the ids are unused, the next build is a full one again (reusing the previous
version's normalised texts by a digest of each paper's catalog data). Either way the folder is written under a
temporary name and renamed into place: a crash leaves the previous version as it was, and a reader never sees
half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from assistant.derived import PinnedCatalog
from assistant.files import building_folder, folder_complete, folder_meta
from assistant.guardrails.vocabulary import norm
from assistant.store.access import connect_read_only
from assistant.types import Paper
from assistant.untrusted import trusted_copy

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# The layout and the rules of the trusted texts (untrusted.trusted_copy, norm): a folder of another format is
# rebuilt and its texts are not reused. 3: stable entry ids with order.npy, 8-gram segments; 4: the same layout,
# with round 5's trusted copies (a site an abstract names, such as WikiHow.com, is kept as evidence).
FORMAT = "4"
GRAM_WORDS = 8  # the hashed n-gram: a lookup of n >= 8 words needs one hash; shorter ones go through FTS5
MAX_SEGMENTS = 8  # beyond this many 8-gram segments, or
MAX_UNUSED = 0.25  # this share of unused entry ids, the next build is a full one
_MASK = (1 << 64) - 1
_BASE = 0x100000001B3  # the polynomial rolling hash's base (odd, so no word position is lost mod 2**64)
_SCHEMA = """
CREATE TABLE entries (i INTEGER PRIMARY KEY, owner_id TEXT NOT NULL, paper_id TEXT NOT NULL,
    title TEXT NOT NULL, abstract TEXT NOT NULL, key BLOB NOT NULL);
CREATE INDEX entries_paper ON entries (paper_id, i);
CREATE TABLE owners (owner_id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE VIRTUAL TABLE texts USING fts5 (text, title, content='', tokenize='unicode61');
"""


def folder(store_dir: Path, version: int) -> Path:
    return store_dir / "derived" / "guardrails" / str(version)


def word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def gram_hash(words: Sequence[str]) -> int:
    """The rolling hash of a run of words; `_gram_hashes` computes the same over whole arrays."""
    h = 0
    for w in words:
        h = (h * _BASE + word_hash(w)) & _MASK
    return h


def meta(path: Path) -> dict[str, object] | None:
    return folder_meta(path)


def complete(path: Path) -> bool:
    return folder_complete(path, FORMAT)


def segments(path: Path) -> list[str]:
    found = meta(path) or {}
    return [str(s) for s in found.get("segments", [])]  # type: ignore[attr-defined]


class _Entry(NamedTuple):
    owner: str
    name: str
    paper_id: str
    data: bytes  # the paper's catalog data, as stored (UTF-8 JSON)
    key: bytes  # its digest: the same key, the same normalised texts


def build(path: Path, pinned: PinnedCatalog) -> None:
    """Save the pinned version's corpus at `path`: from the previous version when it can, else in full."""
    log.info("building the guardrails' corpus for catalog version %d", pinned.version)
    entries = list(_entries(pinned))
    with building_folder(path, FORMAT) as tmp:
        previous = _newest_older(path)
        if previous is None or not complete(previous) or not _extend(tmp, previous, entries, pinned.version):
            _clear(tmp)
            _write_full(tmp, entries, _previous_texts(previous), pinned.version)
    for other in path.parent.iterdir():
        if other != path and other.name.isdigit() and int(other.name) < pinned.version:
            shutil.rmtree(other, ignore_errors=True)


def _entries(pinned: PinnedCatalog) -> Iterator[_Entry]:
    """The entries in the order `catalog.professors(with_papers=True)` gives. Papers' data are read as bytes:
    most are only hashed (decoding 100,000 of them to text and encoding them back was half of this)."""
    with pinned.lock:
        conn = pinned.conn
        profs = conn.execute("SELECT id, name FROM professors WHERE kind = ? ORDER BY name", ("professor",)).fetchall()
        for pid, name in profs:
            rows = conn.execute(
                "SELECT paper_id, CAST(data AS BLOB) FROM papers WHERE professor_id = ? ORDER BY position", (pid,)
            )
            for paper_id, paper in rows.fetchall():
                yield _Entry(pid, name, paper_id, paper, hashlib.blake2b(paper, digest_size=16).digest())


def _newest_older(path: Path) -> Path | None:
    older = [p for p in path.parent.iterdir() if p.name.isdigit() and p != path and meta(p) is not None]
    return max(older, key=lambda p: int(p.name)) if older else None


def _clear(folder_path: Path) -> None:
    for child in folder_path.iterdir():
        child.unlink()


def _texts(data: bytes) -> tuple[str, str]:
    """The normalised title and abstract of a paper as evidence (its trusted copy)."""
    paper = trusted_copy(Paper.model_validate_json(data))
    return norm(paper.title or ""), norm(paper.abstract or "")


# ---------------------------------------------------------------- full


def _previous_texts(previous: Path | None) -> dict[bytes, tuple[str, str]]:
    """An older version's normalised texts by paper data digest: an ingest changes few papers, and trusting and
    normalising every abstract again was most of a full build (100 s at 100,000 papers)."""
    if previous is None or not complete(previous):  # made by other rules: trusting them again is the point
        return {}
    try:
        conn = connect_read_only(previous / "corpus.sqlite")
        try:
            return {bytes(k): (t, a) for k, t, a in conn.execute("SELECT key, title, abstract FROM entries")}
        finally:
            conn.close()
    except sqlite3.Error as exc:  # unreadable: build from the catalog alone
        log.info("the previous guardrails' corpus at %s is not reused (%s)", previous, exc)
        return {}


def _write_full(out: Path, entries: list[_Entry], previous: dict[bytes, tuple[str, str]], version: int) -> None:
    db = sqlite3.connect(out / "corpus.sqlite")
    db.executescript(_SCHEMA)
    texts = [previous.get(e.key) or _texts(e.data) for e in entries]
    _insert(db, range(len(entries)), entries, texts)
    _save_owners(db, entries)
    db.commit()
    db.close()
    (out / "titles.txt").write_text("\n".join(t for t, _ in texts))
    np.save(out / "order.npy", np.arange(len(entries), dtype=np.int64))
    segment = f"g{version}"
    _save_segment(out, segment, np.arange(len(entries), dtype=np.int64), [a for _, a in texts])
    _save_meta(out, version, [segment])


def _insert(
    db: sqlite3.Connection, ids: Sequence[int], entries: Sequence[_Entry], texts: list[tuple[str, str]]
) -> None:
    for i, e, (title, abstract) in zip(ids, entries, texts, strict=True):
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", (i, e.owner, e.paper_id, title, abstract, e.key))
        db.execute("INSERT INTO texts (rowid, text, title) VALUES (?, ?, ?)", (i, f"{title} {abstract}", title))


def _save_owners(db: sqlite3.Connection, entries: list[_Entry]) -> None:
    owners: dict[str, str] = {}
    for e in entries:
        owners.setdefault(e.owner, e.name)
    db.execute("DELETE FROM owners")
    db.executemany("INSERT INTO owners VALUES (?, ?)", owners.items())


def _save_meta(out: Path, version: int, segment_names: list[str]) -> None:
    (out / "meta.json").write_text(json.dumps({"format": FORMAT, "version": version, "segments": segment_names}))


# ---------------------------------------------------------------- incremental


def _extend(out: Path, previous: Path, entries: list[_Entry], version: int) -> bool:
    """The previous version's corpus with the removed papers taken out and the added ones put in; False (and
    nothing usable in `out`) when a full build is due or the previous version cannot be read."""
    try:
        return _apply_changes(out, previous, entries, version)
    except (OSError, sqlite3.Error, ValueError) as exc:  # pruned by another process meanwhile, or damaged
        log.info("the guardrails' corpus is built in full: the previous version is not usable (%s)", exc)
        return False


def _apply_changes(out: Path, previous: Path, entries: list[_Entry], version: int) -> bool:
    kept_segments = segments(previous)
    if len(kept_segments) >= MAX_SEGMENTS:
        return False
    old = connect_read_only(previous / "corpus.sqlite")
    try:
        rows = old.execute("SELECT i, owner_id, paper_id, key FROM entries").fetchall()
    finally:
        old.close()
    free = {(owner, paper_id, bytes(key)): int(i) for i, owner, paper_id, key in rows}
    next_id = len(np.load(previous / "order.npy", mmap_mode="r"))
    ids, added = np.zeros(len(entries), dtype=np.int64), list[int]()
    for j, e in enumerate(entries):
        found = free.pop((e.owner, e.paper_id, e.key), None)
        if found is None:
            found = next_id + len(added)
            added.append(j)
        ids[j] = found
    total = next_id + len(added)
    if total and (total - len(entries)) / total > MAX_UNUSED:
        return False
    shutil.copyfile(previous / "corpus.sqlite", out / "corpus.sqlite")
    new_texts = [_texts(entries[j].data) for j in added]
    _update_database(out / "corpus.sqlite", sorted(free.values()), ids[added].tolist(), entries, added, new_texts)
    order = np.full(total, -1, dtype=np.int64)
    order[ids] = np.arange(len(entries))
    np.save(out / "order.npy", order)
    titles = (previous / "titles.txt").read_text().split("\n") if next_id else []
    titles += [""] * len(added)
    for i in free.values():
        titles[i] = ""
    for i, (title, _) in zip(ids[added].tolist(), new_texts, strict=True):
        titles[i] = title
    (out / "titles.txt").write_text("\n".join(titles))
    for segment in kept_segments:
        for suffix in ("hashes", "entries"):
            _link(previous / f"{segment}-{suffix}.npy", out / f"{segment}-{suffix}.npy")
    if added:
        kept_segments.append(f"g{version}")
        _save_segment(out, kept_segments[-1], ids[added], [a for _, a in new_texts])
    _save_meta(out, version, kept_segments)
    log.info("guardrails' corpus: %d papers removed, %d added to the previous version", len(free), len(added))
    return True


def _update_database(
    path: Path,
    removed: list[int],
    added_ids: list[int],
    entries: list[_Entry],
    added: list[int],
    texts: list[tuple[str, str]],
) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        for i in removed:  # a contentless FTS5 table forgets a row given the values it indexed
            title, abstract = db.execute("SELECT title, abstract FROM entries WHERE i = ?", (i,)).fetchone()
            db.execute(
                "INSERT INTO texts (texts, rowid, text, title) VALUES ('delete', ?, ?, ?)",
                (i, f"{title} {abstract}", title),
            )
            db.execute("DELETE FROM entries WHERE i = ?", (i,))
        _insert(db, added_ids, [entries[j] for j in added], texts)
        _save_owners(db, entries)
        db.execute("COMMIT")
    finally:
        db.close()


def _link(source: Path, target: Path) -> None:
    """A segment is never written again once saved, so versions share its files."""
    try:
        os.link(source, target)
    except OSError:
        if not source.exists():
            raise
        shutil.copyfile(source, target)


# ---------------------------------------------------------------- 8-grams


def _save_segment(out: Path, segment: str, ids: NDArray[np.int64], abstracts: list[str]) -> None:
    words = array("Q")  # every abstract's word hashes, end to end
    starts = array("q", [0])  # where each entry's words start in `words`
    cache: dict[str, int] = {}
    for abstract in abstracts:
        words.extend([cache[w] if w in cache else cache.setdefault(w, word_hash(w)) for w in abstract.split()])
        starts.append(len(words))
    hashes, local = _gram_hashes(np.frombuffer(words, dtype=np.uint64), np.frombuffer(starts, dtype=np.int64))
    np.save(out / f"{segment}-hashes.npy", hashes)
    np.save(out / f"{segment}-entries.npy", ids[local].astype(np.int32) if len(local) else local)


def _gram_hashes(words: NDArray[np.uint64], starts: NDArray[np.int64]) -> tuple[NDArray[np.uint64], NDArray[np.int32]]:
    """The hash of every run of GRAM_WORDS words inside one entry's abstract, sorted, with its entry's position."""
    n = len(words) - GRAM_WORDS + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
    hashes = np.zeros(n, dtype=np.uint64)
    for j in range(GRAM_WORDS):  # uint64 arithmetic wraps: the same as gram_hash's mod 2**64
        hashes *= np.uint64(_BASE)
        hashes += words[j : j + n]
    entry_of = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))  # each word's entry
    inside = entry_of[:n] == entry_of[GRAM_WORDS - 1 :]
    hashes, entry = hashes[inside], entry_of[:n][inside]
    order = np.argsort(hashes, kind="stable")
    return hashes[order], entry[order]
