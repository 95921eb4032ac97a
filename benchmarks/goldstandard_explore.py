"""Exploratory variants of the match score on the gold standard, from cached embeddings (README table).

`goldstandard.py` scores through the real store and `rank_professors`; this script embeds each distinct text
once and recomputes the same formula with NumPy, so alternatives that need other vectors (windows over long
abstracts, shorter truncation, other pooling) or other feedback can be compared quickly. Its `default` row
reproduces `goldstandard.py`'s default loss; every other row changes one thing.

    python benchmarks/goldstandard_explore.py [--data ../shared/data/goldstandard]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

import numpy as np
from goldstandard import DEFAULT_DATA, load_ratings, loss, participants
from tokenizers import Tokenizer

from assistant import tfidf
from assistant.embeddings import MINILM_MAX_TOKENS, TOKENIZER_PATH, MiniLMEmbedder
from assistant.ids import normalize_text
from assistant.match import ItemSet, MatchConfig, expand_queries, pair_scores
from assistant.tfidf import TfIdf

CFG = MatchConfig()
Vectors = dict[str, np.ndarray]


@dataclass
class GoldSet:
    sids: list[str]
    stexts: list[str]
    ptexts: list[str]
    ptitles: list[str | None]
    stitles: list[str | None]
    owners: np.ndarray
    profs: list[str]
    keyword: np.ndarray = field(default_factory=lambda: np.zeros(0))  # TF-IDF cosine (submissions, papers)
    doc_terms: np.ndarray = field(default_factory=lambda: np.zeros(0))  # TF-IDF rows of the papers
    query_terms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    keyword_bigrams: np.ndarray = field(default_factory=lambda: np.zeros(0))  # TF-IDF over words and word pairs


def with_bigrams(text: str) -> list[str]:
    """text.tokenize plus every pair of adjacent kept words ("graph neural", "neural network")."""
    kept = [
        text.stem(w) if w not in text.SEARCH_STOPWORDS and len(w) > 1 else None for w in normalize_text(text).split()
    ]
    return [w for w in kept if w] + [f"{a}_{b}" for a, b in pairwise(kept) if a and b]


def bigram_keyword(st: GoldSet) -> np.ndarray:
    original = tfidf.tokenize
    tfidf.tokenize = with_bigrams  # tfidf.py looks its tokenizer up at call time, for documents and queries
    try:
        bigrams = TfIdf.from_texts(st.ptexts)
        return np.stack([bigrams.cosine(text) for text in st.stexts])
    finally:
        tfidf.tokenize = original


def load_sets(data: Path) -> list[GoldSet]:
    sets = []
    for x in range(1, 11):
        d = data / f"d_20_{x}"
        subs = json.loads((d / "submissions.json").read_text())
        papers = [(p.id, paper) for p in participants(d) for paper in p.papers]
        sids = list(subs)
        st = GoldSet(
            sids=sids,
            stexts=[
                ". ".join(t for t in (subs[s]["content"].get("title"), subs[s]["content"].get("abstract")) if t)
                for s in sids
            ],
            ptexts=[paper.embedding_text() for _, paper in papers],
            ptitles=[paper.title for _, paper in papers],
            stitles=[subs[s]["content"].get("title") for s in sids],
            owners=np.array([pid for pid, _ in papers]),
            profs=sorted({pid for pid, _ in papers}),
        )
        terms = TfIdf.from_texts(st.ptexts)
        vocab = {t: i for i, t in enumerate(terms.terms)}
        st.doc_terms = np.zeros((len(st.ptexts), len(vocab)), dtype=np.float32)
        for term in terms.terms:
            docs, weights = terms.postings(term)
            st.doc_terms[docs, vocab[term]] = weights
        st.query_terms = np.zeros((len(sids), len(vocab)), dtype=np.float32)
        for i, text in enumerate(st.stexts):
            for term, w in terms.query_vector(text).items():
                st.query_terms[i, vocab[term]] = w
        st.keyword = st.query_terms @ st.doc_terms.T
        st.keyword_bigrams = bigram_keyword(st)
        sets.append(st)
    return sets


# ---------------------------------------------------------------- vectors


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def token_states(emb: MiniLMEmbedder, texts: list[str], max_tokens: int) -> list[tuple[list[int], np.ndarray]]:
    """Each text's token ids and MiniLM's last hidden states, truncated at `max_tokens`."""
    emb.tokenizer.enable_truncation(max_length=max_tokens)
    out: list[tuple[list[int], np.ndarray]] = [([], np.zeros(0))] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), 16):
        idx = order[start : start + 16]
        enc = emb.tokenizer.encode_batch([texts[i] for i in idx])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in emb._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = emb.session.run(None, feeds)[0]
        for row, i in enumerate(idx):
            n = int(mask[row].sum())
            out[i] = (list(ids[row, :n]), hidden[row, :n])
    emb.tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
    return out


def pooled(states: list[tuple[list[int], np.ndarray]], weight: Callable[[int], float]) -> np.ndarray:
    rows = []
    for ids, hidden in states:
        w = np.array([weight(t) for t in ids], dtype=np.float32)[:, None]
        rows.append((hidden * w).sum(axis=0) / w.sum())
    return unit(np.stack(rows))


def windows(tokenizer: Tokenizer, text: str, title: str | None, limit: int = MINILM_MAX_TOKENS - 2) -> list[str]:
    """A long text cut into equal windows the model reads whole (optionally each led by the title)."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    n = len(enc.ids)
    if n <= limit:
        return [text]
    k = math.ceil(n / limit)
    size = math.ceil(n / k)
    out = []
    for w in range(k):
        start, end = enc.offsets[w * size][0], enc.offsets[min((w + 1) * size, n) - 1][1]
        out.append((f"{title}. " if title and w else "") + text[start:end])
    return out


