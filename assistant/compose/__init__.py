"""The offline drafter: an email composed from whole, checked pieces, with no LLM.

Each cited paper gets one complete sentence (describe.py: an abstract sentence retold to its author, or its
title), then a connection to the CV item that matched it when the match is strong enough (connect.py), or what
the student wants to learn from it. The subject names a topic of the student's (student.py), never a name, a
role, a URL or a slug. Openings, closings and the order of paragraphs come in several forms
(`prompts/offline_*.j2`), chosen per professor from a hash of their id, so the drafts of a batch differ while
each draft stays deterministic. A professor with no paper that can be described gets no draft: NoUsablePapers.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.compose.connect import CONNECTION_THRESHOLD, strengths
from assistant.compose.describe import Description, shown_title
from assistant.compose.describe import describe as describe_paper  # `describe` stays the submodule's name
from assistant.compose.student import lower_first, publication_title, studies, topic_phrase
from assistant.errors import InputError
from assistant.guardrails.checks.readable import not_a_name
from assistant.templating import render
from assistant.text import join_english, surname
from assistant.types import CitationUse, CVItem, EmailDraft, Paper, Professor, StudentClaim, StudentProfile
from assistant.untrusted import trusted_copy

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.seams import IndexReader

OFFLINE_TEMPLATES = ["offline_subject.j2", "offline_email.j2", "offline_paper.j2"]
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six")
MAX_INTERESTS = 3
MAX_SKILLS = 4
MAX_SUBJECT_TOPIC_WORDS = 8
PAPER_FORMS = 5  # forms of each sentence of offline_paper.j2 (more than the papers of one email)


class NoUsablePapers(InputError):
    """The professor has no paper the offline drafter can describe (none with a title or a sentence of its
    abstract that can be retold)."""


@dataclass(frozen=True)
class Composed:
    paper: Paper
    description: Description
    paragraph: str


def compose_email(
    student: StudentProfile, professor: Professor, cited: Sequence[tuple[Paper, CVItem]], index: IndexReader
) -> EmailDraft:
    """The offline draft to `professor`, citing the papers of `cited` it can describe ((paper, the CV item
    that matched it) pairs, best first)."""
    items = student.research_items() or student.all_items()
    papers = [trusted_copy(paper) for paper, _ in cited]  # sentences marked untrusted at ingest are never quoted
    scores = strengths(items, papers, professor.id, index)
    described = [(j, d) for j, (_, item) in enumerate(cited) if (d := describe_paper(papers[j], item.text))]
    if not described:
        raise NoUsablePapers(_nothing_to_describe(professor, len(papers)))
    used: set[int] = set()
    composed = [
        Composed(papers[j], d, _paragraph(professor.id, k, papers[j], d, _link(items, scores[:, j], used)))
        for k, (j, d) in enumerate(described)
    ]
    columns = [j for j, _ in described]
    relevance: dict[tuple[str, str], float] = {
        (item.section, item.text): float(scores[i, columns].max()) for i, item in enumerate(items)
    }
    return _draft(student, professor, composed, relevance)


def _nothing_to_describe(professor: Professor, retrieved: int) -> str:
    if not professor.papers and not retrieved:
        return (
            f"{professor.name} has no papers in the store, so there is nothing to write about: ingest their "
            "publications (`outreach ingest`, e.g. `outreach ingest openalex NAME`) and try again"
        )
    return (
        f"none of {professor.name}'s papers can be described offline (no title, and no abstract sentence that "
        "states what the paper does in a form that can be retold): ingest their titled publications, or draft "
        "with an LLM (set OPENAI_API_KEY or OPENAI_BASE_URL)"
    )


def pick(professor_id: str, slot: str, n: int) -> int:
    """A variant number in [0, n) for one slot of one professor's email: the same every time."""
    return _seed(professor_id, slot) % n


def pick_kth(professor_id: str, slot: str, n: int, k: int) -> int:
    """The variant of the k-th of several like slots (the papers of one email): k-th of a per-professor
    permutation of range(n), so no two of the first n share a form, and emails differ in which forms they use."""
    return random.Random(_seed(professor_id, slot)).sample(range(n), n)[k % n]


