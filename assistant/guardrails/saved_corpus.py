"""The guardrails' corpus of a store, saved beside the catalog per catalog version, so a draft looks up only
what it asks about instead of reading, normalising and n-gram indexing every paper of the store per process
(112 s and 2.6 GB per draft at 100,000 papers before).

What is saved, and how a version is built from the previous one: `saved_corpus_build.py`. Here: reading it.
Every answer is checked against the saved text, so a hash collision or the FTS5 tokenizer can only add
candidates, never change an answer: each lookup answers what `StoreCorpus` answers, except a phrase that ran
across two papers (StoreCorpus joined every text into one). Candidates are taken in the entries' order
(`order.npy`), which is the catalog's, whatever ids an incremental build gave them.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz, process

from assistant.catalog import Catalog
from assistant.derived import PinnedCatalog
from assistant.guardrails.corpus import TITLE_MIN_RATIO, Corpus, Owner, Texts, WordLookup, title_matches, uses_words
from assistant.guardrails.saved_corpus_build import GRAM_WORDS, build, complete, folder, gram_hash, segments
from assistant.guardrails.verbatim import IndexedAbstracts, NgramLookup, NgramOwners
from assistant.guardrails.vocabulary import norm, plural_variants
from assistant.seams import CatalogReader
from assistant.store.access import CATALOG_NAME, connect_read_only
from assistant.types import Paper
from assistant.untrusted import trusted_copy

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

__all__ = ["SavedCorpus", "folder", "open_corpus", "save_corpus", "store_corpus"]


# ---------------------------------------------------------------- reading


class SavedCorpus(Corpus):
    """A store's corpus read from its saved folder; thread-safe (a batch's workers share one)."""

    def __init__(self, path: Path, catalog_path: Path) -> None:
        self.path, self._catalog_path = path, catalog_path
        self._conn = connect_read_only(path / "corpus.sqlite", check_same_thread=False)
        self._lock = threading.RLock()
        self._order: NDArray[np.int64] = np.load(path / "order.npy", mmap_mode="r")
        self._grams: list[tuple[NDArray[np.uint64], NDArray[np.int32]]] = [
            (np.load(path / f"{s}-hashes.npy", mmap_mode="r"), np.load(path / f"{s}-entries.npy", mmap_mode="r"))
            for s in segments(path)
        ]
        self.texts = SavedTexts(self)
        self._owners: dict[str, str] = dict(self._query("SELECT owner_id, name FROM owners"))

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def in_order(self, entries: Iterable[int]) -> list[int]:
        """Entry ids in the entries' order (the catalog's), those no longer used left out."""
        ids = np.fromiter(entries, dtype=np.int64)
        ranks = np.asarray(self._order[ids])
        ids, ranks = ids[ranks >= 0], ranks[ranks >= 0]
        return [int(e) for e in ids[np.argsort(ranks)]]

    def matching(self, fts_query: str) -> list[int]:
        """Entries whose FTS5 index matches, in entry order (a superset of what a text lookup finds)."""
        return self.in_order(
            int(r[0]) for r in self._query("SELECT rowid FROM texts WHERE texts MATCH ?", (fts_query,))
        )

    def any_text(self, fts_query: str, padded: str) -> bool:
        """Whether an entry's title and abstract, joined, hold `padded` (FTS5 proposes, the text decides; the
        first candidate nearly always holds it, so candidates are read one at a time)."""
        with self._lock:
            for (entry,) in self._conn.execute(
                "SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY rowid", (fts_query,)
            ):
                title, abstract = self._conn.execute(
                    "SELECT title, abstract FROM entries WHERE i = ?", (entry,)
                ).fetchone()
                if padded in f" {title} {abstract} ":
                    return True
        return False

    def names_besides(self, professor_id: str | None) -> set[str]:
        return {name for owner, name in self._owners.items() if owner != professor_id}

    def abstracts_with(self, own: Sequence[Paper]) -> SavedAbstracts:
        """The saved abstracts and those of `own` it does not hold as they are (normally none: both sides are
        trusted copies of the catalog's papers), so only those few are n-gram indexed in memory."""
        mine = {(p.id, p.abstract) for p in own if p.abstract}
        ids = sorted({pid for pid, _ in mine})
        saved: set[tuple[str, str]] = set()
        for start in range(0, len(ids), 500):  # SQLite's limit on variables per statement
            chunk = ids[start : start + 500]
            sql = f"SELECT paper_id, abstract FROM entries WHERE paper_id IN ({','.join('?' * len(chunk))})"
            saved.update((str(pid), str(abstract)) for pid, abstract in self._query(sql, chunk))
        # n-gram lookups see an abstract only as its normalised words, which is what the corpus saved.
        return SavedAbstracts(self, tuple(sorted((pid, a) for pid, a in mine if (pid, norm(a)) not in saved)))

    def owner_of(self, paper_id: str) -> Owner | None:
        """The owner of the paper's last entry (StoreCorpus keeps the last one it was given)."""
        owner = {
            int(i): str(o) for i, o in self._query("SELECT i, owner_id FROM entries WHERE paper_id = ?", (paper_id,))
        }
        last = self.in_order(owner)
        return (owner[last[-1]], self._owners[owner[last[-1]]]) if last else None

    # ------------------------------------------------------------ titles

    @cached_property
    def _titles(self) -> tuple[list[str], list[int], list[str], NDArray[np.int64]]:
        """Every entry's normalised title ('' when none); the entries by title length, their titles and lengths."""
        titles = (self.path / "titles.txt").read_text().split("\n")
        lengths = np.fromiter(map(len, titles), dtype=np.int64, count=len(titles))
        order = np.argsort(lengths, kind="stable")
        by_length = order.tolist()
        return titles, by_length, [titles[i] for i in by_length], lengths[order]

    def other_title(self, phrase: str, professor_id: str | None, allow_containment: bool) -> tuple[str, Paper] | None:
        titles, order, sorted_titles, lengths = self._titles
        # rapidfuzz's ratio is 100 * (1 - indel / (len1 + len2)) and indel >= the length difference, so a title
        # scoring TITLE_MIN_RATIO has a length within this window (one character wider each side, for rounding).
        slack = (100 - TITLE_MIN_RATIO) / 100  # the length difference is at most slack * (len1 + len2)
        low, high = len(phrase) * (1 - slack) / (1 + slack) - 1, len(phrase) * (1 + slack) / (1 - slack) + 1
        start, end = int(np.searchsorted(lengths, low, "left")), int(np.searchsorted(lengths, high, "right"))
        near = process.extract(
            phrase, sorted_titles[start:end], scorer=fuzz.ratio, score_cutoff=TITLE_MIN_RATIO, limit=None
        )
        candidates = {order[start + j] for _, _, j in near}
        padded = f" {phrase} "
        candidates |= {i for i in self.matching(f"title : {_phrase(phrase)}") if padded in f" {titles[i]} "}
        # Titles it contains are no longer than it (and never empty: StoreCorpus lists no empty title).
        first, last = int(np.searchsorted(lengths, 1, "left")), int(np.searchsorted(lengths, len(phrase), "right"))
        candidates |= {order[j] for j in range(first, last) if sorted_titles[j] in phrase}
        for i in self.in_order(candidates):
            if not titles[i]:
                continue
            owner, paper_id = self._query("SELECT owner_id, paper_id FROM entries WHERE i = ?", (i,))[0]
            if owner != professor_id and title_matches(phrase, titles[i], allow_containment):
                return self._owners[str(owner)], self._paper(str(owner), str(paper_id))
        return None

    def other_paper_using(self, words: Sequence[str], professor_id: str | None, least: int) -> tuple[str, Paper] | None:
        # FTS5 proposes the entries holding at least `least` of the words (counted as the text check counts them);
        # only those are read and decided by the same whole-word test the in-memory corpus applies.
        counts: Counter[int] = Counter()
        for word in words:
            counts.update(set(self.matching(_word_query(word))) if norm(word) else ())
        for entry in self.in_order(e for e, c in counts.items() if c >= least):
            owner, paper_id, title, abstract = self._query(
                "SELECT owner_id, paper_id, title, abstract FROM entries WHERE i = ?", (entry,)
            )[0]
            joined = " ".join(t for t in (title, abstract) if t)
            if title and owner != professor_id and uses_words(Texts(norm=f" {joined} "), words, least):
                return self._owners[str(owner)], self._paper(str(owner), str(paper_id))
        return None

    def _paper(self, owner: str, paper_id: str) -> Paper:
        conn = connect_read_only(self._catalog_path)
        try:
            row = conn.execute(
                "SELECT data FROM papers WHERE professor_id = ? AND paper_id = ?", (owner, paper_id)
            ).fetchone()
        finally:
            conn.close()
        return trusted_copy(Paper.model_validate_json(row[0]))

    # ------------------------------------------------------------ n-grams

    def gram_papers(self, gram: tuple[str, ...]) -> tuple[str, ...]:
        """The paper ids of the abstracts holding this run of words."""
        if not gram or any(not w or " " in w for w in gram):
            return ()  # no normalised abstract's words hold a space
        if len(gram) >= GRAM_WORDS:
            first = self._hash_entries(gram[:GRAM_WORDS])
            found = np.intersect1d(first, self._hash_entries(gram[-GRAM_WORDS:])) if len(first) else first
            entries = self.in_order(int(e) for e in found)
        else:
            entries = self.matching(_phrase(" ".join(gram)))
        if not entries:
            return ()
        marks = ",".join("?" * len(entries))
        found_rows = self._query(f"SELECT i, paper_id, abstract FROM entries WHERE i IN ({marks})", entries)
        text_of = {int(i): (str(pid), str(abstract)) for i, pid, abstract in found_rows}
        padded = f" {' '.join(gram)} "
        return tuple(
            dict.fromkeys(pid for pid, abstract in map(text_of.__getitem__, entries) if padded in f" {abstract} ")
        )

    def _hash_entries(self, words: Sequence[str]) -> NDArray[np.int64]:
        h = np.uint64(gram_hash(words))
        found = []
        for hashes, entries in self._grams:
            lo, hi = np.searchsorted(hashes, h, "left"), np.searchsorted(hashes, h, "right")
            found.append(np.asarray(entries[lo:hi], dtype=np.int64))
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _word_query(word: str) -> str:
    """Every entry `SavedTexts.has(word)` could find: its plural variants as phrases, a long word as a prefix."""
    n = norm(word)
    queries = [_phrase(v) for v in sorted(plural_variants(n))]
    if " " not in n and len(n) >= 5:
        queries.append(f"{_phrase(n)} *")
    return " OR ".join(queries)


def _phrase(words: str) -> str:
    """An FTS5 phrase (a quote inside is doubled, so no text is read as query syntax)."""
    escaped = words.replace('"', '""')
    return f'"{escaped}"'


class SavedTexts(WordLookup):
    """`Texts.has` over every title and abstract of a saved corpus: FTS5 finds candidates, the text decides."""

    def __init__(self, corpus: SavedCorpus) -> None:
        self._corpus = corpus

    def has(self, term: str) -> bool:
        n = norm(term)
        if not n:
            return False
        if any(self._found(_phrase(v), f" {v} ") for v in sorted(plural_variants(n))):
            return True
        return " " not in n and len(n) >= 5 and self._found(f"{_phrase(n)} *", f" {n}")

    def _found(self, fts_query: str, padded: str) -> bool:
        return self._corpus.any_text(fts_query, padded)


@dataclass(frozen=True)
class SavedAbstracts(IndexedAbstracts):
    """Every abstract of a saved corpus plus a professor's own (which the corpus may or may not hold)."""

    corpus: SavedCorpus
    own: tuple[tuple[str, str], ...]  # (paper id, abstract), sorted

    def ngram_index(self, n: int) -> NgramLookup:
        return SavedNgramOwners(self.corpus, NgramOwners(self.own, n), n)


class SavedNgramOwners(NgramLookup):
    """The owners of a run of `n` words: the saved corpus's papers and the professor's own, looked up when asked."""

    def __init__(self, corpus: SavedCorpus, own: NgramOwners, n: int) -> None:
        self._corpus, self._own, self._n = corpus, own, n
        self._found: dict[tuple[str, ...], tuple[str, ...]] = {}

    def owners_of(self, gram: tuple[str, ...]) -> tuple[str, ...]:
        if gram not in self._found:
            ids = self._corpus.gram_papers(gram) if len(gram) == self._n else ()
            self._found[gram] = tuple(dict.fromkeys((*ids, *self._own.owners_of(gram))))
        return self._found[gram]


# ---------------------------------------------------------------- opening


def store_corpus(catalog: CatalogReader, in_memory: Callable[[], Corpus]) -> Corpus:
    """A store catalog's saved corpus at its current version (built and saved first when missing); `in_memory()`
    for any other catalog (a batch's frozen view holds every paper already) or when it cannot be saved."""
    if not isinstance(catalog, Catalog):
        return in_memory()
    pinned = PinnedCatalog(catalog.path)
    try:
        saved = open_corpus(catalog.store_dir, pinned)
    finally:
        pinned.close()
    return saved or in_memory()


def save_corpus(catalog: Catalog) -> None:
    """Build and save the corpus of the catalog's current version unless it is saved (ingest calls this, so the
    next draft finds it ready)."""
    pinned = PinnedCatalog(catalog.path)
    try:
        if not complete(folder(catalog.store_dir, pinned.version)):
            build(folder(catalog.store_dir, pinned.version), pinned)
    finally:
        pinned.close()


def open_corpus(store_dir: Path, pinned: PinnedCatalog) -> SavedCorpus | None:
    """The pinned version's saved corpus, built first when missing; None when it cannot be saved (a read-only
    store: the caller then builds the corpus in memory)."""
    path = folder(store_dir, pinned.version)
    if not complete(path):
        try:
            build(path, pinned)
        except OSError as exc:  # a read-only store or disk: the caller holds the corpus in memory instead
            log.info("the guardrails' corpus cannot be saved (%s); building it in memory", exc)
            return None
    return SavedCorpus(path, store_dir / CATALOG_NAME)
