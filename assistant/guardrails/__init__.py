"""Guardrails: checks that catch invented claims in an outreach email or an answer; deterministic and offline,
except the support check, which asks an LLM verifier only when the caller passes one in (`verifier.py`).

Every claim must be backed by data we hold: the professor's indexed papers and profile, and the student's CV.
A check run parses the email once (`parse.ParsedEmail`: sentences with offsets, the part each stands in and whom
it is about, tokens, title mentions, quoted spans), normalises the evidence once (`evidence.Evidence`), and runs
every check of the registry (`checks/`, one module per check) on the two; `report.py` rolls the violations up
into a `GuardrailReport`. Each check appears in the report, passed, failed, skipped (with the reason) or
unverified (it should have run and could not: the support check's verifier failed); each
violation names its check, its severity, what to do, and the offending span (an exact substring of the subject or
body, or None when the problem is not in the text, e.g. a cited id). What each check detects: the README's
"How the guardrails work", and each check module's docstring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.guardrails.checks import MISSING, REGISTRY, Check, support
from assistant.guardrails.evidence import Author, Evidence, GuardrailContext, StoreCorpus
from assistant.guardrails.parse import ParsedEmail, parse_email
from assistant.guardrails.report import Unverified, check_result, roll_up
from assistant.guardrails.verbatim import BATCH_SIMILARITY, similar_pairs
from assistant.guardrails.verifier import Claim, SupportVerifier
from assistant.types import CheckResult, EmailDraft, GuardrailReport, Paper, Violation

__all__ = [
    "ANSWER_CHECKS",
    "BATCH_SIMILARITY",
    "CHECKS",
    "Claim",
    "GuardrailContext",
    "StoreCorpus",
    "check_answer_sentence",
    "check_claims",
    "check_draft",
    "check_text",
    "report_checks",
    "report_of",
    "similar_pairs",
    "split_subject",
]

CHECKS: tuple[str, ...] = tuple(c.NAME for c in REGISTRY)
# What an answer about papers can be held to (its citations are checked by ask itself; it makes no claims about
# a student, copies abstracts on purpose when it quotes them, and is not a letter).
ANSWER_CHECKS: tuple[str, ...] = ("titles", "numbers", "attribution", "injection")
NO_LLM = MISSING["llm"]


def check_draft(draft: EmailDraft, ctx: GuardrailContext, verifier: SupportVerifier | None = None) -> GuardrailReport:
    """Run every check on a structured draft (cited ids and student claims included). Offline unless a
    `verifier` is given: only the support check calls it (guardrails/verifier.py)."""
    email = parse_email(
        draft.subject,
        draft.body,
        ctx.professor.name,
        structured=True,
        cited_ids=draft.cited_paper_ids,
        citations=draft.citations,
        claims=draft.student_claims,
        student_name=_student_name(ctx),
    )
    return report_checks(email, Evidence.of_context(ctx, verifier))


def check_text(text: str, ctx: GuardrailContext, verifier: SupportVerifier | None = None) -> GuardrailReport:
    """Run every check on plain email text; a leading "Subject:" line becomes the subject."""
    subject, body = split_subject(text)
    email = parse_email(subject, body, ctx.professor.name, structured=False, student_name=_student_name(ctx))
    return report_checks(email, Evidence.of_context(ctx, verifier))


def _student_name(ctx: GuardrailContext) -> str | None:
    return ctx.student.name if ctx.student else None


def check_answer_sentence(sentence: str, papers: Sequence[Paper], cited: Iterable[str], about: str) -> list[Violation]:
    """The answer checks on one sentence of an answer, with `papers` as the only evidence: numbers, years and
    named things must be in them, quoted titles must be theirs, no instructions or unknown links. `cited`: the
    ids of the papers the sentence cites; `about`: whose work the papers are (names, for messages)."""
    email = parse_email("", sentence, about, structured=True, cited_ids=cited)
    evidence = Evidence(Author(name=about, papers=tuple(papers)), papers)
    return run_checks(email, evidence, [c for c in REGISTRY if c.NAME in ANSWER_CHECKS])


def check_claims(claims: Sequence[Claim], verifier: SupportVerifier | None) -> CheckResult:
    """The support check's entry for claims gathered elsewhere (an answer's cited sentences)."""
    if verifier is None or verifier.skip_reason:
        return check_result(support.NAME, support.SEVERITY, [], skipped=verifier.skip_reason if verifier else NO_LLM)
    try:
        return check_result(support.NAME, support.SEVERITY, support.judge(claims, verifier))
    except Unverified as exc:
        return check_result(support.NAME, support.SEVERITY, exc.found, unverified=exc.reason)


def report_of(found: Sequence[Violation], checks: Sequence[str] = CHECKS) -> GuardrailReport:
    """The report over the named checks (registry order, nominal severities) from violations found elsewhere,
    e.g. an answer's sentences checked one by one."""
    return roll_up(found, {c.NAME: c.SEVERITY for c in REGISTRY if c.NAME in checks})


def run_checks(email: ParsedEmail, ev: Evidence, checks: Sequence[Check] = REGISTRY) -> list[Violation]:
    """Every violation the checks find, in registry order (a check that cannot run finds nothing)."""
    return [v for c in checks if not _missing(c, ev) for v in c.run(email, ev)]


def report_checks(email: ParsedEmail, ev: Evidence, checks: Sequence[Check] = REGISTRY) -> GuardrailReport:
    """Every check's entry: passed, failed, skipped with the reason when it lacks what it needs, or unverified
    with the reason when it should have run and could not (a failed verifier call)."""
    found: list[Violation] = []
    skipped: dict[str, str] = {}
    unverified: dict[str, str] = {}
    for c in checks:
        if reason := _missing(c, ev):
            skipped[c.NAME] = reason
            continue
        try:
            found += c.run(email, ev)
        except Unverified as exc:
            found += exc.found
            unverified[c.NAME] = exc.reason
    return roll_up(found, {c.NAME: c.SEVERITY for c in checks}, skipped, unverified)


def _missing(check: Check, ev: Evidence) -> str | None:
    """Why this run does not run the check, by configuration: the first thing it needs that the run lacks."""
    reasons = {
        "cv": None if ev.has_cv else MISSING["cv"],
        "llm": ev.verifier.skip_reason if ev.verifier else NO_LLM,
    }
    return next((why for need in sorted(check.NEEDS) if (why := reasons.get(need))), None)


def split_subject(text: str) -> tuple[str, str]:
    """(subject, body) of an email's text: the subject comes from a leading "Subject:" line, else it is ""."""
    match = re.match(r"\s*subject\s*:[ \t]*(?P<subject>[^\n]*)\n?", text, re.IGNORECASE)
    if not match:
        return "", text.strip("\n")
    return match.group("subject").strip(), text[match.end() :].strip("\n")
