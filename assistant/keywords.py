"""Keyword terms (the one tokenizer behind search's FTS5 index, match's TF-IDF and ask's IDF) and the fusion of
keyword and vector rankings (local Chroma has no sparse search, so we fuse ourselves)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

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
