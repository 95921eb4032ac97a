"""The passage of a paper a claim was checked against, quoted beside the violation (`Violation.evidence`), so that
a person can check the verdict in seconds instead of trusting it: the sentence stating the figure or writing the
name in the paper it belongs to (another professor's, for a name credited to the wrong person), or, for a figure
no paper states, the sentence of the paper it was said of that shares the most words with it.

The passage is the paper's text, untrusted: it is shown to the person as a quotation of the paper, and it never
goes into a prompt (the repair round sends the messages, not the evidence)."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.figures import bound_words
from assistant.guardrails.quantities import Quantity, stated
from assistant.text import sentence_spans
from assistant.types import Paper

MAX_CHARS = 240  # a passage longer than this is cut around what it is quoted for
_PERCENT_RE = regex.compile(r"\d[\d.,]*\s*(?:%|percent)")
_FIGURE_RE = regex.compile(r"\d(?![\d.,]*\))")  # not a list item's "(1)"


def stating(ev: Evidence, pid: str, q: Quantity) -> str | None:
    """Their paper's sentence that states the figure."""
    paper = ev.papers[pid]
    found = next((s for s in _sentences(paper) if stated(s).has(q)), None)
    return _quote(_says(paper), found, _first_figure(found, "%" in q.text)) if found else None


def naming(ev: Evidence, pid: str, name: str) -> str | None:
    """Their paper's sentence that writes the name."""
    paper = ev.papers[pid]
    return _naming(paper, _says(paper), name) or _in_title(paper, f"{paper.label()!r}", name)


def naming_elsewhere(ev: Evidence, name: str) -> str | None:
    """The sentence of another professor's paper that writes the name (a name credited to the wrong person)."""
    found = ev.corpus.other_paper_using([name], ev.prof_id, 1)
    if found is None:
        return None
    owner, paper = found
    label = f"{paper.label()!r}, by {owner},"
    return _naming(paper, f"{label} says", name) or _in_title(paper, label.rstrip(","), name)


def closest(ev: Evidence, pid: str, q: Quantity, words: frozenset[str]) -> str | None:
    """For a figure the paper does not state: the paper's sentence sharing the most of `words` (stemmed content
    words, as `bound_words` gives them), when one shares any, cut around its first figure of the same kind."""
    paper = ev.papers[pid]
    best, best_shared = None, 0
    for sentence in _sentences(paper):
        shared = len(words & frozenset(bound_words(sentence)))
        if shared > best_shared:
            best, best_shared = sentence, shared
    return _quote(_says(paper), best, _first_figure(best, "%" in q.text)) if best else None


def _sentences(paper: Paper, abstract_only: bool = False) -> Iterator[str]:
    """The title (a sentence of its own: it has no full stop to end it), then the abstract's sentences."""
    if paper.title and not abstract_only:
        yield paper.title
    text = paper.abstract or ""
    for a, b in sentence_spans(text):
        yield text[a:b]


def _naming(paper: Paper, lead: str, name: str) -> str | None:
    """The abstract's sentence that writes the name (the lead names the paper: its title is not quoted again)."""
    pattern = regex.compile(rf"(?<!\w){regex.escape(name)}(?!\w)", regex.IGNORECASE)
    for sentence in _sentences(paper, abstract_only=True):
        found = pattern.search(sentence)
        if found:
            return _quote(lead, sentence, found.start())
    return None


def _in_title(paper: Paper, label: str, name: str) -> str | None:
    found = regex.search(rf"(?<!\w){regex.escape(name)}(?!\w)", paper.title or "", regex.IGNORECASE)
    return f"{label} has it in its title." if found else None


def _first_figure(sentence: str, percent: bool) -> int:
    found = (_PERCENT_RE.search(sentence) if percent else None) or _FIGURE_RE.search(sentence)
    return found.start() if found else 0


def _says(paper: Paper) -> str:
    return f"{paper.label()!r} says"


def _quote(lead: str, sentence: str, anchor: int) -> str:
    """`lead: “…”`, the sentence on one line and cut to MAX_CHARS around `anchor`, between words."""
    indent = len(sentence) - len(sentence.lstrip())
    text = " ".join(sentence.split())
    anchor = max(0, anchor - indent)
    if len(text) > MAX_CHARS:
        start = max(0, min(anchor - MAX_CHARS // 3, len(text) - MAX_CHARS))
        end = start + MAX_CHARS
        if start:
            start = text.find(" ", start) + 1 or start
        if end < len(text):
            end = text.rfind(" ", start, end) if " " in text[start:end] else end
        text = ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
    return f"{lead}: \u201c{text}\u201d"
