"""The passage of a paper a claim was checked against, quoted beside the violation (`Violation.evidence`), so that
a person can check the verdict instead of trusting it: the sentence stating the figure or writing the name in the
paper it belongs to (another professor's, for a name credited to the wrong person), or, for a figure no paper
states, the sentence of the paper it was said of that shares the most words with it. A long sentence is cut around
what it is quoted for.

The passage is the paper's text, untrusted: it is shown to the person as a quotation of the paper, and it never
goes into a prompt (the repair round sends the messages, not the evidence)."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.figures import bound_words, same_figure
from assistant.guardrails.quantities import Quantity, quantities, stated
from assistant.text import sentences
from assistant.types import Paper

MAX_CHARS = 240  # a passage longer than this is cut around what it is quoted for


def stating(ev: Evidence, pid: str, q: Quantity) -> str | None:
    """Their paper's sentence that states the figure, cut around it."""
    paper = ev.papers[pid]
    if paper.title and stated(paper.title).has(q):
        return f"{paper.label()!r} has it in its title."
    for sentence in _abstract_sentences(paper):
        if stated(sentence).has(q):
            # Where it stands: the figure as written, else (a rounding, a share in words) its first figure.
            at = next((f.start for f in quantities(sentence) if same_figure(q, f)), None)
            return _quote(_says(paper), sentence, _first_figure(sentence, "%" in q.text) if at is None else at)
    return None


def naming(ev: Evidence, pid: str, name: str) -> str | None:
    """Their paper's sentence that writes the name."""
    paper = ev.papers[pid]
    return _naming(paper, f"{paper.label()!r}", name)


def naming_elsewhere(ev: Evidence, name: str) -> str | None:
    """The sentence of another professor's paper that writes the name (a name credited to the wrong person)."""
    found = ev.corpus.other_paper_using([name], ev.prof_id, 1)
    if found is None:
        return None
    owner, paper = found
    return _naming(paper, f"{paper.label()!r}, by {owner},", name)


def closest(ev: Evidence, pid: str, q: Quantity, words: frozenset[str]) -> str | None:
    """For a figure the paper does not state: the abstract's sentence sharing the most of `words` (stemmed content
    words, as `bound_words` gives them), when one shares any, cut around its first figure of the same kind."""
    return _closest(ev.papers[pid], words, "%" in q.text)


def wording(ev: Evidence, pid: str, phrase: str) -> str | None:
    """Their paper's sentence with the phrase: as written, else the one sharing the most of its words (the phrase
    was matched on normalised text, so its punctuation may differ)."""
    return naming(ev, pid, phrase) or _closest(ev.papers[pid], frozenset(bound_words(phrase)), False)


def _closest(paper: Paper, words: frozenset[str], percent: bool) -> str | None:
    best, best_shared = None, 0
    for sentence in _abstract_sentences(paper):
        shared = len(words & frozenset(bound_words(sentence)))
        if shared > best_shared:
            best, best_shared = sentence, shared
    return _quote(_says(paper), best, _first_figure(best, percent)) if best else None


def _abstract_sentences(paper: Paper) -> Iterator[str]:
    """Each sentence of the abstract on one line, so that offsets found in it are offsets of what is quoted. (The
    title is not one of them: the label that leads the quotation is the title.)"""
    for sentence in sentences(paper.abstract or ""):
        yield " ".join(sentence.split())


def _naming(paper: Paper, label: str, name: str) -> str | None:
    """The abstract's sentence that writes the name as a whole word; else whether the title does."""
    word = regex.compile(rf"(?<!\w){regex.escape(name)}(?!\w)", regex.IGNORECASE)
    for sentence in _abstract_sentences(paper):
        if found := word.search(sentence):
            return _quote(f"{label} says", sentence, found.start())
    return f"{label} has it in its title." if word.search(paper.title or "") else None


def _first_figure(sentence: str, percent: bool) -> int:
    """Where the sentence's first figure of the kind is (a percentage, or any but a year), else its start."""
    figures = [q for q in quantities(sentence) if q.kind != "year"]
    alike = [q for q in figures if ("%" in q.text or "percent" in q.text) == percent] or figures
    return alike[0].start if alike else 0


def _says(paper: Paper) -> str:
    return f"{paper.label()!r} says"


def _quote(lead: str, line: str, anchor: int) -> str:
    """`lead: “…”`: a one-line sentence, cut between words to MAX_CHARS with `anchor` a third of the way in."""
    if len(line) > MAX_CHARS:
        start = max(0, min(anchor - MAX_CHARS // 3, len(line) - MAX_CHARS))
        end = start + MAX_CHARS
        if start:
            start = line.find(" ", start) + 1 or start
        if end < len(line):
            end = line.rfind(" ", start, end) if " " in line[start:end] else end
        line = ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")
    return f"{lead}: \u201c{line}\u201d"
