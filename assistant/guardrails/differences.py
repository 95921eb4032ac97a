"""Figures a paper gives together. The gap between two figures of one of its sentences ("96.2% for the CNN against
89.6% for the rule-based one" implies a 6.6-point gap, and a relative change): a faithful writer gives the gap
alone ("about 6.6 points above the rule-based method"); it is supported when the email says it is a gap (points,
a relative change, "above", "by") and the paper the sentence is about implies it. A list of figures ("2% and 3.9%
on the development and test sets" for "2.0% for the development and 3.9% for the test set") measures what the
words after it name, in order: respectively, or swapped when they come the other way round."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.guardrails.figures import Figure, bound_words, sentence_figures
from assistant.guardrails.quantities import Quantity, quantities, stated, stated_among
from assistant.text import sentence_spans

# Words after a figure that make it a gap or a change between two others, not a figure of its own.
_GAP_AFTER_RE = re.compile(
    r"\s*(?:%|percent|per\s+cent)?\s*(?:absolute\s+|relative\s+|percentage[-\s]+)?"
    r"(?:points?|pp|pts?|reduction|improvement|gain|increase|decrease|drop|fewer|less|more|higher|lower|better|"
    r"worse|above|below|ahead|behind|over|relative)\b",
    re.IGNORECASE,
)
_GAP_BEFORE_RE = re.compile(
    r"\b(?:by|gap\s+of|margin\s+of|difference\s+of|gain\s+of)\s+(?:about|around|roughly|nearly|almost|some|over|~)?\s*$",
    re.I,
)


def _shape(q: Quantity, text: str) -> str:
    return "percent" if "%" in q.text or re.match(r"\s?(?:percent|per\s+cent)\b", text[q.end :]) else "number"


_TOTAL_RE = re.compile(
    r"\b(?:in\s+total|total|in\s+all|altogether|combined|together|overall|across|between\s+(?:them|the\s+two))\b",
    re.IGNORECASE,
)
TOTAL_WINDOW = 40  # characters either side of a figure where "in total" / "across the two" says it is a sum


@lru_cache(maxsize=16384)  # per abstract, once per process
def implied_totals(text: str) -> frozenset[float]:
    """The sum of every two counts of one sentence of `text` ("5361 submissions … 498 submissions": 5859)."""
    out: set[float] = set()
    for a, b in sentence_spans(text):
        counts = [q.values[0][-1][0] for q in quantities(text[a:b]) if q.kind == "figure" and len(q.values) == 1]
        counts = [c for c in counts if c >= 1 and c == int(c)]
        out.update(x + y for i, x in enumerate(counts) for y in counts[i + 1 :])
    return frozenset(out)


def total_implied(q: Quantity, sentence: str, paper_text: str) -> bool:
    """`q`, said as a total ("nearly 5,900 submissions across the two conferences"), sums two counts of a
    sentence of the paper (at the precision it is written with, or within its bound)."""
    near = sentence[max(0, q.start - TOTAL_WINDOW) : q.end + TOTAL_WINDOW]
    if q.kind != "figure" or len(q.values) != 1 or not _TOTAL_RE.search(near):
        return False
    return bool(stated_among(q, implied_totals(paper_text)))


@lru_cache(maxsize=16384)  # per abstract, once per process
def implied_gaps(text: str) -> frozenset[tuple[int, float]]:
    """(decimals, value) of every gap and relative change between two figures of the same shape in one
    sentence of `text`, at the precision of the more precise of the two and every coarser one."""
    out: set[tuple[int, float]] = set()
    for a, b in sentence_spans(text):
        sentence = text[a:b]
        # A range's two ends count as two figures ("from 69.2% to 80.6%").
        ends = [(end[0], _shape(q, sentence)) for q in quantities(sentence) if q.kind == "figure" for end in q.values]
        for i, ((x, dx), s1) in enumerate(ends):
            for (y, dy), s2 in ends[i + 1 :]:
                if s1 != s2 or x <= 0 or y <= 0 or x == y:
                    continue
                decimals = max(dx, dy)
                for gap in (abs(x - y), 100 * abs(x - y) / max(x, y), 100 * abs(x - y) / min(x, y)):
                    out.update((d, round(gap, d)) for d in range(decimals + 1))
    return frozenset(out)


def said_as_gap(sentence: str, q: Quantity) -> bool:
    """The email's figure is given as a gap or a change ("6.6 points above", "by 15% relative")."""
    return bool(_GAP_AFTER_RE.match(sentence, q.end) or _GAP_BEFORE_RE.search(sentence[: q.start]))


def gap_implied(q: Quantity, sentence: str, paper_text: str) -> bool:
    """`q`, said as a gap in `sentence`, is a gap the paper implies."""
    if q.kind != "figure" or len(q.values) != 1 or not said_as_gap(sentence, q):
        return False
    gaps = implied_gaps(paper_text)
    return any((d, round(v, d)) in gaps for v, d in q.values[0])


LIST_WORDS = 8  # content words after a list of figures that say what its figures measure
_LIST_JOIN_RE = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and|or|/|vs\.?|versus)\s*", re.IGNORECASE)


def figure_list(sentence: str, qs: list[Quantity], q: Quantity) -> list[Quantity]:
    """The run of figures joined only by commas, "and", "or" or "/" that `q` is part of (just `q` if none)."""
    i = qs.index(q)
    lo, hi = i, i
    while lo > 0 and _LIST_JOIN_RE.fullmatch(sentence[qs[lo - 1].end : qs[lo].start]):
        lo -= 1
    while hi + 1 < len(qs) and _LIST_JOIN_RE.fullmatch(sentence[qs[hi].end : qs[hi + 1].start]):
        hi += 1
    return qs[lo : hi + 1]


def list_reading(figures: list[Quantity], sentence: str, paper_text: str) -> str | None:
    """How a list of the email's figures reads against a sentence of the paper that gives them all: "respectively"
    when what the email lists after them comes in the order of its figures ("2% and 3.9% on the development and
    test sets" for "2.0% for the development and 3.9% for the test set"), "swapped" when it comes the other way
    round ("…on the test and development sets"); None when no sentence of the paper gives them all."""
    if len(figures) < 2:
        return None
    # What the list measures: the words after it, up to the next figure ("…on full papers (65.03% versus 46.66%
    # respectively) than on abstracts (47.02%…": "abstracts" is the next list's).
    following = [q.start for q in quantities(sentence) if q.start >= figures[-1].end]
    after = bound_words(sentence[figures[-1].end : min(following, default=len(sentence))])[:LIST_WORDS]
    readings = {_reading_in(figures, after, sentence_figures(paper_text, a, b)) for a, b in sentence_spans(paper_text)}
    return "respectively" if "respectively" in readings else "swapped" if "swapped" in readings else None


def _reading_in(figures: list[Quantity], after: list[str], found: list[Figure]) -> str | None:
    """The list's reading against one sentence of the paper (its figures `found`)."""
    where = [next((j for j, f in enumerate(found) if stated(f.quantity.text).has(q)), -1) for q in figures]
    if -1 in where or len(set(where)) != len(where):
        return None
    listed = [found[j].bound for j in where]
    own = [words - frozenset().union(*(o for o in listed if o is not words)) for words in listed]
    firsts = [next((i for i, w in enumerate(after) if w in words), None) for words in own]
    said = [i for i in firsts if i is not None]
    if len(said) < 2:
        return None  # the words after the list name what one figure measures, or none: no reading of the list
    return "respectively" if said == sorted(said) else "swapped"
