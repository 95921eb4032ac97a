"""The passage of a paper a claim was checked against, quoted beside the violation (`Violation.evidence`), so that
a person can check the verdict in seconds instead of trusting it: the sentence stating the figure in the paper it
belongs to, or, for a figure no paper states, the sentence of the paper it was said of that shares the most
words with it.

The passage is the paper's text, untrusted: it is shown to the person as a quotation of the paper, and it never
goes into a prompt (the repair round sends the messages, not the evidence)."""

from __future__ import annotations

import regex

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.figures import bound_words
from assistant.guardrails.quantities import Quantity, stated
from assistant.text import sentence_spans
from assistant.types import Paper

MAX_CHARS = 240  # a passage longer than this is cut around what it is quoted for


def stating(ev: Evidence, pid: str, q: Quantity) -> str | None:
    """The paper's sentence that states the figure."""
    paper, text = ev.papers[pid], ev.paper_raw[pid]
    for a, b in sentence_spans(text):
        if stated(text[a:b]).has(q):
            return _quote(paper, text[a:b], _first_figure(text[a:b], "%" in q.text))
    return None


def naming(ev: Evidence, pid: str, name: str) -> str | None:
    """The paper's sentence that writes the name."""
    paper, text = ev.papers[pid], ev.paper_raw[pid]
    pattern = regex.compile(rf"(?<!\w){regex.escape(name)}(?!\w)", regex.IGNORECASE)
    for a, b in sentence_spans(text):
        found = pattern.search(text, a, b)
        if found:
            return _quote(paper, text[a:b], found.start() - a)
    return None


def closest(ev: Evidence, pid: str, q: Quantity, words: frozenset[str]) -> str | None:
    """For a figure the paper does not state: the paper's sentence sharing the most of `words` (stemmed content
    words, as `bound_words` gives them), when one shares any, cut around its first figure of the same kind."""
    paper, text = ev.papers[pid], ev.paper_raw[pid]
    best, best_shared = None, 0
    for a, b in sentence_spans(text):
        shared = len(words & frozenset(bound_words(text[a:b])))
        if shared > best_shared:
            best, best_shared = text[a:b], shared
    return _quote(paper, best, _first_figure(best, "%" in q.text)) if best else None


_PERCENT_RE = regex.compile(r"\d[\d.,]*\s*(?:%|percent)")
_FIGURE_RE = regex.compile(r"\d(?![\d.,]*\))")  # not a list item's "(1)"


def _first_figure(sentence: str, percent: bool) -> int:
    found = (_PERCENT_RE.search(sentence) if percent else None) or _FIGURE_RE.search(sentence)
    return found.start() if found else 0


def _quote(paper: Paper, sentence: str, anchor: int) -> str:
    """`'Title' says: "…"`, the sentence on one line and cut to MAX_CHARS around `anchor`."""
    lead = len(sentence) - len(sentence.lstrip())
    text = " ".join(sentence.split())
    anchor = max(0, anchor - lead)
    if len(text) > MAX_CHARS:
        start = max(0, min(anchor - MAX_CHARS // 3, len(text) - MAX_CHARS))
        end = start + MAX_CHARS
        if start:  # cut between words
            start = text.find(" ", start) + 1 or start
        if end < len(text):
            end = text.rfind(" ", start, end) if " " in text[start:end] else end
        text = ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
    return f"{paper.label()!r} says: \u201c{text}\u201d"
