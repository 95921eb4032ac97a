"""titles: a phrase presented as one of the professor's papers (quoted, italic, or a Title-Case run after
"paper"/"titled"…) must be one of their real titles: near-identical (rapidfuzz ratio >= 90 on normalised text)
with no content word the title lacks, or a verbatim part of it. A quotation from their abstract that is not
introduced as a paper, another professor's title (attribution) and the student's own work are left alone."""

from __future__ import annotations

from assistant.guardrails.checks.common import cv_has_title, others_paper, own_paper, student_publication
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import Mention, ParsedEmail
from assistant.guardrails.report import hard
from assistant.guardrails.vocabulary import Severity, norm
from assistant.types import Violation

NAME = "titles"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for m in email.mentions:
        if _not_an_invented_title(m, ev):
            continue
        closest = ev.closest_title(m.text)
        hint = f" The closest real title is {closest[0]!r} ({closest[1]:.0f}/100)." if closest else ""
        out.append(
            hard(
                NAME,
                f"{m.text!r} is presented as a paper title but matches none of {ev.name}'s "
                f"{len(ev.titles)} known titles.{hint} Use the exact title, or describe "
                "an untitled paper by its contribution instead of inventing a title.",
                email.span(m.field, m.start, m.end),
            )
        )
    return out


def _not_an_invented_title(m: Mention, ev: Evidence) -> bool:
    if own_paper(m, ev) or others_paper(m, ev):
        return True  # a real title; another professor's is the attribution check's job
    if m.owner == "student" and student_publication(m, ev):
        return True  # the student's own publication: student_claims
    in_their_texts = f" {norm(m.text)} " in ev.prof.norm
    if not m.cued and (in_their_texts or m.text[:1].islower()):
        return True  # a quotation from their abstract or profile, or a quoted expression: titles open with a capital
    if m.kind == "run" and in_their_texts:
        return True  # unquoted, their own words: the name they give a method ("called Self-play via Iterated…")
    return m.owner != "professor" and cv_has_title(m.text, ev)  # the student's own work, named without a claim verb
