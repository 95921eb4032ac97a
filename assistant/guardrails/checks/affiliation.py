"""affiliation: where the email places the professor ("your group at Stanford", "you joined USC") must be the
institution their profile gives: the same name, a part of it, a longer name that contains it, or its acronym
("UCLA" for "University of California, Los Angeles"), or their department, labs or position. Where they studied
(the profile's education) is not where they work. A professor whose profile gives no affiliation (the
gold-standard corpus has none) cannot be checked: nothing is reported."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.guardrails.acronyms import acronyms
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import Severity, norm
from assistant.types import Violation

NAME = "affiliation"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

# An institution's name: capitalised words, joined by "of", "and"... and one ", Place" ("…, Los Angeles").
# A season or month after it starts a plan ("…at UCLA for Fall 2026"), not more of the name.
_NOT_NAME = (
    r"(?!(?:Fall|Spring|Summer|Winter|Autumn|January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b)"
)
_ORG = (
    rf"(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:of|for|and|&|de|at|in)?\s*{_NOT_NAME}[A-Z][\w&'’.-]*)*"
    r"(?:,\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)?)"
)
_UNIT = (
    r"(?:group|lab|labs|laboratory|team|department|school|institute|university|faculty|program|programme|center|centre)"
)
_PLACED_RES = (
    re.compile(rf"\b(?:[Yy]our|[Hh]is|[Hh]er)\s+(?:[\w-]+\s+){{0,2}}?{_UNIT}\s+at\s+(?:the\s+)?{_ORG}"),
    re.compile(rf"\b[Yy]ou\s+(?:are|were|work|worked|teach|lead|run)\s+(?:\w+\s+){{0,2}}?at\s+(?:the\s+)?{_ORG}"),
    re.compile(rf"\b[Yy]ou\s+(?:joined|moved\s+to)\s+(?:the\s+)?{_ORG}"),
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    if not ev.affiliation:
        return []
    out = []
    for s in email.body_sentences("professor", "mixed"):
        for org in _places(s):
            if not _matches(org, ev):
                out.append(
                    hard(
                        NAME,
                        f"The email places {ev.name} at {org!r}, but their profile gives {ev.affiliation!r}: "
                        "correct the institution.",
                        org,
                    )
                )
    return out


def _places(s: Sentence) -> Iterator[str]:
    for pattern in _PLACED_RES:
        for m in pattern.finditer(s.text):
            yield m.group("org").strip(" ,.")


def _matches(org: str, ev: Evidence) -> bool:
    """The institution the email names is theirs: a part of the names their profile gives, or contains them,
    or opens with the acronym of their affiliation ("UCLA Samueli")."""
    named = f" {norm(org)} "
    theirs = [f" {norm(t)} " for t in (ev.affiliation, *ev.units) if t and norm(t)]
    if any(named in t or t in named for t in theirs):
        return True
    first = re.split(r"[\s,]+", org)[0]
    return first in acronyms(ev.affiliation)
