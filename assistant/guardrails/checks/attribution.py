"""attribution: another professor's title, or an 8-word verbatim run of their abstract (carrying at least two
content words foreign to this professor's papers), presented as this professor's work. Their named methods are
found by the numbers check and reported here."""

from __future__ import annotations

import re

from assistant.guardrails.checks.common import others_paper, own_paper, student_publication
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard
from assistant.guardrails.verbatim import Foreign, ngram_owners, verbatim_runs, words_with_offsets
from assistant.guardrails.vocabulary import Severity, norm
from assistant.text import content_words
from assistant.types import Violation

NAME = "attribution"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

ATTRIBUTION_RUN_WORDS = 8  # a verbatim run this long from another professor's abstract is their work...
ATTRIBUTION_FOREIGN_WORDS = 2  # ...when it carries this many content words absent from this professor's papers
_OTHERS_ATTRIBUTION_RE = re.compile(r"\bet al\b|\bby\s+[A-Z][a-z]")


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for m in email.mentions:
        if own_paper(m, ev):
            continue
        other = others_paper(m, ev)
        if not other or (m.sentence and _OTHERS_ATTRIBUTION_RE.search(m.sentence.text)):
            continue
        if m.owner == "student" and student_publication(m, ev):
            continue
        out.append(
            hard(
                NAME,
                f"{m.text!r} is {other[0]}'s paper, presented as {ev.name}'s work: remove it or name its real authors.",
                email.span(m.field, m.start, m.end),
            )
        )
    return out + _copied_from_others(email, ev)


def _copied_from_others(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    others = Foreign(ngram_owners(ev.all_abstracts, ATTRIBUTION_RUN_WORDS), frozenset(ev.papers), ev.prof.norm)
    out = []
    for s in email.body_sentences("professor", "mixed", "neutral"):
        words = words_with_offsets(s.text)
        for a, b in verbatim_runs([w for w, _, _ in words], others, ATTRIBUTION_RUN_WORDS):
            span = s.text[words[a][1] : words[b - 1][2]]
            foreign = [w for w in content_words(norm(span)) if not ev.prof.has(w)]
            if len(foreign) < ATTRIBUTION_FOREIGN_WORDS:
                continue  # field boilerplate that happens to match someone else's abstract
            out.append(
                hard(
                    NAME,
                    f"{span!r} is copied from another professor's abstract, not {ev.name}'s: describe their own work.",
                    span,
                )
            )
    return out
