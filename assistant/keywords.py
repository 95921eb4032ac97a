"""Keyword terms (the one tokenizer behind search's FTS5 index, match's TF-IDF and ask's IDF) and the fusion of
keyword and vector rankings (local Chroma has no sparse search, so we fuse ourselves)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from assistant.ids import normalize_text

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    via using use used based show shows shown propose proposed paper work approach method methods new results
    however thus also can one two well may many much often et al study studies
    """.split()
)


def _stem(word: str) -> str:
    # Deliberately light: fold plurals and a few suffixes so "datasets" meets "dataset".
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in normalize_text(text).split() if w not in STOPWORDS and len(w) > 1]


K = TypeVar("K", bound=Hashable)
RRF_K = 60  # reciprocal rank fusion's constant: a document ranked r contributes 1 / (RRF_K + r)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[K]], k: int = RRF_K) -> dict[K, float]:
    """RRF: each ranking contributes 1/(k + rank); robust to the two scores' different scales."""
    fused: dict[K, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


def best_fused_score(n_rankings: int, k: int = RRF_K) -> float:
    """The fused score of a document ranked first in every ranking: divides scores onto 0-1."""
    return n_rankings / (k + 1.0)
