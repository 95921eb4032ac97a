"""support: each body sentence that may state something about the professor's work (the parsed email's `about`:
professor, mixed, or neutral — "ParM encodes queries into a parity query" names no one) must be backed by the
paper it describes — the paper it cites or names by title, else the retrieved source whose distinctive words it
uses most. One verifier call per email judges them all (verifier.py); its verdict is an opinion checked in code:
a "supported" sentence needs a quote of at least `MIN_QUOTE_WORDS` words found in that paper's title or abstract
(normalised). A missing, paraphrased or other-paper quote counts as unsupported. Unsupported is hard, on the
sentence's span, with the verifier's one-line reason; not-a-claim is nothing; a sentence the reply leaves out
makes the check unverified. This is the check for reversed or overstated findings, which carry no number or name
for the deterministic checks to catch."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.guardrails.checks.citations import _description_scores
from assistant.guardrails.checks.common import own_paper
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import Unverified, hard
from assistant.guardrails.structure import Sentence
from assistant.guardrails.verifier import NO_LLM, Claim, SupportVerifier, Verifier
from assistant.guardrails.vocabulary import Severity, norm
from assistant.text import join_english
from assistant.types import Paper, SupportItem, Violation

NAME = "support"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset({"llm"})

MIN_QUOTE_WORDS = 3  # a shorter "quote" ("the model") is found in any abstract and backs nothing
MAX_REASON_CHARS = 200


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    if ev.verifier is None:  # the report skips the check first (NEEDS); never pass it unchecked
        raise Unverified(NO_LLM)
    return judge(claims_of(email, ev), ev.verifier)


def claims_of(email: ParsedEmail, ev: Evidence) -> list[Claim]:
    """The body's sentences that are not about the student alone, each with the paper(s) it describes."""
    sources = [p for p in ev.sources if p.id in ev.papers] or list(ev.papers.values())
    claims = []
    for s in email.body_sentences("professor", "mixed", "neutral"):
        papers = _described(email, ev, s, sources)
        if papers:
            claims.append(Claim(s.text, s.text, tuple(papers)))
    return claims


def judge(claims: Sequence[Claim], verifier: SupportVerifier) -> list[Violation]:
    """The verifier's verdicts turned into violations, each quote checked in code. Raises `Unverified` (with the
    violations already found) when the call fails or its reply leaves sentences out."""
    if not claims and isinstance(verifier, Verifier):
        return []  # nothing to send; a verifier that is required and missing is unverified all the same
    items = verifier.judge(claims)
    every_paper = list({p.id: p for c in claims for p in c.papers}.values())
    found, omitted = [], []
    for n, claim in enumerate(claims, start=1):
        item = items.get(n)
        if item is None:
            omitted.append(n)
        elif v := _violation(claim, item, every_paper):
            found.append(v)
    if omitted:
        which = join_english([str(n) for n in omitted])
        raise Unverified(f"the verifier's reply left out sentence(s) {which} of {len(claims)}", found)
    return found


def _described(email: ParsedEmail, ev: Evidence, s: Sentence, sources: list[Paper]) -> list[Paper]:
    """The papers the sentence cites or names; else the source it describes best (the first source when it
    shares no distinctive word with any: the verifier then sees the draft's main paper)."""
    cited = [c.paper_id for c in email.citations if _overlaps(email, c.where, s)]
    named = [p.id for m in email.mentions if m.sentence == s and (p := own_paper(m, ev))]
    ids = [i for i in dict.fromkeys([*cited, *named]) if i in ev.papers]
    if ids:
        return [ev.papers[i] for i in ids]
    if not sources:
        return []
    scores = _description_scores(ev, s.text, [p.id for p in sources])
    return [max(sources, key=lambda p: scores[p.id])]  # max keeps the first of equals: retrieval order


def _overlaps(email: ParsedEmail, where: str, s: Sentence) -> bool:
    """A citation's `where` (the sentence or phrase that uses the paper) falls in this sentence."""
    at = email.body.find(where) if where.strip() else -1
    return at >= 0 and at < s.end and s.start < at + len(where)


def _violation(claim: Claim, item: SupportItem, every_paper: list[Paper]) -> Violation | None:
    if item.verdict == "not_a_claim":
        return None
    named = join_english([repr(p.label()) for p in claim.papers])
    if item.verdict == "unsupported":
        why = _one_line(item.reason) or "no reason given"
        return hard(
            NAME,
            f"Not supported by {named} (verifier: {why}): state only what its abstract says, or remove it.",
            claim.span,
        )
    problem = _quote_problem(item.quote, claim.papers, every_paper)
    if problem is None:
        return None
    return hard(
        NAME, f"Not shown to be supported by {named}: {problem}. State only what its abstract says.", claim.span
    )


def _quote_problem(quote: str, papers: Sequence[Paper], every_paper: Sequence[Paper]) -> str | None:
    """Why the verifier's quote backs nothing, or None when it is a passage of one of the sentence's papers."""
    q = norm(quote)
    if len(q.split()) < MIN_QUOTE_WORDS:
        return "the verifier called it supported but quoted no passage"
    if any(_quotes(q, p) for p in papers):
        return None
    own = {p.id for p in papers}
    other = next((p for p in every_paper if p.id not in own and _quotes(q, p)), None)
    if other is not None:
        return f"the verifier's quote comes from another paper, {other.label()!r}"
    return "the verifier's quote is not in its title or abstract"


def _quotes(q: str, paper: Paper) -> bool:
    return any(f" {q} " in f" {norm(text)} " for text in (paper.title, paper.abstract) if text)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_REASON_CHARS else line[: MAX_REASON_CHARS - 1].rstrip() + "\u2026"
