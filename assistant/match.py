"""Professor fit: a 0-100 score a person can check, with the papers and CV items that produced it.

The formula (also in the README):
  item'_i     = normalise(item_i + fb * mean of the fb_m papers in the store nearest to item_i)
  pair(i, j)  = (1 - kw) * sem01(cos(item'_i, paper_j)) + kw * kw01(tfidf_cos(item_i, paper_j))
  fit over a set of items = mean of the `top_k` best papers' max_i pair(i, j)
  topic       = fit over the research items (interests, publications, projects/experience)
  method      = fit over the skills/methods items (0 weight when the CV lists none)
  recency     = similarity-weighted mean of 0.5 ** ((ref_year - year) / half_life) over the 5 best papers
  score       = 100 * ((1 - mw) * topic + mw * method) * (1 - rw + rw * recency)
ref_year is the newest year in the store, so the same store and CV always give the same scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.embeddings_memo import remembered
from assistant.errors import InputError
from assistant.index import PaperIndex
from assistant.seams import IndexReader
from assistant.settings import Settings
from assistant.tfidf import TfIdf
from assistant.types import Coverage, CVItem, Evidence, Fit, MatchComponents, MatchResult, Paper, StudentProfile

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True)
class MatchConfig:
    top_k: int = 3  # aggregation: mean of the best k papers (1 = max)
    keyword_weight: float = 0.3
    method_weight: float = 0.25
    recency_weight: float = 0.15
    half_life_years: float = 4.0
    # MiniLM cosines between related research texts mostly fall in 0.1-0.7; map that span onto 0-1.
    sem_floor: float = 0.1
    sem_ceiling: float = 0.7
    kw_ceiling: float = 0.4
    # Pseudo-relevance feedback (Rocchio): a short CV item is nudged toward the papers nearest to it, so it also
    # matches papers that say the same thing in other words. Weight 0 turns it off.
    feedback_weight: float = 0.2
    feedback_papers: int = 20


def _scale(x: NDArray[np.float32], lo: float, hi: float) -> NDArray[np.float32]:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


@dataclass
class ItemSet:
    """CV items with their vectors and keyword scores against every paper in the snapshot."""

    items: list[CVItem]
    semantic: NDArray[np.float32]  # (items, all papers)
    keyword: NDArray[np.float32]  # (items, all papers)
    # pair_scores against every paper, per config: ranking thousands of professors slices it instead of rescaling
    _pairs: dict[MatchConfig, NDArray[np.float32]] = field(default_factory=dict, repr=False, compare=False)


def build_item_set(
    items: Sequence[CVItem], index: IndexReader, *, feedback_weight: float = 0.0, feedback_papers: int = 20
) -> ItemSet:
    """Items against every paper in the store; with `feedback_weight`, the items' vectors are expanded first
    (see MatchConfig). Keyword scores always use the item's own words."""
    snap = index.snapshot()
    texts = [i.text for i in items]
    if not texts or not len(snap):
        empty = np.zeros((len(texts), len(snap)), dtype=np.float32)
        return ItemSet(list(items), empty, empty.copy())
    # A CV's items are scored at every match and draft with it: their vectors are saved once embedded, and when
    # they all are the model is never waited for (it loads in a thread meanwhile: embeddings.preload).
    if snap.vector_memo is None:
        vecs = index.embedder.embed(texts)
    else:
        vecs = remembered(texts, snap.vector_memo, snap.matrix.shape[1], lambda todo: index.embedder.embed(todo))
    if feedback_weight > 0:
        vecs = expand_queries(vecs, snap.matrix, feedback_weight, feedback_papers)
    semantic = (vecs @ snap.matrix.T).astype(np.float32)
    keyword = np.stack([snap.tfidf.cosine(t) for t in texts])
    return ItemSet(list(items), semantic, keyword)


