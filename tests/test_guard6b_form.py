"""Issue 11, round 6 (guard6b): the "we/us/our" of a question or a request to the professor is the student's ("Do
you think we could talk?", "Could you tell us…"), not an abstract's first person left in a sentence about their
work; the leak in a statement is still caught."""

from __future__ import annotations

import pytest

from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

PAPERS = [
    Paper(
        id="p-cal",
        title="Your 2 is My 1",
        abstract="We show that our estimator is consistent for miscalibrated raters.",
    )
]
CONTEXT = GuardrailContext(
    professor=Professor(id="nihar-shah", name="Nihar B. Shah", papers=PAPERS), sources=PAPERS, min_words=0
)


def _form(sentence: str) -> list[str | None]:
    text = f"Subject: Calibration\n\nDear Professor Shah,\n\n{sentence}\n\nBest regards,\nMina Cho"
    return [v.span for v in check_text(text, CONTEXT).hard_violations if v.check == "form"]


@pytest.mark.parametrize(
    "request_",
    [
        "Do you think we could talk for 20 minutes next week?",
        "Could you tell us whether your group is recruiting?",
        "Would you let us reuse your code in our pipeline?",
        "I wonder whether you see our pipeline as an instance of your framework.",
    ],
)
def test_the_we_of_a_request_is_the_students(request_: str) -> None:
    assert _form(request_) == []


def test_an_abstracts_we_in_a_statement_about_their_work_is_still_caught() -> None:
    leak = "In your paper, you show that our estimator is consistent."
    assert _form(leak) == [leak]
