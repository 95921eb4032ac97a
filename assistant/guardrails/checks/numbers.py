"""numbers: in sentences about the professor's work, numbers and named things (acronyms, CamelCase, letter+digit
tokens, capitalised words not opening the sentence) must appear in their titles, abstracts or profile, and years
in their paper or profile dates ("Fall 2026" is a plan, not a claim). A figure from another of their papers than
the one the sentence names is hard (a named thing: soft); one found only in a paper the draft does not cite is
soft. A named thing that only another professor's paper contains is reported as `attribution`."""

from __future__ import annotations

import re

from assistant.guardrails.checks.citations import cited_papers
from assistant.guardrails.checks.common import number_known, own_paper, stated_in, term_known
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail, Token
from assistant.guardrails.report import hard, soft
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import PROFESSOR_SIDE_RE, STUDENT_PRONOUN_RE, Severity, is_generic
from assistant.types import Violation

NAME = "numbers"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

_SCHEDULE_BEFORE_RE = re.compile(
    r"\b(?:fall|spring|summer|winter|autumn|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|since|until|by|in early|in late)\s*$",
    re.IGNORECASE,
)
_SCHEDULE_AFTER_RE = re.compile(
    r"^\W*(?:cycle|admissions?|academic|application|applications|intake|term|semester|entry|season)\b", re.IGNORECASE
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out: list[Violation] = []
    for s in email.sentences:
        if s.part not in ("body", "subject") or s.about == "student":
            continue
        focus = _focus_papers(email, ev, s)
        for tok in email.tokens(s):
            v = _token_violation(email, ev, s, tok, focus)
            if v:
                out.append(v)
    return out


def professor_side(s: Sentence, tok: Token) -> bool:
    """Whether a token speaks of the professor's work. In a mixed sentence, a token belongs to the side of the
    nearest pronoun before it (else after it)."""
    if s.about != "mixed":
        return s.about == "professor"
    at = tok.start - s.start
    markers = [(m.start(), True) for m in PROFESSOR_SIDE_RE.finditer(s.text)]
    markers += [(m.start(), False) for m in STUDENT_PRONOUN_RE.finditer(s.text)]
    before = [m for m in markers if m[0] < at]
    nearest = max(before) if before else min(markers, default=(0, False))
    return nearest[1]


def _focus_papers(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[str]:
    """The papers a sentence names by title: its numbers must come from them."""
    found = (own_paper(m, ev) for m in email.mentions if m.sentence == s)
    return [paper.id for paper in found if paper]


def _schedule_year(s: Sentence, tok: Token) -> bool:
    """ "Fall 2026", "the 2026 admissions cycle": a plan, not a claim about anyone's work."""
    at, end = tok.start - s.start, tok.end - s.start
    return bool(_SCHEDULE_BEFORE_RE.search(s.text[:at]) or _SCHEDULE_AFTER_RE.match(s.text[end:]))


def _token_violation(email: ParsedEmail, ev: Evidence, s: Sentence, tok: Token, focus: list[str]) -> Violation | None:
    if tok.kind in ("plain", "skip"):
        return None
    if tok.kind == "weak" and (tok.initial or tok.quoted or s.part == "subject"):
        return None
    strict = professor_side(s, tok)
    span = email.span(s.field, tok.start, tok.end)
    if tok.kind == "year":
        return _year_violation(ev, s, tok, span) if strict else None
    known = number_known(tok, ev, strict) if tok.kind == "number" else term_known(tok.text, ev, strict)
    if known:
        return _focus_violation(email, ev, tok, focus, span) if strict else None
    if tok.kind != "number" and ev.other.has(tok.text):
        return hard(
            "attribution",
            f"{span!r} comes from another professor's paper, not {ev.name}'s: remove it or attribute it correctly.",
            span,
        )
    where = "their titles, abstracts or profile" if strict else "their papers or the CV"
    what = "number" if tok.kind == "number" else "name"
    return hard(
        NAME,
        f"The {what} {span!r} is stated about {ev.name}'s work but appears nowhere in "
        f"{where}: remove it or use what the cited abstract says.",
        span,
    )


def _year_violation(ev: Evidence, s: Sentence, tok: Token, span: str) -> Violation | None:
    if _schedule_year(s, tok) or all(int(y) in ev.prof_years for y in re.findall(r"(?:19|20)\d\d", tok.text)):
        return None
    return hard(
        NAME,
        f"The year {span} is stated about {ev.name}'s work but none of their papers or profile dates says so: "
        "remove it.",
        span,
    )


def _focus_violation(email: ParsedEmail, ev: Evidence, tok: Token, focus: list[str], span: str) -> Violation | None:
    """A figure that is theirs, but from another paper than the one the sentence names (or cites)."""
    if tok.kind == "weak":
        return None
    if focus:
        return _outside_named_paper(ev, tok, focus, span)
    cited = cited_papers(email, ev) if email.structured else set()
    if not cited or tok.kind != "number":
        return None
    if any(stated_in(tok, ev.paper_texts[i].numbers) for i in cited):
        return None
    if not any(stated_in(tok, t.numbers) for t in ev.paper_texts.values()):
        return None  # profile figures (award years, counts) are not paper figures
    return soft(NAME, f"{span} comes from one of their papers that the draft does not cite: cite it.", span)


def _outside_named_paper(ev: Evidence, tok: Token, focus: list[str], span: str) -> Violation | None:
    texts = [ev.paper_texts[i] for i in focus]
    named = ev.papers[focus[0]].label()
    if tok.kind == "number":
        if any(stated_in(tok, t.numbers) for t in texts):
            return None
        return hard(
            NAME,
            f"{span} is not in the paper this sentence names ({named!r}); it comes from another of their "
            "papers. Attach each figure to the paper that reports it.",
            span,
        )
    if is_generic(tok.text) or any(t.has(tok.text) for t in texts):
        return None
    return soft(
        NAME,
        f"{span!r} does not appear in the paper this sentence names ({named!r}); check which paper it belongs to.",
        span,
    )
