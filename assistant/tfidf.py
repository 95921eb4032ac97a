"""TF-IDF cosine for match scores (bounded, so comparable across queries), stored term by term so it can be
saved beside the catalog and memory-mapped by the next command instead of rebuilt.

Sublinear TF-IDF (weight (1 + ln tf) * idf, idf = ln((1 + N) / (1 + df)) + 1), each document L2-normalised;
terms are `keywords.tokenize`'s. The sparse matrix is kept by column (CSC): a query reads only the postings of
its own terms.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.text import tokenize

if TYPE_CHECKING:
    from numpy.typing import NDArray

_FILES = ("idf", "indptr", "rows", "weights")
MEMO_ENTRIES = 4096


class TfIdf:
    """Cosine(query, document) in [0, 1] for every document at once."""

    def __init__(
        self,
        terms: Sequence[str],
        idf: NDArray[np.float64],
        indptr: NDArray[np.int64],
        rows: NDArray[np.int32],
        weights: NDArray[np.float32],
        n_docs: int,
    ) -> None:
        self.terms = terms  # sorted, so a term's column is found by bisection
        self.idf = idf
        self.indptr, self.rows, self.weights = indptr, rows, weights
        self.n_docs = n_docs
        # Matching and every draft of a batch score the same CV items again and again; bounded, read-only results.
        self._memo: dict[str, NDArray[np.float32]] = {}

    # ------------------------------------------------------------ building, saving, loading

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> TfIdf:
        return cls.from_term_lists(tokenize(t) for t in texts)

    @classmethod
    def from_term_lists(cls, documents: Iterable[Sequence[str]]) -> TfIdf:
        """From each document's terms (in any order, repeats counted)."""
        column: dict[str, int] = {}
        docs: list[int] = []
        cols: list[int] = []
        freqs: list[int] = []
        n_docs = 0
        for doc, terms in enumerate(documents):
            n_docs = doc + 1
            for term, f in Counter(terms).items():
                docs.append(doc)
                cols.append(column.setdefault(term, len(column)))
                freqs.append(f)
        terms = sorted(column)
        renumber = np.empty(len(column), dtype=np.int64)
        renumber[[column[t] for t in terms]] = np.arange(len(terms))
        doc_a = np.array(docs, dtype=np.int32)
        col_a = renumber[np.array(cols, dtype=np.int64)] if cols else np.zeros(0, dtype=np.int64)
        df = np.bincount(col_a, minlength=len(terms))
        idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        weight = (1 + np.log(np.array(freqs, dtype=np.float64))) * idf[col_a]
        norm = np.sqrt(np.bincount(doc_a, weights=weight * weight, minlength=n_docs))
        weight = weight / np.where(norm > 0, norm, 1.0)[doc_a]
        order = np.lexsort((doc_a, col_a))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(terms, idf, indptr, doc_a[order], weight[order].astype(np.float32), n_docs)

    def save(self, directory: Path) -> None:
        (directory / "tfidf_terms.txt").write_text("\n".join(self.terms))
        for name in _FILES:
            np.save(directory / f"tfidf_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, directory: Path, n_docs: int) -> TfIdf:
        text = (directory / "tfidf_terms.txt").read_text()
        arrays = {name: np.load(directory / f"tfidf_{name}.npy", mmap_mode="r") for name in _FILES}
        return cls(text.split("\n") if text else [], n_docs=n_docs, **arrays)

    # ------------------------------------------------------------ reading

    def column(self, term: str) -> int | None:
        i = bisect.bisect_left(self.terms, term)
        return i if i < len(self.terms) and self.terms[i] == term else None

    def postings(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The documents containing `term` and its normalised weight in each."""
        col = self.column(term)
        if col is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        start, end = int(self.indptr[col]), int(self.indptr[col + 1])
        return self.rows[start:end], self.weights[start:end]

    def query_vector(self, text: str) -> dict[str, float]:
        weights = {}
        for term, f in Counter(tokenize(text)).items():
            col = self.column(term)
            if col is not None:
                weights[term] = (1 + math.log(f)) * float(self.idf[col])
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def cosine(self, text: str) -> NDArray[np.float32]:
        """Read-only: the array may be shared with other callers."""
        found = self._memo.get(text)
        if found is not None:
            return found
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term, qw in self.query_vector(text).items():
            docs, weights = self.postings(term)
            out[docs] += qw * weights
        out.setflags(write=False)
        if len(self._memo) < MEMO_ENTRIES:
            self._memo[text] = out
        return out

    def shared_terms(self, text: str, document: str, limit: int = 5) -> list[str]:
        """The highest-IDF terms a query and a document's text share: shown as keyword evidence."""
        shared = set(tokenize(text)) & set(tokenize(document))

        def idf(term: str) -> float:
            col = self.column(term)
            return float(self.idf[col]) if col is not None else 0.0

        return sorted(shared, key=lambda t: (-idf(t), t))[:limit]
