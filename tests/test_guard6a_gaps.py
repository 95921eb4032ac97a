"""Issue 11, round 6 (guard6a): a gap the paper implies. "96.2% for the CNN against 89.6% for the rule-based one"
implies a 6.6-point gap and a relative change; a writer who gives the gap alone ("about 6.6 points above the
rule-based method") states nothing new. Only a figure said as a gap counts, and only against the paper the sentence
is about."""

from __future__ import annotations

from assistant.guardrails.differences import implied_gaps
from assistant.types import Paper
from tests.guard6a_common import hard_spans

CRASH = Paper(
    id="p-crash",
    title="Crash To Not Crash: Playing Video Games To Predict Vehicle Collisions",
    abstract=(
        "We observe that the best CNN-based algorithm achieves a prediction accuracy of 96.2% while the best "
        "rule-based one achieves 89.6%. Simulation data cost 3 days to collect."
    ),
)
TITLE = 'In "Crash To Not Crash: Playing Video Games To Predict Vehicle Collisions", your best CNN reaches 96.2%'


def _hard(body: str) -> list[str]:
    return hard_spans("Kangwook Lee", [CRASH], body)


def test_the_gap_between_two_figures_of_a_sentence_is_implied() -> None:
    gaps = implied_gaps(CRASH.abstract or "")
    assert (1, 6.6) in gaps and (0, 7.0) in gaps  # the gap, and rounded
    assert (1, 7.4) in gaps  # the relative change, 6.6 / 89.6


def test_a_gap_said_as_one_is_supported() -> None:
    assert _hard(f"{TITLE} accuracy, about 6.6 points above the best rule-based method.") == []
    assert _hard(f"{TITLE} accuracy, a 7.4% relative improvement over the best rule-based method.") == []
    assert _hard(f"{TITLE} accuracy, about 8.1 points above the best rule-based method.") == ["8.1"]


def test_a_figure_not_said_as_a_gap_is_not_one() -> None:
    assert _hard(f"{TITLE} accuracy on 6.6 hours of driving.") == ["6.6"]


ARXIV = Paper(
    id="p-arxiv",
    title="To ArXiv or not to ArXiv: A Study Quantifying Pros and Cons of Posting Preprints Online",
    abstract=(
        "We conducted surveys of reviewers in two conferences: ICML 2021 (5361 submissions and 4699 reviewers) and "
        "EC 2021 (498 submissions and 190 reviewers). Preprints see a correlation of 0.06 in ICML and 0.05 in EC."
    ),
)
ARXIV_TITLE = 'In "To ArXiv or not to ArXiv: A Study Quantifying Pros and Cons of Posting Preprints Online", you'


def _hard_shah(body: str) -> list[str]:
    return hard_spans("Nihar B. Shah", [ARXIV, CRASH], body)


def test_a_total_of_two_counts_the_paper_gives_is_implied() -> None:
    assert _hard_shah(f"{ARXIV_TITLE} cover nearly 5,900 submissions across the two conferences.") == []
    assert _hard_shah(f"{ARXIV_TITLE} cover nearly 6,400 submissions across the two conferences.") == ["6,400"]
    assert _hard_shah(f"{ARXIV_TITLE} cover 5,859 submissions at ICML.") == ["5,859"]  # not said as a total


def test_a_sum_of_the_sentences_own_figures_is_derived() -> None:
    assert _hard_shah(f"{ARXIV_TITLE} survey close to 5,900 submissions (5,361 at ICML and 498 at EC).") == []


def test_a_year_takes_no_words_from_the_figures_it_dates() -> None:
    assert _hard_shah(f"{ARXIV_TITLE} cover roughly 5.4K ICML submissions and about 500 at EC.") == []
