"""What the offline drafter says about the student, from their CV items: topic phrases ("data-efficient training
of large models"), the degree they are studying for, the title of a paper of theirs.

A topic phrase is chosen, never cut: it is an item's head (before its first colon, semicolon, comma or dash),
with a first-person lead ("I am interested in") and a leading verb ("Built", "Studying") dropped; a head that
is too long, names a person, a role, a URL or a slug is not a topic, and the item gives none.
"""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.guardrails.checks.readable import subject_problems
from assistant.types import CVItem

MAX_TOPIC_WORDS = 10

_FIRST_PERSON_LEAD_RE = re.compile(
    r"^(?:my (?:research|work|interests?)(?: (?:is|are|focuses|lies|lie))?(?: (?:on|in))?|i am (?:interested|working)"
    r" in|i (?:also )?(?:work|focus) on|interested in|i (?:also )?study)\s+",
    re.IGNORECASE,
)
_HEAD_RE = re.compile(r"[:;,(\u2014\u2013]| - ")
_SECOND_LEAD_RE = re.compile(r"^(?:and|also|as well as|in particular)\s+", re.IGNORECASE)
_DATES_RE = re.compile(
    r",?\s*(?:\((?:[^()]*)\))|,?\s*(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+)?"
    r"(?:19|20)\d\d\s*(?:[-\u2013\u2014]\s*(?:(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+)?"
    r"(?:19|20)\d\d|present|now|today))?"
)
_CURRENT_RE = re.compile(r"\b(?:expected|present|current|ongoing|now|in progress)\b", re.IGNORECASE)
_DEGREE_RE = re.compile(
    r"^(?:B|M|Ph|D)\.?\s?(?:S|Sc|A|Eng|Tech|Phil|D)\.?\s|^(?:BSc|MSc|BA|MA|MEng|BEng|MPhil|PhD|DPhil|MRes|MBA|"
    r"Bachelor|Master|Doctor)",
)


def topic_phrase(item: CVItem) -> str | None:
    """The topic an item names, as a phrase that reads after "my interest in", or None."""
    text = _FIRST_PERSON_LEAD_RE.sub("", item.text.strip())
    head = _HEAD_RE.split(text, maxsplit=1)[0].strip().rstrip(".")
    head = _SECOND_LEAD_RE.sub("", head)
    words = head.split()
    if words and item.section in ("experience", "projects") and _is_leading_verb(words[0]):
        words = words[1:]
    phrase = " ".join(words)
    if not 1 <= len(words) <= MAX_TOPIC_WORDS or subject_problems(phrase, item.source_text):
        return None
    return lower_first(phrase)


def _is_leading_verb(word: str) -> bool:
    """ "Built", "Studying", "Analysing": a CV bullet's verb, not part of its topic."""
    low = word.lower()
    return any(lexicon.is_verb_form(low, tag) for tag in ("VBD", "VBG")) and not lexicon.can_be_noun(low)


def lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    # Keep acronyms and names ("LLM", "PyTorch") as written.
    return text if any(c.isupper() for c in first[1:]) or first.isupper() else text[:1].lower() + text[1:]


def publication_title(entry: str) -> str:
    """The title in a citation line ("A. Author, B. Author. The Title. Venue, 2025"): its longest segment."""
    segments = [seg.strip() for seg in re.split(r"(?<=[a-z0-9)?])\.\s+(?=[A-Z])", entry) if seg.strip()]
    return max(segments, key=lambda seg: len(seg.split())).rstrip(".") if segments else entry


def studies(item: CVItem) -> str | None:
    """ "I am completing my M.S. in Computer Science at the University of California, Los Angeles", from an
    education line; None when the line does not read as "<degree>, <institution>"."""
    text = _DATES_RE.sub("", item.text).strip(" ,.\u2014\u2013-")
    degree, _, institution = text.partition(", ")
    if not _DEGREE_RE.match(degree) or not institution or len(degree.split()) > 10:
        return None
    if institution.startswith(("University of", "Institute of")):
        institution = "the " + institution
    verb = "am completing" if _CURRENT_RE.search(item.source_text) else "studied for"
    return f"I {verb} my {degree} at {institution}"
