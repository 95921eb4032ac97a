"""Issue 11, round 6 (guard6b): a role ("as a software engineer"), a rank ("I graduated first in my class") or a
venue of papers ("two papers at AAAI") claimed for the student must be the CV's; the CV's own, restated, passes."""

from __future__ import annotations

import pytest

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """# Pablo Reyes

## Education

**B.Sc. in Engineering**, Universidad de Chile — Mar 2019 – Dec 2024
- Graduated with distinction, ranked 4th of 57 in the cohort

## Experience

**Graduate Research Assistant**, Data Science Lab, Universidad de Chile — Apr 2025 – present
- Implemented first-price auction simulators with up to 20 bidders

## Teaching

- Teaching assistant, Algorithms and Data Structures, 2 semesters

## Publications

1. **P. Reyes**. *Flagging Collusive Tenders.* Workshop on Machine Learning for Public Policy, 2026.
"""
PAPERS = [Paper(id="p-peer", title="Strategyproof Peer Review", abstract="We study AAAI and IJCAI review data.")]
CONTEXT = GuardrailContext(
    professor=Professor(id="steven-jecmen", name="Steven Jecmen", papers=PAPERS),
    sources=PAPERS,
    student=profile_from_text(CV),
    min_words=0,
)


def _claims(body: str) -> list[str | None]:
    text = f"Subject: PhD inquiry\n\nDear Professor Jecmen,\n\n{body}\n\nBest regards,\nPablo Reyes"
    return [v.span for v in check_text(text, CONTEXT).hard_violations if v.check == "student_claims"]


@pytest.mark.parametrize(
    ("fabricated", "span"),
    [
        ("I have three years of experience as a software engineer.", "software engineer"),
        ("I graduated first in my cohort.", "first in my cohort"),
        ("I have two papers at AAAI.", "AAAI"),
    ],
)
def test_a_role_rank_or_venue_the_cv_lacks_is_caught(fabricated: str, span: str) -> None:
    assert _claims(fabricated) == [span]


@pytest.mark.parametrize(
    "faithful",
    [
        "I am a graduate research assistant in the Data Science Lab.",
        "I worked as a teaching assistant for Algorithms and Data Structures for two semesters.",
        "I graduated fourth in my cohort of 57.",
        "I have a paper at the Workshop on Machine Learning for Public Policy.",
        "I would love to work as a research assistant in your group.",
        "As a graduate researcher in the Data Science Lab, I built auction simulators.",
    ],
)
def test_the_cvs_own_role_rank_or_venue_passes(faithful: str) -> None:
    assert _claims(faithful) == []
