"""Verbatim runs of words: copied from an abstract (copying, attribution), or shared by two drafts of a batch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache

from assistant.guardrails.vocabulary import norm
from assistant.text import WORD_RE

SHINGLE_WORDS = 5
BATCH_SIMILARITY = 0.5  # word 5-gram Jaccard similarity between two drafts of a batch


def words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for every word: lowercase, accents folded, so it compares with normalised abstracts."""
    out = []
    for m in WORD_RE.finditer(text):
        raw = m.group()
        word = raw.lower() if raw.isascii() else norm(raw).replace(" ", "")
        if word:
            out.append((word, m.start(), m.end()))
    return out


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    words = norm(text).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def similar_pairs(bodies: dict[str, str], threshold: float = BATCH_SIMILARITY) -> list[tuple[str, str, float]]:
    """Pairs of drafts (by key) whose word 5-gram Jaccard similarity is at least `threshold`, most similar
    first: the batch's cross-draft check."""
    keys = sorted(bodies)
    grams = {k: shingles(bodies[k]) for k in keys}
    pairs = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            shared = len(grams[a] & grams[b])
            union = len(grams[a]) + len(grams[b]) - shared
            score = shared / union if union else 0.0
            if score >= threshold:
                pairs.append((a, b, round(score, 4)))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


class NgramLookup(ABC):
    """Which papers' abstracts contain each word n-gram of one length."""

    @abstractmethod
    def owners_of(self, gram: tuple[str, ...]) -> tuple[str, ...]:
        """The ids of the papers whose abstract holds this n-gram (none: empty)."""

    def __contains__(self, gram: object) -> bool:
        return isinstance(gram, tuple) and bool(self.owners_of(gram))


class NgramOwners(NgramLookup):
    """The index over abstracts held in memory.

    Built once per set of papers and cached: checking a draft then costs one lookup per n-gram of the draft,
    where a union of every abstract's n-grams cost ~30 ms per draft on a 2,000-paper store (the batch
    benchmark's bottleneck)."""

    def __init__(self, papers: tuple[tuple[str, str], ...], n: int) -> None:
        owners: dict[tuple[str, ...], tuple[str, ...]] = {}
        for pid, abstract in papers:
            for gram in shingles(abstract, n):
                found = owners.get(gram, ())
                if pid not in found:
                    owners[gram] = (*found, pid)
        self.owners = owners

    def owners_of(self, gram: tuple[str, ...]) -> tuple[str, ...]:
        return self.owners.get(gram, ())


class IndexedAbstracts(ABC):
    """Abstracts held elsewhere (a store's saved corpus) that answer n-gram lookups themselves."""

    @abstractmethod
    def ngram_index(self, n: int) -> NgramLookup: ...


@lru_cache(maxsize=4)
def ngram_owners(papers: tuple[tuple[str, str], ...] | IndexedAbstracts, n: int) -> NgramLookup:
    """Cached by the (id, abstract) pairs themselves, so a changed store can never be served a stale index."""
    return papers.ngram_index(n) if isinstance(papers, IndexedAbstracts) else NgramOwners(papers, n)


@lru_cache(maxsize=64)  # one professor's abstracts, kept while their emails are checked
def paper_ngrams(papers: tuple[tuple[str, str], ...], n: int) -> NgramOwners:
    """Like `ngram_owners`, for one professor's papers: cached apart, so it never evicts the store's index."""
    return NgramOwners(papers, n)


@dataclass(frozen=True)
class Foreign:
    """The n-grams of other papers' abstracts that none of this professor's texts contains."""

    index: NgramLookup
    own_ids: frozenset[str]
    own_norm: str  # the professor's own texts, normalised and padded with spaces

    def __contains__(self, gram: object) -> bool:
        if not isinstance(gram, tuple):
            return False
        ids = self.index.owners_of(gram)
        if not ids or all(i in self.own_ids for i in ids):
            return False
        # Rare (a run found in another paper's abstract), so a substring search beats n-gramming own texts.
        return f" {' '.join(gram)} " not in self.own_norm


def verbatim_runs(words: list[str], reference: Container[tuple[str, ...]], n: int) -> list[tuple[int, int]]:
    """[first, last) word index ranges of `words` whose every n-gram occurs in `reference`."""
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(len(words) - n + 2):
        hit = i < len(words) - n + 1 and tuple(words[i : i + n]) in reference
        if hit and start is None:
            start = i
        elif not hit and start is not None:
            runs.append((start, i - 1 + n))
            start = None
    return runs
