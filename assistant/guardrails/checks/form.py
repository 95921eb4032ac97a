"""form: a missing subject, a salutation naming someone else (or misspelling the name), "Professor X" where X is
another professor of the store, and an unfilled placeholder are hard; a salutation without the name, a body
outside [min_words, max_words] words and a long subject are soft."""

from __future__ import annotations

import re

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard, soft
from assistant.guardrails.structure import GREETING_RE
from assistant.guardrails.vocabulary import Severity, norm
from assistant.text import STOPWORDS, surname
from assistant.types import Violation

NAME = "form"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

LONG_SUBJECT_WORDS = 20
_HONORIFICS = frozenset("professor prof dr doctor mr ms mrs mx miss sir madam".split())
_GENERIC_ADDRESSEES = frozenset("sir madam whom concern team all everyone colleagues committee".split())
_NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*")
_PERSON_MENTION_RE = re.compile(r"\b(?:Professor|Prof\.?|Dr\.?)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_PLACEHOLDER_RE = re.compile(
    r"\[(?:your|insert|name|student|professor|university|institution|title|paper|topic|date|link)[^\]\n]{0,40}\]"
    r"|\{\{?\s*\w+\s*\}?\}|<(?:NAME|YOUR[ _]NAME|UNIVERSITY|TITLE)>|\bXXX+\b",
    re.IGNORECASE,
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = _subject_violations(email.subject.strip())
    out += _salutation_violations(email, ev) + _person_mentions(email, ev) + _placeholders(email)
    return out + _length(email, ev)


def _subject_violations(subject: str) -> list[Violation]:
    if not subject:
        return [hard(NAME, "The email has no subject: add a short, specific one.")]
    words = len(subject.split())
    if words > LONG_SUBJECT_WORDS:
        return [soft(NAME, f"The subject has {words} words: keep it under {LONG_SUBJECT_WORDS}.", subject)]
    return []


def _salutation_violations(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    line = next((s for s in email.sentences if s.part == "salutation"), None)
    if line is None:
        return [soft(NAME, f"No salutation: open with 'Dear Professor {surname(ev.name)},'.")]
    m = GREETING_RE.match(line.text)
    words = [(w.group(), norm(w.group())) for w in _NAME_WORD_RE.finditer(m.group("rest") if m else "")]
    names = [(raw, n) for raw, n in words if n and n.replace(" ", "") not in _HONORIFICS | STOPWORDS]
    if not names or any(n in _GENERIC_ADDRESSEES for _, n in words):
        return [
            soft(
                NAME,
                f"The salutation does not name the professor: write 'Dear Professor {surname(ev.name)},'.",
                line.text,
            )
        ]
    wrong = [raw for raw, n in names if n not in ev.name_tokens]
    if wrong:
        return [
            hard(NAME, f"The salutation names {wrong[0]!r}, but the professor is {ev.name}: fix the name.", wrong[0])
        ]
    return []


def _person_mentions(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """ "Professor X" in the body where X is another professor of the store: a mixed-up mail merge.

    Other unknown names are left to the numbers and student_claims checks (a former advisor is fine if the CV
    names them)."""
    out = []
    for s in email.sentences:
        if s.part not in ("body", "subject"):
            continue
        for m in _PERSON_MENTION_RE.finditer(s.text):
            name = m.group(1)
            tokens = set(norm(name).split())
            if tokens & ev.name_tokens:
                continue
            other = next((o for o in ev.other_names if tokens & set(norm(o).split())), None)
            if other:
                out.append(
                    hard(
                        NAME,
                        f"The email names {name!r} ({other}, another professor of the batch); this email is "
                        f"to {ev.name}: fix the name.",
                        name,
                    )
                )
    return out


def _placeholders(email: ParsedEmail) -> list[Violation]:
    return [
        hard(NAME, f"Unfilled placeholder {m.group()!r}: replace it with the real text.", m.group())
        for text in (email.subject, email.body)
        for m in _PLACEHOLDER_RE.finditer(text)
    ]


def _length(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    n = len(email.body.split())
    if n < ev.min_words:
        return [soft(NAME, f"The body has {n} words; aim for {ev.min_words}-{ev.max_words}.")]
    if n > ev.max_words:
        return [soft(NAME, f"The body has {n} words; cut it to at most {ev.max_words}.")]
    return []
