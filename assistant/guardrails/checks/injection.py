"""injection: instructions or model meta-text in the output ("ignore previous instructions", "as an AI", "Here
is the email"); URLs and email addresses found in no source, paper link, profile or CV; and any named thing
that only an instruction hidden in the CV mentions. Without a CV, a link in the signature is soft.

A link the professor's own abstract gives ("code at github.com/…") is theirs to cite: the guardrails see trusted
copies of the abstracts with links left out (untrusted.py), so such links come from the sentences ingest marked
(`Paper.flagged_sentences`), except those that read as instructions, whose links are what a planted "visit …"
points at. Drafters still never copy links: they quote only `usable_sentences`."""

from __future__ import annotations

import re

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard, soft
from assistant.guardrails.structure import Field_
from assistant.guardrails.vocabulary import Severity, canonical_url, is_named, norm
from assistant.instructions import INSTRUCTION_WORDS, OUTPUT_INSTRUCTION_RE
from assistant.text import EMAIL_RE, URL_RE, tokens
from assistant.types import Violation

NAME = "injection"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out: list[Violation] = []
    for field in ("subject", "body"):
        text = email.text(field)
        out += _instruction_violations(ev, text)
        out += _link_violations(email, ev, field, text)
    return out + _payload_violations(email, ev)


def _instruction_violations(ev: Evidence, text: str) -> list[Violation]:
    out = []
    for m in OUTPUT_INSTRUCTION_RE.finditer(text):
        phrase = m.group().strip()
        if phrase and not ev.abstracts.has(phrase):
            out.append(
                hard(
                    NAME,
                    f"{phrase!r} is an instruction or model meta-text, not part of an email: remove it (the "
                    "drafting model may have obeyed text hidden in its inputs).",
                    phrase,
                )
            )
    return out


def _link_violations(email: ParsedEmail, ev: Evidence, field: Field_, text: str) -> list[Violation]:
    if not email.masks[field]:
        return []
    injected = "\n".join(ev.injected).lower()
    out = []
    for m in EMAIL_RE.finditer(text):
        if m.group().lower() not in ev.allowed_emails:
            out.append(_link_violation(email, ev, field, m, "email address", injected))
    emails = [m.span() for m in EMAIL_RE.finditer(text)]
    allowed = ev.allowed_urls | _abstract_links(ev)
    for m in URL_RE.finditer(text):
        inside_email = any(a <= m.start() < b for a, b in emails)
        if not inside_email and canonical_url(m.group()) not in allowed:
            out.append(_link_violation(email, ev, field, m, "link", injected))
    return out


def _abstract_links(ev: Evidence) -> set[str]:
    """The links of the professor's own titles and abstracts, as ingest read them, outside instructions."""
    return {canonical_url(u) for s in ev.abstract_marked for u in URL_RE.findall(s)}


def _link_violation(
    email: ParsedEmail, ev: Evidence, field: Field_, m: re.Match[str], what: str, injected: str
) -> Violation:
    span = m.group().rstrip(".,;:!?)")
    if canonical_url(span) in injected or span.lower() in injected:
        return hard(NAME, f"The {what} {span!r} comes from an instruction hidden in the CV: remove it.", span)
    sentence = email.sentence_at(field, m.start())
    if sentence is not None and sentence.part == "signature" and not ev.has_cv:
        return soft(NAME, f"The {what} {span!r} cannot be checked without a CV.", span)
    return hard(NAME, f"The {what} {span!r} appears in no source abstract, paper link, profile or CV: remove it.", span)


def _payload_violations(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """Named things that only an instruction hidden in the CV mentions."""
    payload = {
        norm(word)
        for segment in ev.injected
        for word in tokens(segment)
        if is_named(word) and norm(word) not in INSTRUCTION_WORDS and not ev.known_anywhere(word)
    }
    if not payload:
        return []
    out = []
    for s in email.sentences:
        for tok in email.tokens(s):
            if norm(tok.text) in payload:
                span = email.span(s.field, tok.start, tok.end)
                out.append(
                    hard(
                        NAME,
                        f"{span!r} comes only from an instruction hidden in the CV: the draft obeyed it; "
                        "remove the claim.",
                        span,
                    )
                )
    return out
