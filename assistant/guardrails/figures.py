"""What each figure measures: the words bound to a quantity in its sentence, so that a figure is checked together
with the quantity and the dataset beside it ("1.79x over Wi-Fi", "a 36% reduction in computation time").

A sentence is cut into segments at punctuation and at the conjunctions that start a new item ("1.79x over Wi-Fi
and 2.17x over LTE"); in a segment, a figure is bound to the words after it up to the next figure, and the first
figure of a segment also to the words just before it ("an F-measure of 0.947"). In a paper, a figure also owns
the rest of its sentence that no other figure is bound to ("…the word error rate at 4% during validation" for
"4%", whichever side the words fall). An email's figure is misbound when its words share more with another figure
of the paper than with this one's: two figures swapped, or one attached to the wrong quantity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.guardrails.quantities import Quantity, quantities, stated
from assistant.guardrails.vocabulary import classify_token, is_named, norm
from assistant.text import STOPWORDS, sentence_spans, stem, tokens

AFTER_WORDS = 6  # content words after a figure that say what it measures
BEFORE_WORDS = 2
MISBOUND_MIN_SHARED = 2  # words an email's figure must share with another figure of the paper to be misbound
_BREAK_RE = re.compile(r"[;:\[\]—–]|,\s|\s-\s|\b(?:and|or|but|while|whereas|which|where|when|whilst)\b")
_UNIT_COMPOUND_RE = re.compile(r"[-–][^\W\d_]+\b")
_DOUBLED_END_RE = re.compile(r"([bcdfgklmnprstvz])\1$")
# Qualifiers and reporting verbs say how a figure relates, not what it measures: any figure can have them.
_QUALIFIERS = frozenset(
    stem(w)
    for w in """more less higher lower better worse greater smaller larger fewer least most about roughly
    approximately nearly almost around over under average total overall only just up improvement gain reduction
    increase relative absolute respectively additional extra report achieve reach show offer yield provide
    obtain give lead bring deliver observe get see find""".split()
)


# Where a paper introduces the thing it is about: "we present …, AMBER (Aligned Multilingual…)", "We name this
# method SwitchOut", "we propose DIRTY, a …".
_INTRODUCED_RE = re.compile(
    r"\b[Ww]e(?:\s+\w+ly)?\s+(?:propose|present|introduce|name|call|dub|term|develop|design|release|build|"
    r"create|construct|collect|curate|demonstrate|describe|offer|provide)d?\b[^.;:]{0,80}?\b(?P<name>[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+[A-Z][\w-]*)"
    r"|\b(?P<defined>[A-Z][\w-]*[A-Z][\w-]*)\s+\((?=[A-Z][a-z])"
)

ENUMERATOR_MAX = 20  # "(1)" … "(20)" number a list's items


@dataclass(frozen=True)
class Figure:
    quantity: Quantity
    bound: frozenset[str]  # stemmed content words: what the figure measures
    context: frozenset[str] = frozenset()  # a paper's figure: also the words of its sentence no other one has
    # The named things (datasets, languages, benchmarks) of its segment, however far before it: "a
    # WikiTableQuestions denotation accuracy of 74.5%" measures on WikiTableQuestions.
    named: frozenset[str] = frozenset()


def bound_words(text: str, named_only: bool = False) -> list[str]:
    """Stemmed content words of `text`: a hyphenated name stays one word ("Wi-Fi" is "wifi"). `named_only`: only
    the named things among them (capitalised words, acronyms: a dataset, a language, a benchmark)."""
    out = []
    for tok in tokens(text):
        if named_only and not is_named(tok):
            continue
        word = norm(tok).replace(" ", "")
        if len(word) > 1 and not word.isdigit() and word not in STOPWORDS:
            root = _DOUBLED_END_RE.sub(r"\1", stem(word))  # "capped" and "cap" are one word
            if root not in _QUALIFIERS:
                out.append(root)
    return out


def sentence_figures(text: str, start: int = 0, end: int | None = None) -> list[Figure]:
    """The quantities of one sentence (text[start:end]), years included, with the words bound to each."""
    end = len(text) if end is None else end
    qs = quantities(text[start:end])
    cuts = [m.start() for m in _BREAK_RE.finditer(text, start, end)] + [end]
    out = []
    for i, q in enumerate(qs):
        at, stop = start + q.start, start + q.end
        seg_start = max([start, *(c for c in cuts if c < at)])
        seg_end = min(c for c in cuts if c >= stop)
        next_q = start + qs[i + 1].start if i + 1 < len(qs) else end
        unit = _UNIT_COMPOUND_RE.match(text, stop)
        # "the 10,000-hour XL subset": a figure glued to its unit is an adjective; the noun after it is what the
        # sentence is about (its context, which every figure of the sentence shares), not this figure's.
        words = bound_words(unit.group() if unit else text[stop : min(seg_end, next_q)])[:AFTER_WORDS]
        previous_end = start + qs[i - 1].end if i else start
        # After another figure of its segment, the words before this one are what that one measures ("fourteen
        # Python tasks of seven kinds"): only the first figure of a segment owns the names before it.
        named_from = seg_start if previous_end <= seg_start else at
        named = bound_words(text[named_from : min(seg_end, next_q)], named_only=True)
        if previous_end <= seg_start:  # the first figure of its segment
            words += bound_words(text[seg_start:at])[-BEFORE_WORDS:]
        out.append(Figure(q, frozenset(words), named=frozenset(named)))
    # "relative 3%/12% improvement in test clean/other": figures joined by a slash share what follows the last.
    for i in range(len(out) - 2, -1, -1):
        if text[start + qs[i].end : start + qs[i + 1].start].strip() == "/":
            f, g = out[i], out[i + 1]
            out[i] = Figure(f.quantity, f.bound | g.bound, named=f.named | g.named)
    return out


def _with_context(figures: list[Figure], sentence: str) -> list[Figure]:
    everything = frozenset(bound_words(sentence))
    out = []
    for f in figures:
        own = f.bound | f.named
        # A named thing of another figure's segment is that figure's ("the WIKITABLEQUESTIONS denotation accuracy
        # to 57.5%, the SQA denotation accuracy to 74.5%"), not context every figure shares.
        # A year dates what its sentence is about ("ICML 2021 (5361 submissions…)"): it takes no word from the rest.
        taken = frozenset().union(*(g.bound | g.named for g in figures if g is not f and g.quantity.kind != "year"))
        taken -= own
        out.append(Figure(f.quantity, f.bound, own | (everything - taken), f.named))
    return out


@lru_cache(maxsize=16384)  # per abstract, once per process
def text_figures(text: str) -> tuple[Figure, ...]:
    """The figures of every sentence of a paper's text, each with its sentence context."""
    out: list[Figure] = []
    for a, b in sentence_spans(text):
        # "(1) reduce the disconnect…, and (2) improve…": items of a list, which measure nothing.
        figures = [f for f in sentence_figures(text, a, b) if not _enumerator(text, a + f.quantity.start, f.quantity)]
        out += _with_context(figures, text[a:b])
    return tuple(out)


