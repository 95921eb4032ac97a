"""Drafting: choose the professor's papers that fit the student, write the email, check it, repair it.

Two drafters share retrieval and guardrails: the LLM (structured output, then up to N repair rounds fed with
the violations) and the offline drafter (assistant/compose: templates around a retold sentence of each paper;
deterministic). Transport retries live in llm.py; the repair loop here is separate.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.compose import OFFLINE_TEMPLATES, compose_email
from assistant.compose.connect import shared_item_set
from assistant.guardrails import GuardrailContext, StoreCorpus, check_draft, check_text
from assistant.guardrails.saved_corpus import store_corpus
from assistant.guardrails.verifier import SupportVerifier, support_verifier
from assistant.index import PaperIndex
from assistant.llm import LLMError, Usage
from assistant.match import MatchConfig, pair_scores, reference_year
from assistant.seams import IndexReader, StructuredLLM
from assistant.settings import Settings
from assistant.templating import render
from assistant.text import surname
from assistant.types import (
    CVItem,
    DraftResult,
    EmailDraft,
    GuardrailReport,
    Paper,
    Professor,
    Provenance,
    StudentProfile,
)
from assistant.untrusted import trusted_copy, trusted_professor, usable_abstract, usable_title

if TYPE_CHECKING:
    from numpy.typing import NDArray

LLM_TEMPLATES = ["system.j2", "draft.j2", "repair.j2"]


@dataclass
class SelectedSource:
    paper: Paper
    cv_item: CVItem
    score: float


# ---------------------------------------------------------------- retrieval


def select_sources(
    student: StudentProfile, professor: Professor, index: IndexReader, n: int, *, diversity: float = 0.3
) -> list[SelectedSource]:
    """The professor's papers most relevant to the student: hybrid pair scores, a recency preference, and
    maximal-marginal-relevance so three citations are not three versions of one idea."""
    snap = index.snapshot()
    rows = np.array(snap.rows_of.get(professor.id, []), dtype=int)
    items = student.research_items() or student.all_items()
    if not len(rows) or not items:
        return []
    cfg = MatchConfig()
    item_set = shared_item_set(items, index)
    pairs = pair_scores(item_set, rows, cfg)
    best, best_item = pairs.max(axis=0), pairs.argmax(axis=0)
    ref = reference_year(index)
    known = snap.years[rows]  # 0 when unknown, as a paper's year is None
    years = np.where(known > 0, known, ref - 5).astype(np.float32)
    relevance = best * (0.85 + 0.15 * 0.5 ** (np.clip(ref - years, 0, None) / cfg.half_life_years))
    chosen = _diverse(np.asarray(snap.matrix[rows]), relevance, n, diversity)
    return [
        SelectedSource(snap.papers[rows[j]], items[int(best_item[j])], round(float(relevance[j]), 3)) for j in chosen
    ]


def _diverse(vectors: NDArray[np.float32], relevance: NDArray[np.float32], n: int, diversity: float) -> list[int]:
    """Up to `n` rows by maximal marginal relevance, skipping near-duplicates of rows already chosen. Each row's
    redundancy (its highest cosine with a chosen row) is kept up to date as rows are chosen rather than recomputed
    for every candidate at every step: the same maxima of the same products, so the same picks."""
    chosen: list[int] = []
    redundancy: dict[int, float] = {}  # candidate -> max cosine with the chosen rows (absent: nothing chosen yet)
    candidates = [int(j) for j in np.argsort(-relevance, kind="stable")]
    while candidates and len(chosen) < n:

        def mmr(j: int) -> float:
            return (1 - diversity) * float(relevance[j]) - diversity * redundancy.get(j, 0.0)

        pick = max(candidates, key=lambda j: (mmr(j), -j))
        candidates.remove(pick)
        if redundancy.get(pick, 0.0) > 0.92 and chosen:
            continue  # a near-duplicate listing of a paper already chosen
        chosen.append(pick)
        for j in candidates:
            cosine = float(vectors[j] @ vectors[pick])
            redundancy[j] = max(redundancy[j], cosine) if j in redundancy else cosine
    return chosen


# ---------------------------------------------------------------- LLM drafter


def _source_block(source: SelectedSource) -> dict[str, object]:
    p = source.paper
    return {
        "id": p.id,
        "title": usable_title(p) or "(title left out: it reads as an instruction or carries a link)",
        "where": p.where() or "no venue",
        "abstract": usable_abstract(p) or "(no abstract)",
        "cv_item": source.cv_item.text,
    }


def llm_messages(
    student: StudentProfile, professor: Professor, sources: Sequence[SelectedSource], settings: Settings, goal: str
) -> list[tuple[str, str]]:
    system = render(
        "system",
        professor_surname=surname(professor.name),
        min_words=settings.draft_min_words,
        max_words=settings.draft_max_words,
    )
    human = render(
        "draft",
        professor_name=professor.name,
        affiliation=professor.affiliation or "",
        goal=goal,
        sources=[_source_block(s) for s in sources],
        cv_items=student.all_items(),
    )
    return [("system", system), ("human", human)]


def repair_message(draft: EmailDraft, report: GuardrailReport) -> tuple[str, str]:
    return ("human", render("repair", violations=report.hard_violations, subject=draft.subject, body=draft.body))


@dataclass
class Made:
    """A draft with its report, and what making it took."""

    draft: EmailDraft
    report: GuardrailReport
    usage: Usage
    rounds: int
    review_reason: str | None = None  # a repair round that failed: this draft is the last one that parsed


def llm_draft(llm: StructuredLLM, messages: list[tuple[str, str]], check: GuardrailCheck, rounds: int) -> Made:
    """Draft, check, and on hard failures repair with the violations fed back (at most `rounds` times). A repair
    round that fails (its reply does not parse, a limit is hit) keeps the last draft that parsed, with its report.
    A draft that is only unverified (the support check's verifier failed) is not repaired: nothing says what to
    fix."""
    draft, usage = llm.structured(messages, EmailDraft, what="drafting", kind="draft")  # a failure here has no draft
    made = Made(draft, check(draft), usage, 0)
    while made.report.hard_violations and made.rounds < rounds:
        made.rounds += 1
        messages = [*messages, ("ai", f"Subject: {draft.subject}\n\n{draft.body}"), repair_message(draft, made.report)]
        try:
            draft, used = llm.structured(messages, EmailDraft, what="repairing", kind="repair")
        except LLMError as exc:
            usage.add(exc.usage)
            made.review_reason = f"repair round {made.rounds} failed ({exc}); this is the last draft that parsed"
            break
        usage.add(used)
        made.draft, made.report = draft, check(draft)
    return made


class GuardrailCheck:
    """Every round's guardrails, the support check's verifier call included (one per round)."""

    def __init__(self, ctx: GuardrailContext, verifier: SupportVerifier | None = None) -> None:
        self.ctx = ctx
        self.verifier = verifier

    def __call__(self, draft: EmailDraft) -> GuardrailReport:
        return check_draft(draft, self.ctx, self.verifier)


# ---------------------------------------------------------------- orchestration


def guardrail_context(
    professor: Professor,
    sources: Sequence[Paper],
    student: StudentProfile | None,
    index: IndexReader,
    settings: Settings,
    *,
    trusted: Professor | None = None,
) -> GuardrailContext:
    """`trusted`: `trusted_professor(professor)`, when the caller made it already."""

    def in_memory() -> StoreCorpus:
        profs = index.catalog.professors(kind="professor", with_papers=True)
        # Trusted copies, as the checked professor's own papers are: the n-gram indexes are cached by the corpus's
        # abstracts, and a professor whose text differs from the corpus's would rebuild them on every draft.
        return StoreCorpus((p.id, p.name, trusted_copy(paper)) for p in profs for paper in p.papers)

    return GuardrailContext(
        professor=trusted or trusted_professor(professor),
        sources=[trusted_copy(p) for p in sources],
        student=student,
        corpus=index.derived("guardrail_corpus", lambda: store_corpus(index.catalog, in_memory)),
        min_words=settings.draft_min_words,
        max_words=settings.draft_max_words,
    )


def verify_text(
    text: str,
    professor: Professor,
    student: StudentProfile | None,
    index: PaperIndex,
    verifier: SupportVerifier | None = None,
) -> GuardrailReport:
    """The guardrails on any email text (a leading "Subject:" line is its subject), checked against all of the
    professor's papers: what `outreach verify` and the web editor run on a hand-written or edited email. The
    support check runs only with a `verifier` (`outreach verify` passes what OUTREACH_VERIFY_SUPPORT gives)."""
    ctx = guardrail_context(professor, professor.papers, student, index, index.settings)
    return check_text(text, ctx, verifier)


def draft_email(
    student: StudentProfile,
    professor: Professor,
    settings: Settings,
    *,
    offline: bool | None = None,
    index: IndexReader | None = None,
    llm: StructuredLLM | None = None,
    verifier: SupportVerifier | None = None,
    goal: str = "join the professor's group as a research student",
) -> DraftResult:
    """Draft one email. Offline when asked, or when no LLM is configured; the report is always attached.
    `verifier`: the support check's (default: what OUTREACH_VERIFY_SUPPORT makes of this run)."""
    index = index or PaperIndex(settings)
    use_offline = settings.mode(offline) == "offline"
    with ThreadPoolExecutor(1, thread_name_prefix="trusted") as pool:
        # The professor's trusted copy (regular expressions over every sentence: 0.25 s for 469 papers) is made
        # while retrieval embeds the CV, which releases the interpreter lock: on two cores they overlap.
        trusted = pool.submit(trusted_professor, professor)
        selected = select_sources(student, professor, index, settings.draft_citations)
        papers = [s.paper for s in selected]
        ctx = guardrail_context(professor, papers, student, index, settings, trusted=trusted.result())
    verifier = verifier or support_verifier(settings, offline=use_offline)
    check = GuardrailCheck(ctx, verifier)
    if use_offline:
        draft = compose_email(student, professor, [(s.paper, s.cv_item) for s in selected], index)
        made = Made(draft, check(draft), Usage(), 0)
    else:
        from assistant.llm import LLM  # httpx and the SDK's machinery: only when a call is made

        messages = llm_messages(student, professor, selected, settings, goal)
        made = llm_draft(llm or LLM(settings), messages, check, settings.repair_rounds)
    provenance = Provenance(
        mode="offline" if use_offline else "llm",
        model=None if use_offline else settings.llm_model,
        templates=(OFFLINE_TEMPLATES if use_offline else LLM_TEMPLATES) + verifier.templates,
        settings_hash=settings.fingerprint(),
        grounded_on=[p.id for p in papers],
        prompt_tokens=made.usage.prompt_tokens,
        completion_tokens=made.usage.completion_tokens,
        repair_rounds=made.rounds,
        structured_mode=made.usage.mode,
        reasks=made.usage.reasks,
        review_reason=made.review_reason,
        verify_prompt_tokens=verifier.usage.prompt_tokens,
        verify_completion_tokens=verifier.usage.completion_tokens,
    )
    return DraftResult(
        professor_id=professor.id,
        professor_name=professor.name,
        draft=made.draft,
        sources=papers,
        report=made.report,
        provenance=provenance,
    )