def _seed(professor_id: str, slot: str) -> int:
    digest = hashlib.sha256(f"{professor_id}\x00{slot}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


# ---------------------------------------------------------------- one paper


def _link(items: Sequence[CVItem], column: NDArray[np.float32], used: set[int]) -> tuple[str, str]:
    """(kind, text) of the strongest connection from a CV item to the paper, not yet used in this email;
    ("", "") when none is strong enough."""
    for i in sorted(range(len(items)), key=lambda i: -float(column[i])):
        if column[i] < CONNECTION_THRESHOLD:
            break
        if i in used:
            continue
        found = _link_text(items[i])
        if found:
            used.add(i)
            return found
    return "", ""


def _link_text(item: CVItem) -> tuple[str, str] | None:
    if item.section == "publications":
        return "publication", publication_title(item.text)
    phrase = topic_phrase(item)
    if phrase is None:
        return None
    return ("interest" if item.section == "interests" else "work"), phrase


def _paragraph(professor_id: str, k: int, paper: Paper, d: Description, link: tuple[str, str]) -> str:
    return render(
        "offline_paper",
        kind=d.kind,
        opener=d.opener,
        paper_named=d.paper_named,
        retold=d.retold,
        title=shown_title(paper.title or ""),
        when=f" ({paper.year})" if paper.year else "",
        link_kind=link[0],
        link_text=link[1],
        variant=pick_kth(professor_id, "paper", PAPER_FORMS, k),
        follow=pick_kth(professor_id, "follow", PAPER_FORMS, k),
    )


# ---------------------------------------------------------------- the email


def _draft(
    student: StudentProfile,
    professor: Professor,
    composed: Sequence[Composed],
    relevance: dict[tuple[str, str], float],
) -> EmailDraft:
    """The email around the paper paragraphs; the student's topics most relevant to this professor first."""

    def topics_of(items: Sequence[CVItem]) -> list[str]:
        ranked = sorted(items, key=lambda i: -relevance.get((i.section, i.text), 0.0))
        return [p for i in ranked if (p := topic_phrase(i))]

    interests = topics_of(student.interests)[:MAX_INTERESTS]
    topics = interests or topics_of(student.research_items())
    education = next((i for i in student.education if studies(i)), None)
    skills = _skills(student, [c.paper for c in composed])
    publication = student.publications[0] if student.publications else None
    name = surname(professor.name)
    body = render(
        "offline_email",
        professor_surname="" if not_a_name(f"Professor {name}") else name,
        student_name=student.name or "",
        student_email=student.email or "",
        studies=studies(education) if education else "",
        interests=join_english(interests, serial_comma=True),
        papers=[c.paragraph for c in composed],
        paper_count=_count_words(len(composed)),
        skills=join_english([s.text.rstrip(".") for s in skills]),
        publication=_own_paper(publication, composed),
        **_forms(professor.id),
    )
    return EmailDraft(
        subject=_subject(topics, professor.id),
        body=re.sub(r"\n{3,}", "\n\n", body),
        cited_paper_ids=[c.paper.id for c in composed],
        citations=[CitationUse(paper_id=c.paper.id, where=c.paragraph) for c in composed],
        student_claims=_claims(education, skills, publication),
    )


def _count_words(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _own_paper(publication: CVItem | None, composed: Sequence[Composed]) -> str:
    """The student's own paper's title for the closing, unless a paragraph already relates a paper to it: its long
    title once is enough."""
    own = publication_title(publication.text) if publication else ""
    return "" if any(own and own in c.paragraph for c in composed) else own


def _forms(pid: str) -> dict[str, int]:
    """Which opening, closing and paragraph order this professor's email gets (stable per professor)."""
    return {
        "opening": pick(pid, "opening", 3),
        "interests_form": pick(pid, "interests", 3),
        "intro": pick(pid, "intro", 3),
        "closing": pick(pid, "closing", 3),
        "order": pick(pid, "order", 2),
    }


def _subject(topics: Sequence[str], pid: str) -> str:
    short = [t for t in topics if len(t.split()) <= MAX_SUBJECT_TOPIC_WORDS]
    return render("offline_subject", topic=short[0] if short else "", variant=pick(pid, "subject", 3))


def _skills(student: StudentProfile, papers: Sequence[Paper]) -> list[CVItem]:
    """A few skills, those the cited papers mention first (a stable sort keeps the CV's order otherwise)."""
    text = " ".join(f"{p.title or ''} {p.abstract or ''}" for p in papers)
    return sorted(student.skills, key=lambda s: not re.search(rf"(?<!\w){re.escape(s.text)}(?!\w)", text, re.I))[
        :MAX_SKILLS
    ]


def _claims(education: CVItem | None, skills: Sequence[CVItem], publication: CVItem | None) -> list[StudentClaim]:
    claims = [StudentClaim(claim=f"background: {education.text}", cv_item=education.source_text)] if education else []
    claims += [StudentClaim(claim=f"skill: {i.text}", cv_item=i.source_text) for i in skills]
    if publication:
        claims.append(StudentClaim(claim="author of a publication", cv_item=publication.source_text))
    return claims


__all__ = ["OFFLINE_TEMPLATES", "NoUsablePapers", "compose_email", "lower_first", "pick"]
