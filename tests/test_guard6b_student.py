"""Issue 11, round 6 (guard6b): facts of the CV restated the way a student restates them are not claims the CV
lacks, and what a sentence says of the student is found where the student is only implied (a list introduced as
theirs). Each faithful restatement beside the fabrication of the same shape that must still be caught."""

from __future__ import annotations

import pytest

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """# Eszter Varga

eszter.varga@example.hu · Budapest, Hungary

## Education

**M.Sc. in Computer Science Engineering**, Budapest University of Technology and Economics (BME) — Sep 2024 – Jun 2026
- Thesis: *Segmentation for Noisy Hungarian Forum Text*

**B.A. in Computer Science and Mathematics**, Eötvös Loránd University — Sep 2020 – Jun 2024
- GPA 4.1/4.3

## Research Experience

**Research Assistant**, Language Technology Group, BME — Jul 2026 – present
- Fine-tuned a T5-base tracker whose joint goal accuracy rose from 54.9% to 61.4% with slot descriptions
- Annotated 60 economics papers with facets, 3 annotators, Cohen's kappa 0.71
- Two raters judged 61% of 7B-model comments correct, against 88% for human comments

## Honors and Awards

- 2nd prize, National Scientific Students' Associations Conference (OTDK), 2025

## Skills

- Pairwise comparisons and rankings (Bradley–Terry–Luce models, counting methods); Python, Gurobi
"""
PAPERS = [
    Paper(
        id="p-review",
        title="Can We Automate Scientific Reviewing?",
        abstract=(
            "We annotate reviews with aspects and find that review generation faces eight open challenges, "
            "including factual correctness. A test collection of 50 query documents is pooled at depth 100."
        ),
    ),
]
PROFESSOR = Professor(id="graham-neubig", name="Graham Neubig", papers=PAPERS)
CONTEXT = GuardrailContext(
    professor=PROFESSOR, sources=PAPERS, student=profile_from_text(CV), min_words=0, max_words=10_000
)


def _student_claims(body: str) -> list[str | None]:
    text = f"Subject: PhD inquiry\n\nDear Professor Neubig,\n\n{body}\n\nBest regards,\nEszter Varga"
    return [v.span for v in check_text(text, CONTEXT).hard_violations if v.check in ("student_claims", "numbers")]


@pytest.mark.parametrize(
    "faithful",
    [
        # A change of two figures of one CV line, as points or relative to the first.
        "Slot descriptions improved my tracker's joint goal accuracy by 6.5 points.",
        "Slot descriptions gave my tracker a relative gain of about 12%.",
        # Fields of study as English clips them.
        "My undergraduate degree was a B.A. in CS and Maths.",
        "I hold a BA in Comp Sci and Math from Eötvös Loránd University.",
        # A degree's field ends where the sentence says when.
        "I completed my M.Sc. in Computer Science Engineering this June.",
        "I finished an M.Sc. in June 2026 at the Budapest University of Technology and Economics.",
        # What follows "and would…" is the student's plan, not part of the degree.
        "I have an M.Sc. from BME and would be thrilled to apply for Fall 2027.",
        # An acronym of words the CV spells out.
        "My thesis gave me a background in BTL estimation and counting methods.",
        # What the student took from the professor's work is the professor's figure.
        "From your work on automating scientific reviewing I took the eight open challenges for review generation.",
        # A list introduced as what the student read is the paper's.
        'What I took from "Can We Automate Scientific Reviewing?":\n- 50 query documents, pooled at depth 100;\n'
        "- aspect annotations of reviews.",
        # An ordinal in words or digits; a figure the CV writes digit for digit, whatever its notation.
        "I won second prize at OTDK in 2025, and my OTDK entry won 2nd prize in its section.",
        "My GPA was 4.1 out of 4.3.",
        # Plans claim nothing yet; what the student reacts to reading is the professor's.
        "In my PhD I would like to study aspect-aware feedback for 12 languages.",
        "My next step is a 13B model fine-tuned with LoRA.",
        "I hope to extend my tracker to Korean and Chinese.",
        "I am considering applying to the Google PhD Fellowship next year.",
        "I was impressed that review generation still faces eight open challenges.",
    ],
)
def test_a_cv_fact_restated_is_not_an_unbacked_claim(faithful: str) -> None:
    assert _student_claims(faithful) == []


@pytest.mark.parametrize(
    ("fabricated", "span"),
    [
        ("Slot descriptions improved my tracker's joint goal accuracy by 5.4 points.", "5.4"),
        ("My undergraduate degree was a B.A. in Physics and Maths.", "Physics and Maths"),
        ("I completed my M.Sc. in Biology this June.", "Biology"),
        ("I have an M.Sc. from Stanford and would be thrilled to apply for Fall 2027.", "Stanford"),
        ("My thesis gave me a background in HMM estimation and counting methods.", "HMM estimation"),
        ("From your work on automating scientific reviewing I took the twelve open challenges.", "twelve"),
        ("What I have done so far:\n- facet annotations of 600 economics papers by 3 annotators.", "600"),
        ("I won first prize at OTDK in 2025.", "first prize"),
        ("I have a PhD and would like to study aspect-aware feedback.", "PhD"),
        ("I would like to continue the work I did at Google on LoRA.", "Google"),
        ("I hope to reuse my 70B model for this.", "70B"),
        ("I was impressed that review generation still faces twelve open challenges.", "twelve"),
    ],
)
def test_the_same_shape_with_a_fact_the_cv_lacks_is_still_caught(fabricated: str, span: str) -> None:
    assert span in _student_claims(fabricated)


def test_a_small_count_is_not_read_as_a_change_of_two_cv_figures() -> None:
    """61, 7 and 88 on one CV line give many differences and ratios: a whole count in words is not one of them."""
    assert _student_claims("In my corpus, I found nine kinds of errors.") == ["nine"]
