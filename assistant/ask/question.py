"""What a question asks: its kind (a topic, "who works on X?", "theory or experiments?") and its topic in the
student's words, which both the retrieval and the offline scorer use."""

from __future__ import annotations

import re
from typing import Literal

from assistant.ids import normalize_text
from assistant.text import SEARCH_STOPWORDS as STOPWORDS
from assistant.text import tokenize

Kind = Literal["topic", "who", "methodology"]

# Words that say how the student asks, not what about: never part of the topic.
QUESTION_WORDS = frozenset(
    """what which who whom whose how why when where does do did done doing has have had is are was were will
    would could should can she he her his hers him they them their theirs professor prof dr lab labs group
    groups faculty people person anyone anybody researcher researchers research publish publishes published
    publishing publication publications paper papers work works worked working study studies studied
    anything something thing things about any area areas field fields topic topics tell me you please know
    use uses using used involve involves include includes focus focuses cover covers mention mentions
    """.split()
)
QUESTION_TERMS = frozenset(tokenize(" ".join(QUESTION_WORDS)))
_TOPIC_AFTER = re.compile(r"\b(?:on|about|regarding|concerning|into|with)\s+(?P<topic>\S.*)$", re.IGNORECASE)
_WHO = re.compile(
    r"^\s*(?:who\b|which\s+(?:professors?|people|labs?|groups?|faculty|researchers?|of them)\b)", re.IGNORECASE
)
_THEORY_WORDS = re.compile(r"\btheor(?:y|ies|etical|etically|ems?)\b|\bproofs?\b", re.IGNORECASE)
_EXPERIMENT_WORDS = re.compile(r"\bexperiment\w*|\bempiric\w*|\bapplied\b|\bpractical\b", re.IGNORECASE)
# Added to a "theory or experiments?" question so retrieval finds the abstracts that state either kind of result.
METHODOLOGY_QUERY = "theoretical analysis, we prove a theorem; experiments, empirical evaluation on benchmarks"


def question_topic(question: str) -> str:
    """What the question is about, in the student's words: "protein folding" for "Does she work on protein
    folding?". Empty when the question names no topic."""
    text = question.strip().rstrip("?.! ")
    found = _TOPIC_AFTER.search(text)
    if found:
        return _without_question_words(found.group("topic").split())
    return _without_question_words([w for w in text.split() if normalize_text(w) not in QUESTION_WORDS | STOPWORDS])


def asked_about(question: str) -> str:
    """The topic as the student wrote it, word for word, when the question names one after "on", "about"…
    ("protein folding" for "Does she work on protein folding?"); else empty. Answers say this back, never the
    scorer's cut-down topic ("capital France")."""
    found = _TOPIC_AFTER.search(question.strip().rstrip("?.! "))
    return _without_question_words(found.group("topic").split()) if found else ""


def _without_question_words(words: list[str]) -> str:
    while words and normalize_text(words[0]) in QUESTION_WORDS | STOPWORDS:
        words = words[1:]
    return " ".join(words).strip(" ,;:")


def topic_terms(topic: str) -> set[str]:
    return {t for t in tokenize(topic) if t not in QUESTION_TERMS}


def question_kind(question: str, across_professors: bool) -> Kind:
    if _THEORY_WORDS.search(question) and _EXPERIMENT_WORDS.search(question):
        return "methodology"
    return "who" if across_professors and _WHO.search(question) else "topic"


# "Which of those is most recent / oldest?" ("the first one", "the last one" are ordinals: see followup.py)
NEWEST = re.compile(r"\b(?:most recent|latest|newest|recent one)\b", re.IGNORECASE)
OLDEST = re.compile(r"\b(?:oldest|earliest|least recent)\b", re.IGNORECASE)
