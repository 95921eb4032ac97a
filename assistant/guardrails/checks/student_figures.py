"""Figures said of the student: what backs one that the CV does not state as written. The professor's figure the
student repeats or took from their work, arithmetic on the sentence's own figures, and a change of two figures
of one CV line ("by 6.5 points" of "from 54.9% to 61.4%")."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from assistant.guardrails.atoms import Atom, read_by_student, sentence_quantities
from assistant.guardrails.cv_facts import ANY_ENTRY, cv_units
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.quantities import Quantity, derived, quantities, stated

_POINTS_AFTER_RE = re.compile(r"\s*(?:percentage\s+)?(?:points?|pp|percent)\b", re.IGNORECASE)
# What the student took from the professor's work: "From your work on X I took the eight open challenges".
_TAKEN_FROM_RE = re.compile(
    r"\b(?:[Ff]rom|[Ii]n)\s+(?:your|you)\b[^.;:!?]{0,80}?\bI\s+(?:also\s+)?(?:took|borrowed|adopted|learned|learnt|"
    r"got|noted|noticed|kept)\b|\bI\s+(?:took|borrowed|adopted|learned|learnt)\b[^.;:!?]{0,60}?\bfrom\s+(?:your|you)\b"
)


def figure_backed(email: ParsedEmail, ev: Evidence, atom: Atom) -> bool:
    """The CV states it, or the professor's texts do and the student repeats it: in a clause not about their own
    work (evidence.quantity_backed), or as what they read ("I was interested in your corpus of 10,000 posts")."""
    if ev.quantity_backed(atom) or _written_in_cv(atom.text, ev.cv_raw):
        return True
    q = atom.quantity
    if q is not None and derived(q, sentence_quantities(email.atoms, atom)):
        return True  # arithmetic on the sentence's own figures, which are checked themselves
    if q is not None and _change_of_cv_figures(email, atom, q, ev):
        return True
    if q is None or not (read_by_student(atom) or _TAKEN_FROM_RE.search(atom.sentence.text) or _reaction(atom)):
        return False
    return any(stated(text).has(q) for text in (ev.profile_raw, *ev.paper_raw.values()))


# The student's reaction to what they read, before it: "I was impressed that…", "I liked how…".
_REACTION_RE = re.compile(
    r"\bI\s+(?:was|am)\s+(?:\w+\s+)?(?:impressed|struck|surprised|excited|intrigued|fascinated|amazed|delighted|"
    r"glad|happy|interested)\s+(?:that|how|by\s+how|to\s+(?:see|read|learn))\b|"
    r"\bI\s+(?:really\s+|particularly\s+|especially\s+)?(?:liked|loved|enjoyed|appreciated|admired)\s+(?:how|that|the\s+way)\b|"
    r"\bI\s+found\s+it\s+\w+\s+(?:that|how)\b"
)


def _reaction(atom: Atom) -> bool:
    """The figure is in what the student reacts to reading, before any new clause of theirs."""
    before = atom.sentence.text[: atom.start - atom.sentence.start]
    ends = [m.end() for m in _REACTION_RE.finditer(before)]
    return bool(ends) and not re.search(r"[;:]|\bI\s+\w+ed\b", before[ends[-1] :])


def _written_in_cv(figure: str, cv_raw: str) -> bool:
    """The CV writes the figure digit for digit, whatever notation surrounds it ("4.3" in "GPA 4.1/4.3", which is
    read as one score out of another, not as two figures)."""
    if not any(c.isdigit() for c in figure):
        return False
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)", cv_raw) is not None


def _change_of_cv_figures(email: ParsedEmail, atom: Atom, q: Quantity, ev: Evidence) -> bool:
    """ "By 6.5 points" of a CV line's "from 54.9% to 61.4%": a change, difference or ratio of two figures of one
    CV entry. Only for a figure written as a change is (decimals, a percentage, "points", a ratio): a small whole
    count ("eight challenges") is the difference of some two figures of a line by chance."""
    text = email.text(atom.field)
    after, before = text[atom.end : atom.end + 20], text[max(0, atom.start - 4) : atom.start]
    by_end = before.lower() == " by " and bool(re.match(r"\s*(?:[.,;:!?)]|$)", after))  # "…moved it by 63."
    shaped = q.kind == "ratio" or "." in q.text or "%" in q.text or by_end or bool(_POINTS_AFTER_RE.match(after))
    if q.spelled or not shaped:
        return False
    return any(derived(q, list(pair)) for pair in _cv_figure_pairs(ev.cv_raw))


@lru_cache(maxsize=32)
def _cv_figure_pairs(cv_raw: str) -> tuple[tuple[Quantity, ...], ...]:
    """Each CV entry's figures, side by side as written: a change of two neighbours ("from 54.9% to 61.4%" ->
    "6.5 points", "a 12% relative gain"; a range "14.2% to 9.8%" is one quantity, its own pair) restates the
    entry; two figures far apart in it, or of different entries, were never compared."""
    out: list[tuple[Quantity, ...]] = []
    for unit in cv_units(cv_raw, ANY_ENTRY):
        figures = [q for q in quantities(unit.raw) if q.kind != "year"]
        out += [(q,) for q in figures if len(q.values) > 1]
        out += list(pairwise(figures))
    return tuple(out)
