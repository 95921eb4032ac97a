"""Roles and ranks claimed for the student: "as a software engineer", "I worked as a lecturer", "I graduated first
in my class". A role is a CV entry's title, so every word of it must be in one entry of the CV (its acronym
counts: "a TA" for the CV's Teaching assistant); a rank must be one the CV gives ("ranked 4th of 57")."""

from __future__ import annotations

import re

from assistant.guardrails.checks.student_common import aspirational, claim
from assistant.guardrails.cv_facts import ANY_ENTRY, cv_units
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import norm
from assistant.text import content_words
from assistant.types import Violation

_ROLE_NOUN = (
    r"engineer|scientist|researcher|intern|assistant|developer|analyst|lecturer|instructor|teacher|consultant|"
    r"manager|founder|co-founder|postdoc|organi[sz]er|demonstrator|tutor|TA|RA"
)
# "as a <role>" after a verb of the student's, or "I am/was a <role> at…"; "as a PhD student in your group" and
# other plans are left to `aspirational`.
_ROLE_RE = re.compile(
    rf"\b(?:as|was|am|been|is)\s+(?:an?|the)\s+(?P<role>(?:[\w-]+\s+){{0,3}}?(?:{_ROLE_NOUN}))s?\b(?!\s+(?:position|role|post|job))"
)
_RANK_RE = re.compile(
    r"\b(?:graduated|ranked|finished|placed|was)\s+(?P<rank>first|top|second|third|\d+(?:st|nd|rd|th))\b"
    r"(?:\s+(?:of|out\s+of)\s+\d+|[^.;:]{0,30}?\b(?:class|cohort|year|programme|program|department))"
)
_RANK_CUE_RE = re.compile(r"\b(?:ranked|rank|top|valedictorian|cohort)\b|\bof\s+\d+\b")
_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th"}


def role_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for m in _ROLE_RE.finditer(s.text):
        if aspirational(s.text, m.start()):
            continue
        role = m.group("role")
        words = [w for w in role.split() if content_words(norm(w))] or role.split()
        if not any(all(_entry_has(ev, u.norm, w) for w in words) for u in cv_units(ev.cv_raw, ANY_ENTRY)):
            out.append(claim(s, m.start("role"), m.end("role"), "the role"))
    return out


def _entry_has(ev: Evidence, entry: str, word: str) -> bool:
    n = norm(word)
    return any(f" {v} " in entry for v in (n, n.rstrip("s"), f"{n}s")) or (word.isupper() and ev.cv_has(word))


def rank_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    """ "I graduated first in my class": the CV must give that rank, in an entry that ranks ("ranked 4th of 57")."""
    out = []
    for m in _RANK_RE.finditer(s.text):
        rank = m.group("rank").lower()
        forms = {rank, _ORDINALS.get(rank, rank), *(k for k, v in _ORDINALS.items() if v == rank)}
        lines = [u.norm for u in cv_units(ev.cv_raw, ANY_ENTRY)]
        if not any(_RANK_CUE_RE.search(e) and any(f" {f} " in e for f in forms) for e in lines):
            out.append(claim(s, m.start("rank"), m.end(), "the rank"))
    return out
