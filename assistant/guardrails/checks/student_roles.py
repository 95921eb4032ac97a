"""Roles and ranks claimed for the student: "as a software engineer", "I worked as a lecturer", "I graduated first
in my class". A role is a CV entry's title: its head noun (the last word, "engineer") must be in one line of the
CV, with at least one of its modifiers when the line has any ("a research engineer" is not the CV's "Machine
Learning Engineer"; people reword titles, so a modifier may change when the head noun and another word stay; a
role's acronym counts: "a TA" for the CV's Teaching assistant). A rank must be one the CV gives ("ranked 4th of
57"). The CV's own lines are read, not the items the evidence appends after them."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.guardrails.checks.student_common import aspirational, claim, ordinal_forms
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import norm
from assistant.text import content_words, stem
from assistant.types import Violation

_ROLE_NOUN = (
    r"engineer|scientist|researcher|intern|assistant|developer|analyst|lecturer|instructor|teacher|consultant|"
    r"manager|founder|co-founder|postdoc|organi[sz]er|demonstrator|tutor|TA|RA"
)
# "as a <role>" after a verb of the student's, or "I am/was a <role> at…"; "as a PhD student in your group" and
# other plans are left to `aspirational`.
_ROLE_RE = re.compile(
    rf"\b(?:as|was|am|been)\s+(?:an?|the)\s+(?P<role>(?:[\w-]+\s+){{0,3}}?(?:{_ROLE_NOUN}))s?\b"
    r"(?!\s+(?:position|role|post|job|professor))"
)
_RANK_RE = re.compile(
    r"\b(?:graduated|ranked|finished|placed)\s+(?P<rank>first|top|second|third|\d+(?:st|nd|rd|th))\b"
    r"(?:\s+(?:of|out\s+of)\s+\d+|[^.;:]{0,30}?\b(?:class|cohort|programme|program|department))"
)
_RANK_CUE_RE = re.compile(r"\b(?:ranked|rank|top|valedictorian|cohort)\b|\bof\s+\d+\b")
_LINE_RE = re.compile(r"\n(?![ \t]+\S)")  # a line, with the indented lines that continue it


@lru_cache(maxsize=32)
def _cv_lines(cv_raw: str) -> tuple[frozenset[str], ...]:
    """The stems of each line of the CV as written (wrapped continuation lines joined)."""
    return tuple(frozenset(stem(w) for w in norm(line).split()) for line in _LINE_RE.split(cv_raw) if norm(line))


def role_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for m in _ROLE_RE.finditer(s.text):
        if aspirational(s.text, m.start()):
            continue
        words = [w for w in m.group("role").split() if content_words(norm(w))] or m.group("role").split()
        head, modifiers = words[-1], words[:-1]
        if head.isupper() and ev.cv_has(head):
            continue
        if not any(_holds(line, head, modifiers) for line in _cv_lines(ev.cv_raw)):
            out.append(claim(s, m.start("role"), m.end("role"), "the role"))
    return out


def _holds(line: frozenset[str], head: str, modifiers: list[str]) -> bool:
    n = stem(norm(head))
    if n not in line and not (n.endswith("er") and n[:-2] in line):  # "a graduate researcher": Graduate Research…
        return False
    return not modifiers or any(stem(norm(w)) in line for w in modifiers)


def rank_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    """ "I graduated first in my class": the CV must give that rank, in a line that ranks ("ranked 4th of 57")."""
    out = []
    lines = [f" {norm(line)} " for line in _LINE_RE.split(ev.cv_raw)]
    for m in _RANK_RE.finditer(s.text):
        rank = m.group("rank").lower()
        forms = ordinal_forms(rank)
        if not any(_RANK_CUE_RE.search(e) and any(f" {f} " in e for f in forms) for e in lines):
            out.append(claim(s, m.start("rank"), m.end(), "the rank"))
    return out
