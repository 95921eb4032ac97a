"""citations: a draft cites at least one paper; every cited id was retrieved for this draft and is this professor's
paper; a citing sentence that clearly describes another retrieved paper is hard; a real title named but not cited is
soft. From plain text (no ids), papers named or clearly described that are not among the sources are soft."""

from __future__ import annotations

from assistant.guardrails.checks.common import own_paper, student_publication
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard, soft
from assistant.guardrails.vocabulary import Severity, norm
from assistant.types import Paper, Violation

NAME = "citations"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

WRONG_CITATION_SHARE = 0.35  # the cited paper scores below this share of the best-matching retrieved paper...
WRONG_CITATION_MIN_SCORE = 4.0  # ...which itself has at least this much distinctive (idf-weighted) overlap


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    if not email.structured:
        return _uncited_mentions(email, ev, among_sources=True) + _described_unretrieved(email, ev)
    if not email.cited_ids:
        # A draft is made to be grounded in the professor's papers: one that cites none has nothing to check its
        # claims against (a small local model's "I would like to work on this subject:" passed every check).
        return [hard(NAME, f"The draft cites none of {ev.name}'s papers: cite the retrieved papers it relies on.")]
    out = [v for pid in email.cited_ids for v in _citation_id_violations(email, ev, pid)]
    out += _citation_where_violations(email, ev)
    out += _uncited_mentions(email, ev, among_sources=False)
    return out


def cited_papers(email: ParsedEmail, ev: Evidence) -> set[str]:
    """The ids a structured draft cites that are papers of this professor."""
    return set(email.cited_ids) & set(ev.papers)


def _citation_id_violations(email: ParsedEmail, ev: Evidence, pid: str) -> list[Violation]:
    where = next((c.where for c in email.citations if c.paper_id == pid), "")
    span = email.in_body(where)
    if pid not in ev.papers:
        other = ev.other_owner(pid)
        whose = f"{other}'s paper" if other else "not a paper of theirs we know"
        return [
            hard(
                NAME,
                f"Cited id {pid!r} is {whose}, not one of {ev.name}'s papers: remove the "
                "citation or cite one of the retrieved sources.",
                span,
            )
        ]
    if pid not in ev.source_ids:
        label = ev.papers[pid].label()
        return [
            hard(
                NAME,
                f"Cited paper {label!r} ({pid}) was not retrieved for this draft: cite only "
                "the retrieved sources, or retrieve it first.",
                span,
            )
        ]
    return []


def _citation_where_violations(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out: list[Violation] = []
    by_where: dict[str, set[str]] = {}
    for c in email.citations:
        by_where.setdefault(c.where, set()).add(c.paper_id)
    for where, ids in by_where.items():
        if where.strip() and norm(where) not in norm(email.body):
            out.append(
                soft(
                    NAME,
                    f"The citation of {sorted(ids)} points at text that is not in the "
                    f"email ({where[:60]!r}); quote the sentence that uses the paper.",
                )
            )
            continue
        for pid in sorted(ids & ev.source_ids & set(ev.papers)):
            other = _better_described(ev, where, pid, ids)
            if other:
                out.append(
                    hard(
                        NAME,
                        f"The sentence cited as {ev.papers[pid].label()!r} "
                        f"describes {other.label()!r} instead: fix the citation id.",
                        email.in_body(where),
                    )
                )
    return out


def _better_described(ev: Evidence, where: str, pid: str, cited: set[str]) -> Paper | None:
    """The retrieved paper this text clearly describes, when it is not the cited one."""
    scores = _description_scores(ev, where, [p.id for p in ev.sources if p.id in ev.papers])
    if len(scores) < 2:
        return None
    best = max(scores, key=lambda i: scores[i])
    same_text = ev.paper_texts[best].norm == ev.paper_texts[pid].norm
    if best in cited or same_text or scores[best] < WRONG_CITATION_MIN_SCORE:
        return None
    return ev.papers[best] if scores[pid] < WRONG_CITATION_SHARE * scores[best] else None


def _description_scores(ev: Evidence, text: str, ids: list[str]) -> dict[str, float]:
    """How much of each paper's distinctive (idf-weighted) vocabulary a piece of text uses (the professor's
    name left out), from the index of which paper holds which word (paper_words.PaperWords)."""
    return ev.words.description_scores(text, ids, ev.name_stems)


def _described_unretrieved(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """From text: sentences that clearly describe one of their papers that is not among the sources."""
    ids = list(ev.papers)
    if len(ids) < 2:
        return []
    out = []
    for s in email.body_sentences("professor", "mixed"):
        scores = _description_scores(ev, s.text, ids)
        best = max(scores, key=lambda i: scores[i])
        runner_up = max((v for i, v in scores.items() if i != best), default=0.0)
        clear = scores[best] >= WRONG_CITATION_MIN_SCORE and runner_up < WRONG_CITATION_SHARE * scores[best]
        if clear and best not in ev.source_ids:
            out.append(
                soft(
                    NAME,
                    f"This sentence seems to describe {ev.papers[best].label()!r}, which is not among the "
                    "sources given; check that it is the paper you mean.",
                    s.text,
                )
            )
    return out


def _uncited_mentions(email: ParsedEmail, ev: Evidence, *, among_sources: bool) -> list[Violation]:
    out = []
    cited = cited_papers(email, ev)
    for m in email.mentions:
        paper = own_paper(m, ev)
        if paper is None or (m.owner == "student" and student_publication(m, ev)):
            continue
        if among_sources and paper.id not in ev.source_ids:
            msg = f"{paper.title!r} is one of their papers but not among the sources given; check it is meant."
        elif not among_sources and paper.id not in cited:
            msg = f"The email names {paper.title!r} but does not cite its id ({paper.id}): add the citation."
        else:
            continue
        out.append(soft(NAME, msg, email.span(m.field, m.start, m.end)))
    return out
