"""Issue 11, round 5, step 3: hard violations writer j's dev emails carried outside their labelled sentence (false
alarms on faithful text inside fabricated emails). What the student likes or read is the work's, a definite "the
task" names no skill, an institution's acronym the CV spells is the CV's, and a short quotation of a title's head
names its paper; each beside the claim that must still fail."""

from __future__ import annotations

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """Minh Nguyen

Education

B.Sc. in Computer Science, Hanoi University of Science and Technology — Sep 2020 – Jul 2024

Skills

- Python, PyTorch
"""
PAPERS = [
    Paper(
        id="p-assign",
        title="Mitigating Manipulation in Peer Review via Randomized Reviewer Assignments",
        abstract="We address three problems of peer review: malicious reviewers, torpedo reviews, de-anonymization.",
    ),
    Paper(
        id="p-think",
        title="Think about it! Improving defeasible reasoning by first modeling the question scenario",
        abstract="CURIOUS reaches a new state of the art on three defeasible reasoning datasets.",
    ),
    Paper(id="p-hint", title="Could you give me a hint? Generating inference graphs", abstract="We generate graphs."),
    Paper(
        id="p-crowd",
        title="Crowd Science Workshop: Preface",
        abstract="The second Crowd Science workshop at VLDB 2021.",
    ),
]
PROFESSOR = Professor(id="steven-jecmen", name="Steven Jecmen", papers=PAPERS)


def _hard(body: str) -> list[tuple[str, str]]:
    ctx = GuardrailContext(professor=PROFESSOR, sources=PAPERS, student=profile_from_text(CV), min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Dr. Jecmen,\n\n{body}\n\nBest regards,\nMinh Nguyen"
    return [(v.check, v.span) for v in check_text(text, ctx).hard_violations]


def test_what_the_student_likes_is_the_works() -> None:
    read = 'I have been reading "Mitigating Manipulation in Peer Review via Randomized Reviewer Assignments".'
    assert _hard(f"{read} I like how it unifies three problems of peer review.") == []
    assert _hard("In my thesis I unified three problems of peer review.") == [("student_claims", "three")]


def test_where_a_work_the_student_read_appeared_is_no_affiliation() -> None:
    assert _hard("I read the preface to the second Crowd Science workshop at VLDB 2021 with interest.") == []
    assert _hard("I was a student at VLDB University in 2021.") == [("student_claims", "VLDB University")]


def test_a_definite_reference_back_names_no_skill() -> None:
    assert _hard("My own experience with the task is small but real.") == []
    assert _hard("My own experience with Kubernetes is small but real.") == [("student_claims", "Kubernetes")]


def test_an_acronym_of_an_institution_the_cv_names_is_the_cvs() -> None:
    assert _hard("In my bachelor thesis at HUST I predicted variable names.") == []
    assert _hard("In my bachelor thesis at HCMUT I predicted variable names.") == [("student_claims", "HCMUT")]


def test_a_short_quotation_of_a_titles_head_names_its_paper() -> None:
    body = 'In "Could you give me a hint?", you generate graphs. In "Think about it!", CURIOUS reaches a new SOTA.'
    assert _hard(body) == []