def build_vectors(sets: list[GoldSet]) -> dict[str, Vectors]:
    emb = MiniLMEmbedder(batch_size=32)
    texts = sorted({t for st in sets for t in st.ptexts + st.stexts})
    titles = {t: ti for st in sets for t, ti in zip(st.ptexts + st.stexts, st.ptitles + st.stitles, strict=True)}
    variants: dict[str, Vectors] = {}
    states = token_states(emb, texts, MINILM_MAX_TOKENS)
    variants["full"] = dict(zip(texts, pooled(states, lambda _: 1.0), strict=True))
    counts: Counter[int] = Counter()
    df: Counter[int] = Counter()
    for ids, _ in states:
        counts.update(ids)
        df.update(set(ids))
    total, n = sum(counts.values()), len(texts)
    variants["idf pooling"] = dict(
        zip(texts, pooled(states, lambda t: math.log((n + 1) / (df[t] + 1)) + 1), strict=True)
    )
    variants["sif pooling"] = dict(zip(texts, pooled(states, lambda t: 1e-3 / (1e-3 + counts[t] / total)), strict=True))
    for limit in (128, 192):
        variants[f"truncate {limit}"] = dict(
            zip(texts, pooled(token_states(emb, texts, limit), lambda _: 1.0), strict=True)
        )
    untruncated = Tokenizer.from_file(str(TOKENIZER_PATH))
    untruncated.no_truncation()
    for name, use_title in (("windows", False), ("windows + title", True)):
        chunks = {t: windows(untruncated, t, titles[t] if use_title else None) for t in texts}
        flat = sorted({c for cs in chunks.values() for c in cs})
        vecs = dict(zip(flat, emb.embed(flat), strict=True))
        variants[name] = {t: unit(np.mean([vecs[c] for c in cs], axis=0)) for t, cs in chunks.items()}
    return variants


# ---------------------------------------------------------------- the formula


def hybrid(sem: np.ndarray, kw: np.ndarray, cfg: MatchConfig = CFG) -> np.ndarray:
    """match.pair_scores over every paper: the formula `outreach match` uses."""
    return pair_scores(ItemSet([], sem, kw), np.arange(sem.shape[1]), cfg)


@dataclass
class Inputs:
    st: GoldSet
    P: np.ndarray
    Q: np.ndarray

    def feedback(self, P: np.ndarray | None = None, first: np.ndarray | None = None) -> np.ndarray:
        P = self.P if P is None else P
        first = self.Q @ self.P.T if first is None else first
        return expand_queries(self.Q, self.P, CFG.feedback_weight, CFG.feedback_papers, sims=first) @ P.T


def evaluate(sets: list[GoldSet], vectors: Vectors, refs: dict, fn: Callable[[Inputs], np.ndarray]) -> list[float]:
    losses = []
    for st in sets:
        inp = Inputs(st, np.stack([vectors[t] for t in st.ptexts]), np.stack([vectors[t] for t in st.stexts]))
        pairs = fn(inp)
        preds = {}
        for pid in st.profs:
            cols = np.where(st.owners == pid)[0]
            top = np.sort(pairs[:, cols], axis=1)[:, ::-1][:, : CFG.top_k].mean(axis=1)
            preds[pid] = dict(zip(st.sids, map(float, top), strict=True))
        losses.append(loss(preds, refs, set(st.sids)))
    return losses