@lru_cache(maxsize=16384)  # per paper, once per process
def own_names(title: str, abstract: str) -> frozenset[str]:
    """The distinctive names a paper is about, as `bound_words` gives them: the acronyms and CamelCase names of its
    title and the names its abstract introduces ("we demonstrate Crowd-Kit"). Every figure of the paper is theirs
    ("AMBER obtains gains of up to 1.1 F1 … and up to 27.3 accuracy"), so they tie a figure to no one quantity. (A
    plain capitalised title word may be a dataset or a language of one figure: "Sarcasm Detection on Czech and
    English Twitter".)"""
    introduced = [m.group("name") or m.group("defined") for m in _INTRODUCED_RE.finditer(abstract)]
    strong = [tok for tok in tokens(title) if classify_token(tok) == "strong"]
    return frozenset(bound_words(" ".join([*strong, *introduced]), named_only=True))


def _enumerator(text: str, at: int, q: Quantity) -> bool:
    """ "(1) reduce…", or "grouped as 1) pattern-based methods … and 2) fact-based methods"."""
    closed = text[at + len(q.text) : at + len(q.text) + 1] == ")"
    opened = text[at - 1 : at] == "(" or (
        (at == 0 or text[at - 1].isspace()) and text.rfind("(", 0, at) <= text.rfind(")", 0, at)
    )
    return closed and opened and q.text.isdigit() and int(q.text) <= ENUMERATOR_MAX


def same_figure(claimed: Quantity, stated_figure: Quantity) -> bool:
    return stated(stated_figure.text).has(claimed)


def misbound_word(claimed: Figure, papers: Sequence[Figure]) -> str | None:
    """A word showing that the email measures this figure with what the paper measures another figure with;
    None when the binding is consistent, or the paper does not state the figure (then it is unsupported, not
    swapped), or the paper binds nothing to it ("…and 9.54%, respectively")."""
    same = [f for f in papers if same_figure(claimed.quantity, f.quantity)]
    if not same or not claimed.bound or not any(f.bound for f in same):
        return None
    own = max(len(claimed.bound & f.context) for f in same)
    others = [f for f in papers if f not in same and f.quantity.kind != "year"]  # a date measures nothing
    mine = frozenset().union(*(f.context for f in same))
    best = max(others, key=lambda f: len(claimed.bound & f.bound), default=None)
    shared = claimed.bound & best.bound if best else frozenset()
    if len(shared) >= MISBOUND_MIN_SHARED and len(shared) > own:
        return min(shared - mine, default=None)
    # A named thing the paper binds to another figure of the same kind and never mentions near this one: "0.947 on
    # Czech" where the paper gives 0.947 for English and 0.582 for Czech. (A common word proves nothing on its own:
    # the paper may use it of both; and a percentage is not swapped with a count of hours.)
    alike = [f for f in others if _shape(f.quantity) == _shape(claimed.quantity)]
    return min((w for w in claimed.named - mine if any(w in f.bound | f.named for f in alike)), default=None)


def _shape(q: Quantity) -> str:
    percent = "%" in q.text or "percent" in q.text or q.parts is not None  # a share ("one-third") is a percentage
    return "ratio" if q.kind == "ratio" else "percent" if percent else "number"
