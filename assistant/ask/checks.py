"""The answer's guardrail report, every sentence checked on its own through the guardrails'
`check_answer_sentence`, with the papers it cites as the only evidence (all retrieved papers for a sentence that
cites none); ask adds what only it can check: citations to papers that were not retrieved, and cited sentences
that share no word with the paper they cite. See "Ask about a lab's work" in the README."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.ask.markers import LEADING_MARKERS, markers_in, remove_markers
from assistant.ask.question import QUESTION_TERMS
from assistant.ask.retrieve import Source
from assistant.ask.wording import NOT_COVERED
from assistant.guardrails import ANSWER_CHECKS, Claim, check_answer_sentence, check_claims, report_of
from assistant.guardrails.verifier import SupportVerifier
from assistant.ids import normalize_text
from assistant.text import sentences, tokenize
from assistant.types import GuardrailReport, Paper, Violation
from assistant.untrusted import trusted_copy

ASK_CHECKS = ("citations", *ANSWER_CHECKS)

# Words of sentences about the papers rather than their content ("The most recent of those is [3] (May 2026).")
_META_TERMS = frozenset(
    tokenize(
        "closest indexed index recent oldest newest latest earliest date dated undated order then cover covered "
        "january february march april may june july august september october november december"
    )
)


def answer_sentences(text: str) -> list[str]:
    """Lines, then sentences; markers written after the full stop ("… sets. [2]") stay with their sentence."""
    out: list[str] = []
    for line in text.splitlines():
        for piece in sentences(line):
            lead = LEADING_MARKERS.match(piece)
            if lead and out:
                out[-1] += " " + lead.group().strip()
                piece = piece[lead.end() :]
            if piece.strip():
                out.append(piece.strip())
    return out


def check_answer(
    text: str,
    sources: Sequence[Source],
    question: str,
    extra: Sequence[Violation] = (),
    *,
    supported: bool = True,
    verifier: SupportVerifier | None = None,
) -> GuardrailReport:
    """The answer's guardrail report: `extra` (stripped citations...) plus each sentence checked on its own, and
    the support check on the cited sentences (one verifier call, when a verifier is given). An unsupported
    answer cites the closest papers, which by definition do not support it: no overlap or support check."""
    by_marker = {s.marker: s for s in sources}
    found = list(extra)
    for sentence in answer_sentences(text):
        cited = [by_marker[m] for m in markers_in(sentence) if m in by_marker]
        plain = remove_markers(sentence)
        if not plain:
            continue
        violations = _sentence_violations(plain, cited or sources, cited)
        if supported:
            violations += _support_violations(plain, cited)
        if not cited or NOT_COVERED.search(plain):
            # Words the student used may be repeated where nothing is cited ("The indexed papers don't cover RLHF").
            violations = [v for v in violations if not _echoes_question(v, question)]
        found += violations
    report = report_of(found, ASK_CHECKS)
    support = check_claims(answer_claims(text, sources) if supported else [], verifier)
    return report.model_copy(update={"checks": [*report.checks, support]})


def answer_claims(text: str, sources: Sequence[Source]) -> list[Claim]:
    """The sentences that cite retrieved papers, each with those papers: what the support check judges."""
    by_marker = {s.marker: s for s in sources}
    claims = []
    for sentence in answer_sentences(text):
        cited = [by_marker[m] for m in markers_in(sentence) if m in by_marker]
        plain = remove_markers(sentence)
        if cited and plain and not NOT_COVERED.search(plain):
            claims.append(Claim(plain, plain, tuple(_unique_papers(cited))))
    return claims


def dropped_marker_violations(dropped: Sequence[int], sources: Sequence[Source]) -> list[Violation]:
    valid = ", ".join(f"[{s.marker}]" for s in sources) or "none"
    return [
        Violation(
            check="citations",
            severity="hard",
            message=f"[{n}] points to no retrieved paper (retrieved: {valid}); it was removed from the answer.",
            span=f"[{n}]",
        )
        for n in dropped
    ]


def uncited_violation() -> Violation:
    return Violation(
        check="citations",
        severity="hard",
        message="The answer cites none of the retrieved papers, so nothing in it is grounded in them.",
    )


def _owners(sources: Sequence[Source]) -> str:
    return ", ".join(dict.fromkeys(s.professor_name for s in sources))


def _unique_papers(sources: Sequence[Source]) -> list[Paper]:
    """The papers as evidence: without the sentences marked at ingest (untrusted.py), so an answer that repeats
    a planted instruction or link fails the injection check instead of being excused by its source."""
    return list({s.paper.id: trusted_copy(s.paper) for s in sources}.values())


def _sentence_violations(plain: str, evidence: Sequence[Source], cited: Sequence[Source]) -> list[Violation]:
    """The guardrails' checks on one sentence, with the papers it cites as the only evidence."""
    cited_ids = [p.id for p in _unique_papers(cited)]
    found = check_answer_sentence(plain, _unique_papers(evidence), cited_ids, about=_owners(evidence))
    if not cited:
        return found
    refs = ", ".join(f"[{s.marker}]" for s in cited)
    return [v.model_copy(update={"message": f"Not in the cited paper {refs}: {v.message}"}) for v in found]


def _support_violations(plain: str, cited: Sequence[Source]) -> list[Violation]:
    """A cited sentence should share at least one content word with the paper it cites."""
    names = {t for s in cited for t in tokenize(s.professor_name)}
    terms = set(tokenize(plain)) - names - QUESTION_TERMS - _META_TERMS
    if not cited or len(terms) < 2:
        return []
    evidence = {t for s in cited for t in tokenize(s.paper.embedding_text())}
    if terms & evidence:
        return []
    refs = ", ".join(f"[{s.marker}]" for s in cited)
    return [
        Violation(
            check="citations",
            severity="soft",
            message=f"This sentence shares no content word with {refs}, the paper(s) it cites: check the citation.",
            span=plain,
        )
    ]


def _echoes_question(v: Violation, question: str) -> bool:
    return bool(v.span) and f" {normalize_text(v.span or '')} " in f" {normalize_text(question)} "