def keyword_rocchio(beta: float, m: int) -> Callable[[Inputs], np.ndarray]:
    def fn(x: Inputs) -> np.ndarray:
        st = x.st
        q = expand_queries(st.query_terms, st.doc_terms, beta, m, sims=x.Q @ x.P.T)
        return hybrid(x.feedback(), q @ st.doc_terms.T)

    return fn


def centred(dims: int) -> Callable[[Inputs], np.ndarray]:
    """All-but-the-top (Mu & Viswanath 2018): remove the store's mean vector and its top principal directions."""

    def fn(x: Inputs) -> np.ndarray:
        mu = x.P.mean(axis=0)
        P0, Q0 = x.P - mu, x.Q - mu
        if dims:
            top = np.linalg.svd(P0, full_matrices=False)[2][:dims]
            P0, Q0 = P0 - P0 @ top.T @ top, Q0 - Q0 @ top.T @ top
        return hybrid(Inputs(x.st, unit(P0), unit(Q0)).feedback(), x.st.keyword)

    return fn


def cluster_smoothed(gamma: float) -> Callable[[Inputs], np.ndarray]:
    """Each paper nudged toward the centroid of its author's papers (cluster-based document smoothing)."""

    def fn(x: Inputs) -> np.ndarray:
        P = x.P.copy()
        for pid in x.st.profs:
            rows = np.where(x.st.owners == pid)[0]
            P[rows] += gamma * x.P[rows].mean(axis=0)
        return hybrid(x.feedback(unit(P)), x.st.keyword)

    return fn


def bigram_hybrid(x: Inputs, ceiling: float) -> np.ndarray:
    return hybrid(x.feedback(), x.st.keyword_bigrams, replace(CFG, kw_ceiling=ceiling))


def symmetric_feedback(x: Inputs) -> np.ndarray:
    """Papers expanded like the CV items (same 0.2 x 20), each with its nearest other papers."""
    sims = x.P @ x.P.T
    np.fill_diagonal(sims, -np.inf)
    P = expand_queries(x.P, x.P, CFG.feedback_weight, CFG.feedback_papers, sims=sims)
    return hybrid(x.feedback(P), x.st.keyword)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    start = time.perf_counter()
    refs = load_ratings(args.data)
    sets = load_sets(args.data)
    vectors = build_vectors(sets)
    print(f"embedded {len(vectors['full'])} distinct texts in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    full = vectors["full"]

    def default(x: Inputs) -> np.ndarray:
        return hybrid(x.feedback(), x.st.keyword)

    rows: list[tuple[str, Vectors, Callable[[Inputs], np.ndarray]]] = [
        ("default (goldstandard.py)", full, default),
        ("no feedback", full, lambda x: hybrid(x.Q @ x.P.T, x.st.keyword)),
        (
            "feedback neighbours from the hybrid first pass",
            full,
            lambda x: hybrid(x.feedback(first=hybrid(x.Q @ x.P.T, x.st.keyword)), x.st.keyword),
        ),
        ("feedback on the papers too (same 0.2 x 20)", full, symmetric_feedback),
    ]
    rows += [
        (f"keyword Rocchio too ({b} x {m})", full, keyword_rocchio(b, m)) for b in (0.2, 0.5, 1.0) for m in (10, 20)
    ]
    rows += [(f"papers smoothed toward their author ({g})", full, cluster_smoothed(g)) for g in (0.1, 0.3, 0.5)]
    rows += [(f"centred, top {d} directions removed", full, centred(d)) for d in (0, 1, 3)]
    rows += [
        (f"TF-IDF with word bigrams (keyword ceiling {c})", full, lambda x, c=c: bigram_hybrid(x, c))
        for c in (0.3, 0.4)
    ]
    rows += [
        (name, vectors[name], default)
        for name in ("windows", "windows + title", "truncate 128", "truncate 192", "idf pooling", "sif pooling")
    ]
    print(f"{'variant':52} {'mean loss':>9} {'min':>7} {'max':>7}")
    for name, vecs, fn in rows:
        losses = evaluate(sets, vecs, refs, fn)
        print(f"{name:52} {statistics.mean(losses):9.4f} {min(losses):7.4f} {max(losses):7.4f}", flush=True)
    print(f"runtime {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
