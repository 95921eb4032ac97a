"""Drafting: choose the professor's papers that fit the student, write the email, check it, repair it.

Two drafters share retrieval and guardrails: the LLM (structured output, then up to N repair rounds fed with
the violations) and the offline drafter (jinja2 templates over the student's CV items and each paper's own
key-contribution clause; deterministic). Transport retries live in llm.py; the repair loop here is separate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.guardrails import GuardrailContext, StoreCorpus, check_draft, check_text
from assistant.guardrails.verifier import SupportVerifier, support_verifier
from assistant.index import PaperIndex
from assistant.llm import LLM, LLMError, Usage
from assistant.match import MatchConfig, build_item_set, pair_scores, reference_year
from assistant.seams import IndexReader, StructuredLLM
from assistant.settings import Settings
from assistant.templating import render
from assistant.text import join_english, sentences, surname, tokenize
from assistant.types import (
    CitationUse,
    CVItem,
    DraftResult,
    EmailDraft,
    GuardrailReport,
    Paper,
    Professor,
    Provenance,
    StudentClaim,
    StudentProfile,
)
from assistant.untrusted import trusted_copy, trusted_professor, usable_abstract, usable_title

LLM_TEMPLATES = ["system.j2", "draft.j2", "repair.j2"]
OFFLINE_TEMPLATES = ["offline_subject.j2", "offline_email.j2"]
# The offline drafter lifts at most this many consecutive words from an abstract (the copying guardrail warns
# from 12), so "that" + a clause stays well clear of it.
MAX_QUOTED_WORDS = 8


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
    item_set = build_item_set(items, index)
    pairs = pair_scores(item_set, rows, cfg)
    best, best_item = pairs.max(axis=0), pairs.argmax(axis=0)
    ref = reference_year(index)
    years = np.array([snap.papers[r].year or ref - 5 for r in rows], dtype=np.float32)
    relevance = best * (0.85 + 0.15 * 0.5 ** (np.clip(ref - years, 0, None) / cfg.half_life_years))
    vectors = snap.matrix[rows]
    chosen: list[int] = []
    candidates = [int(j) for j in np.argsort(-relevance, kind="stable")]
    while candidates and len(chosen) < n:

        def mmr(j: int) -> float:
            redundancy = max((float(vectors[j] @ vectors[c]) for c in chosen), default=0.0)
            return (1 - diversity) * float(relevance[j]) - diversity * redundancy

        pick = max(candidates, key=lambda j: (mmr(j), -j))
        candidates.remove(pick)
        if any(float(vectors[pick] @ vectors[c]) > 0.92 for c in chosen):
            continue  # a near-duplicate listing of a paper already chosen
        chosen.append(pick)
    return [
        SelectedSource(snap.papers[rows[j]], items[int(best_item[j])], round(float(relevance[j]), 3)) for j in chosen
    ]


# ---------------------------------------------------------------- offline drafter

_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study)|our (?:work|results|analysis))\s+(?:also\s+|further\s+|then\s+)?"
    r"(show|prove|demonstrate|find|propose|introduce|identify|establish|develop|present|design|derive|"
    r"analy[sz]e|study|investigate|characteri[sz]e|provide|obtain|address|explore|examine|tackle|extend|"
    r"consider|reveal|uncover)s?\b(?:\s+that)?\s+",
    re.IGNORECASE,
)
_PAST = {
    "show": "showed",
    "prove": "proved",
    "demonstrate": "demonstrated",
    "find": "found",
    "propose": "proposed",
    "introduce": "introduced",
    "identify": "identified",
    "establish": "established",
    "develop": "developed",
    "present": "presented",
    "design": "designed",
    "derive": "derived",
    "analyze": "analyzed",
    "analyse": "analysed",
    "study": "studied",
    "investigate": "investigated",
    "characterize": "characterized",
    "characterise": "characterised",
    "provide": "provided",
    "obtain": "obtained",
}
_BOUNDARY = re.compile(r"[,;:(—–]|\s(?:and|which|while|where|whereas|by|through|via|using|under|but)\s")


def _clause(text: str, max_words: int = MAX_QUOTED_WORDS) -> str:
    """A short, self-contained opening of `text` (≤ max_words words), cut at a natural boundary."""
    words = text.split()
    if len(words) <= max_words:
        return text.rstrip(" .")
    head = " ".join(words[: max_words + 1])
    cuts = [m.start() for m in _BOUNDARY.finditer(head) if len(head[: m.start()].split()) >= 4]
    # Cut short either way, so say so: a truncated clause ends with an ellipsis, never a full stop.
    if cuts:
        return head[: cuts[-1]].rstrip(" ,;:") + "\u2026"
    return " ".join(words[:max_words]).rstrip(" ,;:") + "\u2026"


def key_contribution(paper: Paper, focus: str = "") -> tuple[str, str] | None:
    """(verb in past tense, clause) from the abstract sentence that states what the paper contributes."""
    focus_terms = set(tokenize(focus))
    best: tuple[float, str, str] | None = None
    for position, sentence in enumerate(sentences(paper.abstract or "")):
        match = _CONTRIBUTION.search(sentence)
        if not match or "$" in sentence or "\\" in sentence:  # LaTeX does not survive being cut short
            continue
        # Parentheticals ("(both theoretically and experimentally)") make clumsy fragments once cut short.
        rest = re.sub(r"\s*\([^)]*\)", "", sentence[match.end() :]).strip()
        if len(rest.split()) < 3:
            continue
        overlap = len(focus_terms & set(tokenize(sentence)))
        verb = match.group(1).lower()
        # Prefer findings over set-up ("we study ..."), sentences on the student's topic, and earlier ones.
        weight = overlap + (1.5 if verb in {"show", "prove", "demonstrate", "find", "propose", "introduce"} else 0)
        score = weight - 0.1 * position
        if best is None or score > best[0]:
            best = (score, _PAST.get(verb, verb + "ed"), _clause(rest))
    return (best[1], best[2]) if best else None


def _when(paper: Paper) -> str:
    return f" ({paper.year})" if paper.year else ""


def paper_sentence(source: SelectedSource) -> str:
    paper, item = trusted_copy(source.paper), source.cv_item  # marked sentences are never quoted
    contribution = key_contribution(paper, item.text)
    if paper.title:
        opener = f"In \u201c{paper.title}\u201d{_when(paper)}"
    else:
        kind = next((s.kind for s in paper.sources if s.kind), None) or "paper"
        venue = f" on {paper.venue}" if paper.venue else ""
        opener = f"In your {paper.year or 'recent'} {kind}{venue}"
    if contribution:
        verb, clause = contribution
        that = "that " if verb in {"showed", "proved", "demonstrated", "found"} else ""
        body = _end(f"{opener}, you {verb} {that}{clause}")
    elif paper.title:
        body = f"I read \u201c{paper.title}\u201d{_when(paper)} with particular interest."
    else:
        first = " ".join((paper.abstract or "").split()[:MAX_QUOTED_WORDS])
        body = f"{opener[3].upper()}{opener[4:]} caught my attention; its abstract opens with \u201c{first}\u2026\u201d"
    return f"{body} {_connection(item)}"


_CONNECTION = {
    "interests": "This connects to my interest in {}",
    "publications": "It relates to my own paper, {}",
    "experience": "It relates to my work on {}",
    "projects": "It relates to my project on {}",
}


def _connection(item: CVItem) -> str:
    template = _CONNECTION.get(item.section, "It relates to {} in my CV")
    if item.section == "publications":
        return _end(template.format(f"\u201c{publication_title(item.text)}\u201d"))
    return _end(template.format(_lower_first(_topic(item.text, 14))))


def publication_title(entry: str) -> str:
    """The title in a citation line ("A. Author, B. Author. The Title. Venue, 2025"): its longest segment."""
    segments = [seg.strip() for seg in re.split(r"(?<=[a-z0-9)?])\.\s+(?=[A-Z])", entry) if seg.strip()]
    return max(segments, key=lambda seg: len(seg.split())).rstrip(".") if segments else entry


def _end(sentence: str) -> str:
    """Close a sentence once: a clause cut short already ends with an ellipsis."""
    sentence = sentence.rstrip(" .,;:")
    return sentence if sentence.endswith("\u2026") else sentence + "."


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    # Keep acronyms and names ("LLM", "PyTorch") as written.
    return text if any(c.isupper() for c in first[1:]) or first.isupper() else text[:1].lower() + text[1:]


_FIRST_PERSON_LEAD = re.compile(
    r"^(?:my (?:research|work|interests?)(?: (?:is|are|focuses|lies))?(?: (?:on|in))?|i am (?:interested|working) in"
    r"|i (?:also )?(?:work|focus) on|interested in|i (?:also )?study)\s+",
    re.IGNORECASE,
)


def _topic(text: str, words: int = 8) -> str:
    """The head of a CV item: up to its first colon/semicolon/comma, at most `words` words, first person dropped."""
    text = _FIRST_PERSON_LEAD.sub("", text.strip())
    head = re.split(r"[:;,(\u2014]| - ", text, maxsplit=1)[0].strip().rstrip(".,")
    parts = head.split()
    return " ".join(parts[:words]) + ("\u2026" if len(parts) > words else "")


def offline_draft(student: StudentProfile, professor: Professor, sources: Sequence[SelectedSource]) -> EmailDraft:
    interests = [_lower_first(_topic(i.text, 10)) for i in student.interests[:3]]
    background = student.education[0].text.rstrip(".") if student.education else ""
    skills = ", ".join(i.text.rstrip(".") for i in student.skills[:5])
    publication = f"\u201c{publication_title(student.publications[0].text)}\u201d" if student.publications else ""
    sentences = [paper_sentence(s) for s in sources]
    topic = _topic(sources[0].cv_item.text) if sources else (interests[0] if interests else "your research")
    body = render(
        "offline_email",
        professor_surname=surname(professor.name),
        student_name=student.name or "a prospective student",
        student_email=student.email or "",
        background=background,
        interests=join_english(interests, serial_comma=True),
        sources=[{"sentence": s} for s in sentences],
        skills=skills,
        publication=publication,
    )
    body = re.sub(r"\n{3,}", "\n\n", body)
    claims = (
        [StudentClaim(claim=f"background: {background}", cv_item=student.education[0].source_text)]
        if background
        else []
    )
    claims += [StudentClaim(claim=f"skill: {i.text}", cv_item=i.source_text) for i in student.skills[:5]]
    if student.publications:
        claims.append(StudentClaim(claim="author of a publication", cv_item=student.publications[0].source_text))
    return EmailDraft(
        subject=render("offline_subject", topic=topic),
        body=body,
        cited_paper_ids=[s.paper.id for s in sources],
        citations=[CitationUse(paper_id=s.paper.id, where=sent) for s, sent in zip(sources, sentences, strict=True)],
        student_claims=claims,
    )


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
) -> GuardrailContext:
    def corpus() -> StoreCorpus:
        profs = index.catalog.professors(kind="professor", with_papers=True)
        return StoreCorpus((p.id, p.name, paper) for p in profs for paper in p.papers)

    return GuardrailContext(
        professor=trusted_professor(professor),
        sources=[trusted_copy(p) for p in sources],
        student=student,
        corpus=index.derived("guardrail_corpus", corpus),
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
    selected = select_sources(student, professor, index, settings.draft_citations)
    papers = [s.paper for s in selected]
    verifier = verifier or support_verifier(settings, offline=use_offline)
    check = GuardrailCheck(guardrail_context(professor, papers, student, index, settings), verifier)
    if use_offline:
        draft = offline_draft(student, professor, selected)
        made = Made(draft, check(draft), Usage(), 0)
    else:
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
