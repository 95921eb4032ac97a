"""Skills claimed for the student ("my experience with PyTorch and SQL", "proficient in Rust"): each item of the
list after a skill cue must be in the CV, unless the sentence says where the experience comes from, or the item
only refers back to something the email named ("the task")."""

from __future__ import annotations

import re

from assistant.guardrails.atoms import clause_subject
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import PROF_PRONOUN_RE, is_generic, is_named, norm
from assistant.text import content_words

_DEFINITE = frozenset("the this that these those".split())
_SKILL_CUE_RE = re.compile(
    r"\b(?:experience|experienced|proficient|proficiency|familiar|familiarity|skilled|skills|expertise|"
    r"comfortable|fluent|fluency|hands-on|background|knowledge|worked)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:with|in|of|using)\s+(?P<list>[^.;:!?(]+)",
    re.IGNORECASE,
)
# The list ends where its clause does, or at its verb ("My experience with domain shift is from IE").
_SKILL_LIST_END_RE = re.compile(
    r"(?:,?\s+(?:and|but)\s+(?:I|I'm|I’m|we|my)\b|\s(?:to|for|which|that|where|because|so|while|during|at|from|"
    r"through|under|as part|in order|is|are|was|were)\b).*$",
    re.IGNORECASE,
)
_SKILL_SPLIT_RE = re.compile(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|/|\s+as well as\s+")
_SKILL_LEAD_RE = re.compile(
    r"^(?:(?:tools|frameworks|libraries|languages|methods|techniques)\s+(?:such as|like)|such as|including|"
    r"e\.g\.?|both|the|a|an|modern|several|various)\s+",
    re.IGNORECASE,
)
_EXPERIENCE_SOURCE_RE = re.compile(
    r"\s(?:is|was|comes|came)\s+(?:mostly\s+|mainly\s+|largely\s+)?(?:from|in|through)\s+(?P<source>[^.;:!?(]+)",
    re.IGNORECASE,
)


def unbacked_skills(ev: Evidence, s: Sentence) -> list[tuple[int, int]]:
    """The spans of the skills a sentence about the student claims that the CV does not back."""
    out = []
    for m in _SKILL_CUE_RE.finditer(s.text):
        whose = clause_subject(s, s.start + m.start())
        if whose == "professor" or (whose is None and s.about != "student"):
            continue  # "…a knowledge graph using X" in a sentence about their work claims no skill
        listing = _SKILL_LIST_END_RE.sub("", m.group("list"))
        if _sourced_in_cv(ev, m.group("list")[len(listing) :]):
            continue
        offset = m.start("list")
        for item in _SKILL_SPLIT_RE.split(listing):
            if _refers_back(item):
                continue  # "my own experience with the task": the shared task the email named, not a skill
            item = _SKILL_LEAD_RE.sub("", item.strip()).strip()
            if not item or PROF_PRONOUN_RE.search(item) or _skill_known(ev, item):
                continue
            start = s.text.find(item, offset)
            if start >= 0:
                out.append((start, start + len(item)))
    return out


def _refers_back(item: str) -> bool:
    """ "the task", "this problem": a definite reference to something already named, with no name of its own."""
    words = item.split()
    return len(words) >= 2 and words[0].lower() in _DEFINITE and not any(is_named(w) for w in words[1:])


def _sourced_in_cv(ev: Evidence, rest: str) -> bool:
    """ "My experience with domain shift is from information extraction": the sentence says what the experience
    was, and the claim to check is that (the CV's information extraction), not the topic named before it."""
    source = _EXPERIENCE_SOURCE_RE.match(rest)
    return source is not None and _skill_known(ev, _SKILL_LIST_END_RE.sub("", source.group("source")))


def _skill_known(ev: Evidence, item: str) -> bool:
    words = [w.strip("()[]{},.;:!?\"'“”‘’") for w in item.split()]
    named = [w for w in words if w and is_named(w)]
    if named:  # an acronym of words the CV spells out counts ("BTL" for its Bradley–Terry–Luce)
        return all(is_generic(t) or ev.cv_has(t) for t in named)
    return ev.cv.has(item) or ev.cv.has_any_word(item) or not content_words(norm(item))
