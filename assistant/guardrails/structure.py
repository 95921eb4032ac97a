"""An email's structure: its sentences, the part each stands in (subject, salutation, body, signature) and whom
each is about (the professor, the student, both, or neither), with offsets into the subject or body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from assistant.guardrails.vocabulary import PROF_PRONOUN_RE, STUDENT_PRONOUN_RE, WORK_REFERENCE_RE, norm
from assistant.text import sentence_spans

Field_ = Literal["subject", "body"]
Part = Literal["subject", "salutation", "body", "signature"]
About = Literal["professor", "student", "mixed", "neutral"]

CLOSING_RE = re.compile(
    r"^\s*(?:best|best regards|best wishes|kind regards|warm regards|warmest regards|regards|sincerely|"
    r"sincerely yours|yours sincerely|yours truly|respectfully|thanks|thank you|many thanks|thanks again|"
    r"thanks so much|thank you so much|cheers|warmly|with gratitude|with thanks|all the best)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
GREETING_RE = re.compile(
    r"^\s*(?:dear|hi|hello|hey|greetings|good\s+(?:morning|afternoon|evening))\b[\s,]*(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    field: Field_
    start: int
    end: int
    text: str
    part: Part
    about: About


def surname_pattern(name: str) -> re.Pattern[str] | None:
    """The professor's surname as a whole word: a sentence naming it is about their work."""
    surname = norm(name).split()[-1:]
    return re.compile(rf"\b{re.escape(surname[0])}\b", re.IGNORECASE) if surname else None


def about(text: str, surname_re: re.Pattern[str] | None) -> About:
    prof = bool(PROF_PRONOUN_RE.search(text) or WORK_REFERENCE_RE.search(text))
    prof = prof or bool(surname_re and surname_re.search(text))
    student = bool(STUDENT_PRONOUN_RE.search(text))
    if prof and student:
        return "mixed"
    return "professor" if prof else "student" if student else "neutral"


def parse_sentences(subject: str, body: str, surname_re: re.Pattern[str] | None) -> list[Sentence]:
    """The subject, then the body's salutation, sentences (paragraph by paragraph, list items apart) and
    signature lines."""
    sentences: list[Sentence] = []
    if subject.strip():
        s = len(subject) - len(subject.lstrip())
        sentences.append(Sentence("subject", s, len(subject.rstrip()), subject.strip(), "subject", "neutral"))
    lines = _line_spans(body)
    non_empty = [i for i, (a, b) in enumerate(lines) if body[a:b].strip()]
    if not non_empty:
        return sentences
    first = non_empty[0]
    if GREETING_RE.match(body[slice(*lines[first])]):
        sentences.append(_make_sentence(body, *lines[first], "salutation", surname_re))
        first += 1
    closing = [i for i in non_empty if i >= first and CLOSING_RE.match(body[slice(*lines[i])])]
    last = closing[-1] if closing else len(lines)
    sentences += _body_sentences(body, lines, first, last, surname_re)
    sentences += [_make_sentence(body, *lines[i], "signature", surname_re) for i in non_empty if i >= last]
    return sentences


def _body_sentences(
    body: str, lines: list[tuple[int, int]], first: int, last: int, surname_re: re.Pattern[str] | None
) -> Iterator[Sentence]:
    for start, end in _paragraph_blocks(body, lines, first, last):
        lead = _BULLET_RE.match(body, start, end)
        offset = lead.end() if lead else start
        for a, b in sentence_spans(body, offset, end):
            sentence = _make_sentence(body, a, b, "body", surname_re)
            if sentence.text:
                yield sentence


def _paragraph_blocks(body: str, offsets: list[tuple[int, int]], first: int, last: int) -> Iterator[tuple[int, int]]:
    """(start, end) of text blocks between lines `first` and `last`: paragraphs, with list items split off."""
    block_start: int | None = None
    for i in range(first, last):
        start, end = offsets[i]
        line = body[start:end]
        if not line.strip() or _BULLET_RE.match(line):
            if block_start is not None:
                yield block_start, offsets[i - 1][1]
            block_start = start if line.strip() else None
            continue
        if block_start is None:
            block_start = start
    if block_start is not None and last > first:
        yield block_start, offsets[last - 1][1]


def _line_spans(body: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in body.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _make_sentence(body: str, start: int, end: int, part: Part, surname_re: re.Pattern[str] | None) -> Sentence:
    raw = body[start:end]
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    whom: About = about(text, surname_re) if part == "body" else "student" if part == "signature" else "neutral"
    return Sentence("body", start + lead, start + lead + len(text), text, part, whom)
