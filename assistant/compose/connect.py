"""How strongly each of the student's research items matches each cited paper: the pair score of `outreach
match` (assistant.match.pair_scores), as `draft.select_sources` computes it, without the feedback expansion
(in a small store feedback pulls every short item toward the store's centroid: in the sample store a speech
CV's publication scores 0.62 against an LLM-optimisation paper with it, 0.54 without).

A paper is said to relate to a CV item only when their pair score is at least CONNECTION_THRESHOLD; below it
the email says what the student wants to learn from the paper instead. The threshold was measured on the
reviewer-paper expertise gold standard (benchmarks/connection_threshold.py, README "Offline drafts"): the lowest
score at or above which pairs the researcher rated 1-2 (no or little expertise) are at most half as common as
among all rated pairs (13.0% of 954; 5.3% of the 113 pairs at or above 0.75).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from assistant.match import ItemSet, MatchConfig, build_item_set, pair_scores
from assistant.seams import IndexReader
from assistant.types import CVItem, Paper

CONNECTION_THRESHOLD = 0.75
ITEM_SETS_KEPT = 4  # CVs whose item sets an index keeps: a batch has one, a web session one at a time


def strengths(
    items: Sequence[CVItem], papers: Sequence[Paper], professor_id: str, index: IndexReader
) -> NDArray[np.float32]:
    """(items, papers) pair scores; a paper missing from the index scores 0 with every item."""
    out = np.zeros((len(items), len(papers)), dtype=np.float32)
    if not items or not papers:
        return out
    cfg = MatchConfig(feedback_weight=0.0)
    snap = index.snapshot()
    row_of = {snap.papers[r].id: r for r in snap.rows_of.get(professor_id, [])}
    columns = [j for j, p in enumerate(papers) if p.id in row_of]
    if not columns:
        return out
    item_set = shared_item_set(items, index)
    rows = np.array([row_of[papers[j].id] for j in columns], dtype=int)
    out[:, columns] = pair_scores(item_set, rows, cfg)
    return out


def shared_item_set(items: Sequence[CVItem], index: IndexReader) -> ItemSet:
    """`build_item_set(items, index)`, built once per CV for as long as the store holds (the index's derived data
    is dropped when the catalog changes): every draft scores the CV's items against the whole store twice
    (retrieval and these strengths), 14 ms each, and the drafts of a batch share one CV."""
    return index.derived("cv_item_sets", ItemSets).get(items, index)


class ItemSets:
    """The item sets of the last few CVs against one version of the store."""

    def __init__(self) -> None:
        self._sets: OrderedDict[tuple[str, ...], ItemSet] = OrderedDict()
        self._lock = threading.Lock()  # a batch's workers ask at once: the first builds it, the others wait

    def get(self, items: Sequence[CVItem], index: IndexReader) -> ItemSet:
        key = tuple(i.model_dump_json() for i in items)
        with self._lock:
            if key not in self._sets:
                self._sets[key] = build_item_set(items, index)
            self._sets.move_to_end(key)
            while len(self._sets) > ITEM_SETS_KEPT:
                self._sets.popitem(last=False)
            return self._sets[key]
