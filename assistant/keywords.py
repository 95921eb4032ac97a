"""Keyword relevance: BM25 for search ranking (local Chroma has no sparse search) and TF-IDF cosine for
match scores (bounded, so comparable across queries)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

# The search tokenizer lives in text.py; these two stay importable from here (benchmarks/goldstandard_explore.py).
from assistant.text import SEARCH_STOPWORDS as STOPWORDS  # noqa: F401
from assistant.text import stem as _stem  # noqa: F401
from assistant.text import tokenize


class BM25:
    """Okapi BM25 over a fixed list of documents; scores come back as a NumPy vector."""

    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.doc_terms = [Counter(tokenize(d)) for d in documents]
        self.doc_len = np.array([sum(t.values()) for t in self.doc_terms], dtype=np.float32)
        self.avg_len = float(self.doc_len.mean()) if len(documents) else 0.0
        df: Counter[str] = Counter()
        for terms in self.doc_terms:
            df.update(terms.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # Postings make a query cost proportional to the documents that contain its terms (NumPy, not loops).
        lists: dict[str, tuple[list[int], list[int]]] = {}
        for i, terms in enumerate(self.doc_terms):
            for t, f in terms.items():
                docs, freqs = lists.setdefault(t, ([], []))
                docs.append(i)
                freqs.append(f)
        self.postings = {
            t: (np.array(d, dtype=np.int32), np.array(f, dtype=np.float32)) for t, (d, f) in lists.items()
        }
        self._norm = self.k1 * (1 - self.b + self.b * self.doc_len / max(self.avg_len, 1e-9))

    def __len__(self) -> int:
        return len(self.doc_terms)

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(len(self.doc_terms), dtype=np.float32)
        if not self.doc_terms:
            return out
        for term in set(tokenize(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            docs, freqs = self.postings[term]
            out[docs] += idf * freqs * (self.k1 + 1) / (freqs + self._norm[docs])
        return out


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """RRF: each ranking contributes 1/(k + rank); robust to the two scores' different scales."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


class TfIdf:
    """Sublinear TF-IDF vectors, L2-normalised: cosine(query, doc) in [0, 1] for every document at once."""

    def __init__(self, documents: Sequence[str]) -> None:
        doc_terms = [Counter(tokenize(d)) for d in documents]
        n = len(documents)
        df: Counter[str] = Counter()
        for terms in doc_terms:
            df.update(terms.keys())
        self.n_docs = n
        self.doc_sets = [frozenset(terms) for terms in doc_terms]
        self.idf = {t: math.log((1 + n) / (1 + f)) + 1.0 for t, f in df.items()}
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for i, terms in enumerate(doc_terms):
            weights = {t: (1 + math.log(f)) * self.idf[t] for t, f in terms.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                docs, values = lists.setdefault(t, ([], []))
                docs.append(i)
                values.append(w / norm)
        self.postings = {
            t: (np.array(d, dtype=np.int32), np.array(v, dtype=np.float32)) for t, (d, v) in lists.items()
        }
        # Matching and every draft of a batch score the same CV items again and again; bounded, read-only results.
        self._memo: dict[str, np.ndarray] = {}

    def query_vector(self, text: str) -> dict[str, float]:
        terms = Counter(tokenize(text))
        weights = {t: (1 + math.log(f)) * self.idf[t] for t, f in terms.items() if t in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def cosine(self, text: str) -> np.ndarray:
        """Read-only: the array may be shared with other callers."""
        found = self._memo.get(text)
        if found is not None:
            return found
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term, qw in self.query_vector(text).items():
            docs, weights = self.postings[term]
            out[docs] += qw * weights
        out.setflags(write=False)
        if len(self._memo) < 4096:
            self._memo[text] = out
        return out

    def shared_terms(self, text: str, doc: int, limit: int = 5) -> list[str]:
        """The highest-IDF terms a query and document number `doc` share: shown as keyword evidence."""
        shared = set(tokenize(text)) & self.doc_sets[doc]
        return sorted(shared, key=lambda t: (-self.idf.get(t, 0.0), t))[:limit]
