"""Chat follow-ups: which papers of the conversation a question refers back to.

A question refers back by marker ("[2]", "paper 2", "number 3"), by ordinal ("the first one", "the second
paper", "the last one", "the first two papers", "the latter") or by pronoun ("it", "its", "that paper" mean the
previous answer's first paper; "they", "those", "both of them", "which one" all of its papers). Ordinals count the
previous answer's papers in the order it cited them, or, when it cited only one, the latest answer that listed
several ("And the third one?" after a one-paper answer). What is not a reference: an ordinal not followed by
"one"/"paper" or the end of the question ("the first step of data selection", "the first to study coresets",
"the last two years"), one without "the" ("her first paper", "last year"), and an "it" that introduces a clause
("is it true that…", "is it possible to…"). "They" in a "theory or experiments?" question means the lab, as that
answerer reads it. Labelled cases: tests/fixtures/ask/followups.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ask.question import question_kind

_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1}
_COUNTS = {"two": 2, "three": 3, "four": 4}
_EXPLICIT = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]|\b(?:paper|number|source|reference)\s+#?(\d{1,3})\b")
_ORDINAL = re.compile(
    rf"\bthe\s+(?P<ord>{'|'.join(_ORDINALS)})(?:\s+(?P<count>{'|'.join(_COUNTS)}))?"
    r"(?:\s+(?:ones?|papers?|articles?|results?)\b|\s*(?=[?.!,;]|$))",
    re.IGNORECASE,
)
_LATTER_FORMER = re.compile(r"\bthe\s+(?P<which>latter|former)\b", re.IGNORECASE)
_SINGULAR = re.compile(
    r"\b(?:it|its|(?:this|that)\s+(?:one|paper|work|study|article))\b",
    re.IGNORECASE,
)
_PLURAL = re.compile(
    r"\b(?:those|these|both|of them|which one|which of)\b|\b(?P<pronoun>they|them|their)\b",
    re.IGNORECASE,
)
# "it" that opens a clause instead of naming a paper: "Is it true that…", "it is possible to…".
_CLAUSE_IT = re.compile(
    r"\b(?:(?:is|was|would|will|could|isn['’]t)\s+it|it\s+(?:is|was|would be))\s+(?:\w+\s+)?"
    r"(?:true|possible|likely|the case|known|worth|necessary|hard|easy|fair|ok(?:ay)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cited:
    """What a follow-up can refer to: the markers the previous answer cited (in its order), those of the latest
    answer that cited several, and every marker cited so far in the conversation."""

    previous: Sequence[int]
    listed: Sequence[int] = ()
    known: Sequence[int] = ()


def refers_to(question: str, cited: Cited) -> list[int] | None:
    """The markers the question refers back to, in the order it names them; [] when it refers to a paper the
    conversation has not cited ("the fifth one" after three, "[9]"); None for a new question."""
    if not cited.previous:
        return None
    for resolve in (_by_marker, _by_ordinal, _by_pronoun):
        found = resolve(question, cited)
        if found is not None:
            return list(dict.fromkeys(found))
    return None


def reference_spans(question: str) -> list[tuple[int, int]]:
    """Where the question names the papers it refers to, so the rest can be read as what it asks about them."""
    text = _CLAUSE_IT.sub(lambda m: " " * len(m.group()), question)
    patterns = (_EXPLICIT, _ORDINAL, _LATTER_FORMER, _SINGULAR, _PLURAL)
    return sorted(m.span() for pattern in patterns for m in pattern.finditer(text))


def _by_marker(question: str, cited: Cited) -> list[int] | None:
    numbers = [int(n) for m in _EXPLICIT.finditer(question) for n in re.split(r"\s*[,;]\s*", m.group(1) or m.group(2))]
    if not numbers:
        return None
    known = {*cited.previous, *cited.listed, *cited.known}
    return [n for n in numbers if n in known]


def _by_ordinal(question: str, cited: Cited) -> list[int] | None:
    found = sorted(
        [(m.start(), _positions(m.group("ord").lower(), m.group("count"))) for m in _ORDINAL.finditer(question)]
        + [(m.start(), [-1 if m.group("which").lower() == "latter" else 0]) for m in _LATTER_FORMER.finditer(question)]
    )
    if not found:
        return None
    papers = list(cited.previous) if len(cited.previous) > 1 or not cited.listed else list(cited.listed)
    picked = [p for _, positions in found for p in positions]
    if any(p >= len(papers) or -p > len(papers) for p in picked):
        return []
    return [papers[p] for p in picked]


def _positions(ordinal: str, count: str | None) -> list[int]:
    """ "first" -> [0], "first two" -> [0, 1], "last two" -> [-2, -1]."""
    start, n = _ORDINALS[ordinal], _COUNTS[count.lower()] if count else 1
    return list(range(-n, 0)) if start == -1 else list(range(start, start + n))


def _by_pronoun(question: str, cited: Cited) -> list[int] | None:
    text = _CLAUSE_IT.sub("", question)
    plural = [m for m in _PLURAL.finditer(text) if not (m.group("pronoun") and _about_the_lab(question))]
    if plural:
        return list(cited.previous)
    if _SINGULAR.search(text):
        return [cited.previous[0]]
    return None


def _about_the_lab(question: str) -> bool:
    return question_kind(question, across_professors=False) == "methodology"
