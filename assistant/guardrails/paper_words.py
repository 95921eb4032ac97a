"""Which of a professor's papers contain each word, and how much of each paper's distinctive vocabulary a text
uses: the index `focus.py` finds the paper a sentence describes with, built once per professor."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from assistant.guardrails.vocabulary import norm, plural_variants
from assistant.text import content_words, stem

DESCRIBED_MIN_SCORE = 4.0  # idf-weighted overlap the best-described paper needs...
DESCRIBED_SHARE = 0.35  # ...with the runner-up below this share of it


class PaperWords:
    """Which of a professor's papers contain each word: one lookup per word instead of a scan of every text."""

    def __init__(self, texts: tuple[tuple[str, str], ...]) -> None:  # (paper id, normalised title + abstract)
        self.texts = dict(texts)
        words: dict[str, set[str]] = defaultdict(set)
        stems: dict[str, set[str]] = defaultdict(set)
        for pid, text in texts:
            for w in set(text.split()):
                words[w].add(pid)
                stems[stem(w)].add(pid)
        self.words, self.stems = dict(words), dict(stems)

    def paper_stems(self, pid: str) -> frozenset[str]:
        return _stems_of(self.texts[pid])

    def papers_with(self, term: str) -> set[str]:
        """Papers whose text holds `term` as whole words (a plural s tolerated)."""
        n = norm(term)
        if not n:
            return set()
        first, *rest = n.split()
        found = set().union(*(self.words.get(v, set()) for v in plural_variants(first)))
        if not rest:
            return found
        variants = plural_variants(n)
        return {p for p in found if any(f" {v} " in f" {self.texts[p]} " for v in variants)}

    def description_scores(
        self, text: str, ids: Iterable[str], ignore: frozenset[str] = frozenset()
    ) -> dict[str, float]:
        """How much of each paper's distinctive (idf-weighted) vocabulary `text` uses."""
        wanted = set(ids)
        scores = dict.fromkeys(wanted, 0.0)
        n = len(wanted)
        for w in {stem(w) for w in content_words(norm(text))} - ignore:
            having = self.stems.get(w, set()) & wanted
            for pid in having:
                scores[pid] += math.log(1 + n / len(having))
        return scores


@lru_cache(maxsize=16384)
def _stems_of(norm_text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in norm_text.split())


@lru_cache(maxsize=64)  # a professor's index, kept while the same professor's emails are checked
def paper_words(texts: tuple[tuple[str, str], ...]) -> PaperWords:
    return PaperWords(texts)


def clearly_described(scores: dict[str, float], min_score: float = DESCRIBED_MIN_SCORE) -> str | None:
    """The paper a text clearly describes: the best score is high enough and well above the runner-up."""
    if len(scores) < 2:
        return None
    best = max(scores, key=lambda i: (scores[i], i))
    runner_up = max(v for i, v in scores.items() if i != best)
    return best if scores[best] >= min_score and runner_up < DESCRIBED_SHARE * scores[best] else None
