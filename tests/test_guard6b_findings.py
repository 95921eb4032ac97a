"""Issue 11, round 6 (guard6b): a professor's finding claimed by the student in a paraphrase ("pairwise comparisons"
for the abstract's "ordinal measurements") that keeps a run of the abstract's words is still the professor's; the
same run credited to the professor, or a result of the student's own that the CV reports, is not a claim."""

from __future__ import annotations

import pytest

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

ABSTRACT = (
    "We provide empirical evidence based on experiments on Amazon Mechanical Turk that in a variety of tasks, "
    "(pairwise-comparative) ordinal measurements have lower per sample noise and are typically faster to elicit "
    "than cardinal ones. Ordinal measurements however typically provide less information."
)
PAPERS = [Paper(id="p-compare", title="When is it Better to Compare than to Score?", abstract=ABSTRACT)]
PROFESSOR = Professor(id="nihar-shah", name="Nihar B. Shah", papers=PAPERS)
CV = """# Mina Cho

## Experience

**Data Scientist**, Hanbit AI, Seoul — Mar 2025 – present
- A gold-question plus pairwise re-check pipeline cut the label error rate from 14% to 9% for 1,800 workers
"""


def _attribution(body: str, cv: str = CV) -> list[str | None]:
    ctx = GuardrailContext(professor=PROFESSOR, sources=PAPERS, student=profile_from_text(cv), min_words=0)
    text = f"Subject: Pairwise labelling\n\nDear Professor Shah,\n\n{body}\n\nBest regards,\nMina Cho"
    return [v.span for v in check_text(text, ctx).hard_violations if v.check == "attribution"]


CLAIMED = (
    "In my own labelling work I found that pairwise comparisons have lower per sample noise and are faster for "
    "workers to give than numeric ratings."
)


def test_a_paraphrased_finding_that_keeps_a_run_of_the_abstract_is_the_professors() -> None:
    assert _attribution(CLAIMED) == [
        "I found that pairwise comparisons have lower per sample noise and are faster for workers to give than "
        "numeric ratings"
    ]


def test_the_same_words_credited_to_the_professor_are_no_claim() -> None:
    said = (
        "Your experiments found that pairwise comparisons have lower per sample noise and are faster for workers "
        "to give than numeric ratings."
    )
    assert _attribution(said) == []


def test_a_result_the_cv_reports_is_the_students() -> None:
    cv = CV + "- Found that pairwise comparisons have lower per sample noise for our workers than ratings\n"
    assert _attribution(CLAIMED, cv) == []


def test_a_result_of_the_students_own_in_other_words_is_no_claim() -> None:
    own = "In my own work I found that a pairwise re-check pipeline cut the label error rate for our workers."
    assert _attribution(own) == []


def test_a_clause_after_the_topic_of_your_work_is_not_part_of_what_it_names() -> None:
    """ "your work on explainable AI and how people actually use explanations": the topic is "explainable AI"; the
    clause after it says what interests the student, and its common words name no other professor's paper."""
    other = Paper(
        id="p-other",
        title="How People Use Explanations",
        abstract="We study how people actually use explanations of explainable AI systems in practice.",
    )
    own = Paper(id="p-own", title="Sanity Simulations for Saliency Methods", abstract="We evaluate saliency methods.")
    prof = Professor(id="joon-sik-kim", name="Joon Sik Kim", papers=[own])
    ctx = GuardrailContext(professor=prof, sources=[own], other_papers=[("Ada Lovelace", other)], min_words=0)

    def spans(sentence: str) -> list[str | None]:
        text = f"Subject: PhD inquiry\n\nDear Professor Kim,\n\n{sentence}\n\nBest regards,\nMina Cho"
        return [v.span for v in check_text(text, ctx).hard_violations if v.check == "attribution"]

    assert spans("I am writing because of your work on explainable AI and how people actually use it.") == []
    assert spans("I am writing because of your work on how people actually use explanations.") != []


@pytest.mark.parametrize(
    "read",
    [
        "Reading your paper, I found that ordinal measurements have lower per sample noise than cardinal ones.",
        "When I read it I found that it shows ordinal measurements have lower per sample noise and are faster.",
        "In your Mechanical Turk study I found that ordinal measurements have lower per sample noise than ratings.",
    ],
)
def test_what_the_student_found_reading_the_paper_is_no_claimed_finding(read: str) -> None:
    assert _attribution(read) == []


def test_a_finding_of_their_paper_in_the_students_own_experiments_is_still_claimed() -> None:
    own = (
        "In my own experiments I found that ordinal measurements have lower per sample noise and are faster to elicit."
    )
    assert _attribution(own) != []
