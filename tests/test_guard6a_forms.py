"""Issue 11, round 6 (guard6a): other forms of a paper's figures that a faithful writer uses — a share in words
("three quarters of the time" for 75.8%, "seven out of ten", "2/3"), a round figure that rounds a stated one
("15,500 annotations" for 15,523) — and spans of time counted from now ("over the last three weeks"), which claim
nothing about the work; each beside the fabrication it must still catch."""

from __future__ import annotations

from assistant.guardrails.quantities import quantities, stated
from assistant.types import Paper
from tests.guard6a_common import hard_spans

PAPERS = [
    Paper(
        id="p-dirty",
        title="Augmenting Decompiler Output with Learned Variable Names and Types",
        abstract=(
            "We present DIRTY, a Transformer-based model that recovers variable names and types. DIRTY recovers "
            "the original names written by developers 66.4% of the time and the original types 75.8% of the time."
        ),
    ),
    Paper(
        id="p-cook",
        title="A Benchmark for Structured Procedural Knowledge Extraction from Cooking Videos",
        abstract="Our resource includes 356 instructional cooking videos and 15,523 clip-level annotations.",
    ),
]


def _hard(body: str) -> list[str]:
    return hard_spans("Graham Neubig", PAPERS, body)


def test_a_share_in_words_is_the_percentage_it_approximates() -> None:
    assert _hard("With DIRTY, you recover the original types three quarters of the time.") == []
    assert _hard("With DIRTY, you recover the original names in roughly two-thirds of cases.") == []
    assert _hard("With DIRTY, you recover the original names in nearly seven out of ten cases.") == []
    assert _hard("With DIRTY, you recover the original names in about 2/3 of cases.") == []
    assert _hard("With DIRTY, you recover the original names in nine out of ten cases.") == ["nine out of ten"]
    assert _hard("With DIRTY, you recover the original types one quarter of the time.") == ["one quarter"]


def test_a_share_is_also_stated_by_its_two_counts() -> None:
    text = stated("The model wins on three of the four tasks.")
    (share,) = quantities("3 out of 4")
    assert share.parts == (3.0, 4.0) and text.has(share)
    (other,) = quantities("2 out of 4")
    assert not text.has(other)


def test_a_round_figure_is_a_rounding_of_a_stated_one() -> None:
    assert _hard("Your cooking benchmark pairs 356 videos with 15,500 clip-level annotations.") == []
    assert _hard("Your cooking benchmark pairs 356 videos with 15,000 clip-level annotations.") == ["15,000"]
    assert _hard("Your cooking benchmark pairs 356 videos with 16,500 clip-level annotations.") == ["16,500"]


def test_a_span_of_time_counted_from_now_claims_nothing() -> None:
    assert _hard("I have read your DIRTY paper twice over the last three weeks.") == []
    assert _hard("In the 2 years since DIRTY appeared, decompiler naming has improved a lot.") == []
    assert _hard("DIRTY was trained for three weeks on 356 cooking videos.") != []


def test_an_approximation_may_be_off_by_its_last_digit() -> None:
    text = stated("We collect 6,066 question sequences with 17,553 question-answer pairs in total.")
    assert [text.has(q) for q in quantities("roughly 17.5K pairs, about 6,000 sequences, about 18.5K")] == [
        True,
        True,
        False,
    ]


def test_figures_joined_by_a_slash_are_two() -> None:
    text = stated("Experiments show relative 3%/12% improvement in test clean/other sets.")
    assert [text.has(q) for q in quantities("3% and 12%")] == [True, True]


def test_half_of_something_is_a_share() -> None:
    assert _hard("With DIRTY, you recover half of the original names.") == ["half"]
    text = stated("We can prune 50% of the heads at test time.")
    assert [text.has(q) for q in quantities("half of the heads")] == [True]
