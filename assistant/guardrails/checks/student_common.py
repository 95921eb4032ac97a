"""What the student_claims modules share: how a claim is reported, when words are a plan, and "at/from <Place>"
runs (an institution or an employer)."""

from __future__ import annotations

import re

from assistant.guardrails.report import hard
from assistant.guardrails.structure import Sentence
from assistant.types import Violation

NAME = "student_claims"

ASPIRATION_RE = re.compile(
    r"\b(?:pursue|pursuing|apply|applying|application|join|joining|seek|seeking|prospective|future|admissions?|"
    r"hope|hoping|plan|planning|become|becoming|begin|start|starting|intend|interested|toward|towards|goal|"
    r"aspire|considering|consider|would|will|want|wish|eager|take|taking|accept|accepting|recruit|recruiting|"
    r"admit|admitting|hire|hiring|new)\b",
    re.IGNORECASE,
)
AT_RUN_RE = re.compile(
    r"\b(?:at|from)\s+(?:the\s+)?(?P<run>[A-Z][\w&'’.-]+(?:\s+(?:of|for|and|&|de|[A-Z][\w&'’.-]+))*)"
)


def claim(s: Sentence, start: int, end: int, what: str) -> Violation:
    """A hard violation on `s.text[start:end]`: `what` is claimed for the student and the CV does not show it."""
    span = s.text[start:end]
    return hard(
        NAME,
        f"The email claims {what} {span!r} for the student, but the CV does not "
        "show it: remove it or correct it to what the CV says.",
        span,
    )


def aspirational(text: str, at: int) -> bool:
    """The eight words before `at` make it a plan ("I hope to join…", "prospective", "would")."""
    window = " ".join(text[:at].split()[-8:])
    return bool(ASPIRATION_RE.search(window))


def trim_run(run: str) -> str:
    return re.sub(r"(?:\s+(?:of|for|and|&|de))+$", "", run).rstrip(".")
