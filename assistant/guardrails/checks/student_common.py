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


# What the student would like to do, in the clause before the words: a plan or a wish, not a fact. "Will" is left
# out: "my paper will appear at ACL 2027" states an acceptance.
_PLAN_CUE_RE = re.compile(
    r"\b(?:I|we)\s+(?:would|['’]d)\s+(?:like|love|be\s+(?:glad|happy|keen|eager|excited|thrilled))\b|"
    r"\b(?:I|we)\s+(?:also\s+)?(?:hope|plan|intend|want|wish|aim)\b|"
    r"\bI\s+am\s+(?:also\s+)?(?:hoping|planning|considering|keen|eager|thinking\s+of|looking\s+forward)\b|"
    r"\b(?:my|our)\s+(?:next\s+steps?|goal|plan|aim|hope)\s+(?:is|are|would\s+be|will\s+be)\b|"
    r"\b(?:in|during|for)\s+(?:a|my)\s+(?:future\s+|eventual\s+)?(?:PhD|doctorate)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"[;:—–]|,\s+(?:and|but|so|while|whereas)\s+(?:I|we|my)\b")
_DONE_RE = re.compile(r"\b(?:I|we)\s+(?:did|had|was|were|built|wrote|ran|made|have\s+\w+ed|\w+ed)\b")
# The atom is in the "my <…>" noun phrase itself (no preposition between): "my 70B model", not "my tracker to X".
_DONE_REACH = 16  # characters before the words in which the student's past verb must end ("I did at ")
_OWN_RE = re.compile(
    r"\b(?:my|our)\s+(?:(?!(?:to|on|in|into|for|with|at|from|of|by|and|or)\s)[\w-]+\s+){0,2}$", re.IGNORECASE
)


def planned(text: str, at: int) -> bool:
    """The words at `at` are what the student plans or wishes: a plan cue earlier in their clause ("My next step is
    a 13B model fine-tuned with LoRA", "I am considering applying to the Google PhD Fellowship")."""
    before = text[:at]
    cuts = [m.end() for m in _CLAUSE_BREAK_RE.finditer(before)]
    return _PLAN_CUE_RE.search(before, max(cuts, default=0)) is not None


def fact_inside_plan(text: str, at: int) -> bool:
    """Inside a plan, words that still state a fact: what the student has ("I hope to reuse my 70B model") or did
    ("I would like to continue the work I did at Google"); the plan's own objects stay plans ("I hope to extend
    my tracker to Chinese")."""
    before = text[:at]
    cues = list(_PLAN_CUE_RE.finditer(before))
    rest = before[cues[-1].end() :] if cues else before
    # A fact of the student's right before the words: "…the work I did at Google", not "…the corpus I collected, in
    # Chinese too" (what the plan would add to it).
    return bool((cues and _OWN_RE.search(rest)) or _DONE_RE.search(rest[-_DONE_REACH:]))


# An ordinal as words or as a number: "second prize" is the CV's "2nd prize".
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th"}


def ordinal_forms(word: str) -> set[str]:
    """A word with the other way of writing it if it is an ordinal ("second" -> {"second", "2nd"})."""
    return {word, _ORDINALS.get(word, word), *(k for k, v in _ORDINALS.items() if v == word)}