def expand_queries(
    vecs: NDArray[np.float32],
    matrix: NDArray[np.float32],
    weight: float,
    m: int,
    sims: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """Rocchio feedback: each (unit) vector plus `weight` times the mean of its `m` nearest rows, renormalised.
    Nearest by cosine, or by `sims` (rows x matrix rows) when another first-pass score picks the neighbours."""
    m = min(m, len(matrix))
    sims = vecs @ matrix.T if sims is None else sims
    nearest = np.argpartition(-sims, m - 1, axis=1)[:, :m]
    expanded = vecs + weight * matrix[nearest].mean(axis=1)
    return (expanded / np.linalg.norm(expanded, axis=1, keepdims=True)).astype(np.float32)


def pair_scores(items: ItemSet, rows: NDArray[np.int_], cfg: MatchConfig) -> NDArray[np.float32]:
    """pair(i, j) for every item and the papers in `rows` (read-only: a slice of a shared array)."""
    full = items._pairs.get(cfg)
    if full is None:
        sem = _scale(items.semantic, cfg.sem_floor, cfg.sem_ceiling)
        kw = _scale(items.keyword, 0.0, cfg.kw_ceiling)
        full = items._pairs[cfg] = ((1 - cfg.keyword_weight) * sem + cfg.keyword_weight * kw).astype(np.float32)
    return full[:, rows]


def aggregate(best_per_paper: NDArray[np.float32], top_k: int) -> float:
    if not len(best_per_paper):
        return 0.0
    k = min(top_k, len(best_per_paper))
    return float(np.sort(best_per_paper)[::-1][:k].mean())


RECENCY_PAPERS = 5


def recency(
    years: Sequence[int] | NDArray[np.int32], best: NDArray[np.float32], ref_year: int, cfg: MatchConfig
) -> float:
    """`years[j]` is paper j's year, 0 (or None) when unknown."""
    order = np.argsort(-best, kind="stable")[:RECENCY_PAPERS]
    weights, values = [], []
    for j in order:
        year = int(years[j] or 0)
        values.append(0.5 ** (max(0, ref_year - year) / cfg.half_life_years) if year else 0.5)
        weights.append(max(float(best[j]), 1e-6))
    return float(np.average(values, weights=weights)) if values else 0.0


# What a score means, measured against the gold standard's self-rated expertise (benchmarks/fit_labels.py; README
# "What the score means"): from FIT_STRONG_FROM most pairs are rated 4 or more of 5; below FIT_MODERATE_FROM a
# rating of 2 or less is as likely as one of 4 or more.
FIT_MODERATE_FROM = 30.0
FIT_STRONG_FROM = 45.0


def fit_label(score: float) -> Fit:
    if score >= FIT_STRONG_FROM:
        return "strong"
    return "moderate" if score >= FIT_MODERATE_FROM else "weak"


def abstract_coverage(n: int, with_abstract: int) -> tuple[Coverage, str | None]:
    """From how many papers a professor has and how many of them have abstracts."""
    share = with_abstract / n if n else 0.0
    note = f"{with_abstract} of {n} papers have abstracts"
    if n < 3:
        return "low", f"only {n} paper(s) indexed"
    if share >= 0.6:
        return "high", None
    return ("medium", note) if share >= 0.3 else ("low", note)


def score_professor(
    professor_id: str,
    name: str,
    index: IndexReader,
    research: ItemSet,
    methods: ItemSet,
    ref_year: int,
    cfg: MatchConfig,
    *,
    with_evidence: bool = True,
) -> MatchResult:
    """One professor's score; `with_evidence=False` skips reading their papers (ranking many, showing few)."""
    snap = index.snapshot()
    span = snap.rows_of.get(professor_id, range(0))
    rows = np.arange(span.start, span.stop)
    if not len(rows):
        return MatchResult(
            professor_id=professor_id,
            name=name,
            score=0.0,
            fit=fit_label(0.0),
            components=MatchComponents(topic=0, method=0, recency=0),
            abstract_coverage="low",
            abstract_coverage_note="no papers indexed",
        )
    pairs = pair_scores(research, rows, cfg)
    best = pairs.max(axis=0)
    topic = aggregate(best, cfg.top_k)
    method_w = cfg.method_weight if methods.items else 0.0
    method = aggregate(pair_scores(methods, rows, cfg).max(axis=0), cfg.top_k) if methods.items else 0.0
    rec = recency(snap.years[rows], best, ref_year, cfg)
    score = 100 * ((1 - method_w) * topic + method_w * method) * (1 - cfg.recency_weight + cfg.recency_weight * rec)
    coverage, note = abstract_coverage(len(rows), int(snap.has_abstract[rows].sum()))
    papers = snap.papers.of(professor_id) if with_evidence else []
    return MatchResult(
        professor_id=professor_id,
        name=name,
        score=round(score, 3),
        fit=fit_label(score),
        components=MatchComponents(topic=round(topic, 3), method=round(method, 3), recency=round(rec, 3)),
        abstract_coverage=coverage,
        abstract_coverage_note=note,
        evidence=_evidence(research, rows, pairs, papers, snap.tfidf) if with_evidence else [],
    )


def _evidence(
    items: ItemSet, rows: NDArray[np.int_], pairs: NDArray[np.float32], papers: Sequence[Paper], tfidf: TfIdf
) -> list[Evidence]:
    best_item = pairs.argmax(axis=0)
    best = pairs.max(axis=0)
    out = []
    for j in np.argsort(-best, kind="stable")[:3]:
        i = int(best_item[j])
        item, paper = items.items[i], papers[j]
        out.append(
            Evidence(
                paper_id=paper.id,
                title=paper.label(),
                cv_item=item.text,
                similarity=round(float(best[j]), 3),
                semantic=round(float(items.semantic[i, rows[j]]), 3),
                keyword=round(float(items.keyword[i, rows[j]]), 3),
                shared_terms=tfidf.shared_terms(item.text, paper.embedding_text()),
            )
        )
    return out


def reference_year(index: IndexReader) -> int:
    years = index.snapshot().years
    newest = int(years.max()) if len(years) else 0
    return newest or 2000


def rank_professors(
    student: StudentProfile,
    settings: Settings,
    *,
    professor_ids: Sequence[str] | None = None,
    top: int | None = None,
    cfg: MatchConfig | None = None,
    index: IndexReader | None = None,
) -> list[MatchResult]:
    """Score every (or the named) professor against the student's research items; best first."""
    cfg = cfg or MatchConfig()
    index = index or PaperIndex(settings)
    research_items = student.research_items()
    if not research_items:
        raise InputError(
            "the CV has no research interests, publications or projects to match on; "
            "add a 'Research interests' section, or use `outreach match --text \"your interests\"`",
            path=student.source_path,
        )
    fb, fb_m = cfg.feedback_weight, cfg.feedback_papers
    research = build_item_set(research_items, index, feedback_weight=fb, feedback_papers=fb_m)
    methods = build_item_set(student.skills, index, feedback_weight=fb, feedback_papers=fb_m)
    ref_year = reference_year(index)
    names = {p.id: p.name for p in index.catalog.professors()}
    if professor_ids is not None:
        wanted = set(professor_ids)
        names = {pid: name for pid, name in names.items() if pid in wanted}

    def score(pid: str, with_evidence: bool) -> MatchResult:
        return score_professor(pid, names[pid], index, research, methods, ref_year, cfg, with_evidence=with_evidence)

    if not top:
        results = [score(pid, with_evidence=True) for pid in names]
        results.sort(key=lambda r: (-r.score, r.name))
        return results
    # Ranking thousands of professors one by one costs more than all the rest of a match: score them in whole
    # arrays, then build the full results (evidence reads each professor's papers) only for the ones shown.
    scores = ranking_scores(list(names), index, research, methods, ref_year, cfg)
    ranked = sorted(names, key=lambda pid: (-scores[pid], names[pid]))
    return [score(pid, with_evidence=True) for pid in ranked[:top]]


def ranking_scores(
    professor_ids: list[str], index: IndexReader, research: ItemSet, methods: ItemSet, ref_year: int, cfg: MatchConfig
) -> dict[str, float]:
    """Each professor's `score_professor(...).score`, by the same float operations in the same order, for
    all professors at once. A professor with fewer papers than the aggregations take goes through
    score_professor itself."""
    snap = index.snapshot()
    depth = max(cfg.top_k, RECENCY_PAPERS)
    spans = [snap.rows_of.get(pid, range(0)) for pid in professor_ids]
    bulk = [i for i, span in enumerate(spans) if len(span) >= depth]
    out = {}
    for i in sorted(set(range(len(spans))) - set(bulk)):
        pid = professor_ids[i]
        out[pid] = score_professor(pid, "", index, research, methods, ref_year, cfg, with_evidence=False).score
    if not bulk:
        return out
    rows = np.concatenate([np.arange(spans[i].start, spans[i].stop) for i in bulk])
    lengths = np.array([len(spans[i]) for i in bulk])
    best = pair_scores(research, rows, cfg).max(axis=0)
    top_rows, top_best = _segment_top(best, lengths, depth)
    topic = top_best[:, : cfg.top_k].mean(axis=1).astype(np.float64)
    method_w = cfg.method_weight if methods.items else 0.0
    method = np.zeros(len(bulk))
    if methods.items:
        method = _segment_top(pair_scores(methods, rows, cfg).max(axis=0), lengths, cfg.top_k)[1].mean(axis=1)
    years = snap.years[rows[top_rows[:, :RECENCY_PAPERS]]].astype(np.int64)
    values = np.where(years > 0, 0.5 ** (np.maximum(0, ref_year - years) / cfg.half_life_years), 0.5)
    weights = np.maximum(top_best[:, :RECENCY_PAPERS].astype(np.float64), 1e-6)
    rec = (values * weights).sum(axis=1) / weights.sum(axis=1)
    raw = 100 * ((1 - method_w) * topic + method_w * method.astype(np.float64))
    raw = raw * (1 - cfg.recency_weight + cfg.recency_weight * rec)
    out.update({professor_ids[i]: round(float(x), 3) for i, x in zip(bulk, raw, strict=True)})
    return out


def _segment_top(
    values: NDArray[np.float32], lengths: NDArray[np.int_], k: int
) -> tuple[NDArray[np.int_], NDArray[np.float32]]:
    """For consecutive segments of `values` (each at least k long): the positions and values of each segment's
    k largest, largest first, ties by position (as a stable argsort of -values within each segment)."""
    segment = np.repeat(np.arange(len(lengths)), lengths)
    order = np.lexsort((np.arange(len(values)), -values, segment))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    picked = order[(starts[:, None] + np.arange(k)[None, :])]
    return picked, values[picked]
