"""Issue 11, round 3: another researcher's work credited to this professor by what it is about, with no name or
title ("your work on data markets with several data aggregators", which only another professor's paper does)."""

from __future__ import annotations

from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

OWN = Paper(
    id="p-own",
    title="Strategyproof Peer Assessment with Strategic Reviewers",
    abstract="We design peer review assignments that are strategyproof when reviewers are strategic.",
)
OTHERS = Paper(
    id="p-other",
    title="Competitive Statistical Estimation With Strategic Data Sources",
    abstract="We study data markets in which several data aggregators compete for data sources.",
)


def _attribution(sentence: str) -> list[str | None]:
    prof = Professor(id="nihar-shah", name="Nihar Shah", papers=[OWN])
    ctx = GuardrailContext(professor=prof, sources=[OWN], other_papers=[("Lillian Ratliff", OTHERS)], min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor Shah,\n\n{sentence}\n\nBest regards,\nAna Kovač"
    return [v.span for v in check_text(text, ctx).hard_violations if v.check == "attribution"]


def test_another_professors_work_named_by_its_subject_is_hard() -> None:
    spans = _attribution("I was equally interested in your work on data markets with multiple data aggregators.")
    assert spans == ["data markets with multiple data aggregators"]


def test_this_professors_work_named_by_its_subject_passes() -> None:
    assert _attribution("I was equally interested in your work on peer review with strategic reviewers.") == []


def test_words_this_professor_uses_prove_nothing() -> None:
    # Only "strategic" and "data" are shared with the other paper, and the professor uses "strategic" too.
    assert _attribution("I was equally interested in your work on strategic data for peer review.") == []


def test_what_the_sentence_goes_on_to_say_is_not_part_of_the_work_it_names() -> None:
    # Only "peer review" names the work (theirs); "speaks to…" says what the student makes of it.
    assert _attribution("Your work on peer review speaks to data markets with several data aggregators.") == []
