"""Sentences both answerers write the same way: "not covered" (and how to recognise it in a model's answer), the
closest papers, and dates as answers may state them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.ask.question import asked_about
from assistant.ask.retrieve import Source
from assistant.text import join_english
from assistant.types import Paper

CLOSEST = 3  # papers shown when the question is not covered
QUOTE_CHARS = 120  # a longer question is cut when an answer quotes it
NOT_COVERED = re.compile(r"\b(?:don['’]t|do not|doesn['’]t|does not)\s+cover\b|\bnot covered\b", re.IGNORECASE)
_MONTHS = "January February March April May June July August September October November December".split()


def closest_text(closest: Sequence[Source]) -> str:
    refs = join_english([f"[{s.marker}]" for s in closest[:CLOSEST]])
    return f"The closest indexed papers are {refs}." if closest else ""


def not_covered_text(
    question: str, closest: Sequence[Source], subject: str = "The indexed papers", verb: str = "don't"
) -> str:
    """ "The indexed papers don't cover protein folding." with the topic in the student's words, or, when the
    question names none, the question itself quoted; then the closest papers."""
    topic = asked_about(question)
    head = f"{subject} {verb} cover {topic}." if topic else f"{subject} {verb} answer {quoted_question(question)}"
    return f"{head} {closest_text(closest)}".strip()


def quoted_question(question: str) -> str:
    """ "“What is the capital of France?”", ended with a full stop unless the question ends itself; a long
    question is cut at a word."""
    text = " ".join(question.split())
    if len(text) > QUOTE_CHARS:
        text = text[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    return f"“{text}”" + ("" if text[-1:] in "?!." else ".")


def date_key(paper: Paper) -> str | None:
    return paper.date or (str(paper.year) if paper.year else None)


def month_year(paper: Paper) -> str:
    """ "April 2026" (the guardrails know years, not full dates, so answers say no more than month and year)."""
    key = date_key(paper) or ""
    parts = key.split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]
