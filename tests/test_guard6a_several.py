"""Issue 11, round 6 (guard6a): a sentence about several papers, and a figure that is not stated as fact. A
sentence that names several of the professor's papers as items of its own ("Your DIRTY paper and your AMBER paper
…", "…, while AMBER gains…") is about each of them; a name that opens no item ("DIRTY uses AMBER's objectives")
is still credited to the first. A figure in a hypothetical question or beside a counterfactual "if" claims
nothing."""

from __future__ import annotations

from assistant.types import Paper
from tests.guard6a_common import hard_spans

PAPERS = [
    Paper(
        id="p-dirty",
        title="Augmenting Decompiler Output with Learned Variable Names and Types",
        abstract="We present DIRTY, which recovers the original names written by developers 66.4% of the time.",
    ),
    Paper(
        id="p-amber",
        title="Explicit Alignment Objectives for Multilingual Bidirectional Encoders",
        abstract=(
            "We present AMBER (Aligned Multilingual Bidirectional EncodeR), trained with two alignment objectives. "
            "AMBER obtains gains of up to 27.3 average accuracy on retrieval."
        ),
    ),
]


def _hard(body: str) -> list[str]:
    return hard_spans("Graham Neubig", PAPERS, body)


def test_a_sentence_naming_several_papers_as_items_is_about_each() -> None:
    both = (
        "Your DIRTY paper and your AMBER paper both caught my eye: one recovers names 66.4% of the time, the "
        "other gains up to 27.3 points on retrieval."
    )
    assert _hard(both) == []
    assert _hard("DIRTY recovers names 66.4% of the time, while AMBER gains up to 27.3 points on retrieval.") == []


def test_a_name_that_opens_no_item_is_still_credited_to_the_first() -> None:
    assert _hard("DIRTY recovers names 66.4% of the time by training AMBER on binaries.") == ["AMBER"]
    assert _hard("DIRTY recovers names 66.4% of the time and gains up to 27.3 points on retrieval.") == ["27.3"]


def test_a_figure_in_a_hypothetical_claims_nothing() -> None:
    assert _hard("Could DIRTY reach 90% if it were trained on ten times more binaries?") == []
    assert _hard("If DIRTY were extended to Rust, it could cover 2 more languages.") == []
    assert _hard("Why does DIRTY recover only 60% of the names?") == ["60%"]
    assert _hard("DIRTY could recover 90% of the names in your experiments.") == ["90%"]


def test_what_you_used_is_the_professors_whoever_speaks() -> None:
    from assistant.guardrails.atoms import subject_of
    from assistant.guardrails.parse import parse_email

    body = (
        "Dear Professor Neubig,\n\nMy test set of 3.2K comments could complement the three translation datasets you "
        "used for SwitchOut, and I reached 92% where you reported 90%.\n\nBest,\nSam"
    )
    email = parse_email("PhD inquiry", body, "Graham Neubig", structured=False)
    s = next(s for s in email.sentences if "datasets" in s.text)
    assert subject_of(s, s.start + s.text.index("three")) == "professor"
    assert subject_of(s, s.start + s.text.index("3.2K")) == "student"
    assert subject_of(s, s.start + s.text.index("92%")) == "student"


COOK = Paper(
    id="p-cook",
    title="A Benchmark for Structured Procedural Knowledge Extraction from Cooking Videos",
    abstract="Our open-vocabulary resource includes 356 instructional cooking videos and 15,523 clip annotations.",
)


def test_an_item_may_be_a_described_work() -> None:
    body = "Between the cooking-video benchmark (356 videos) and DIRTY (names recovered 66.4% of the time), I learnt."
    assert hard_spans("Graham Neubig", [*PAPERS, COOK], body) == []
    # Not an item of its own: the figure is still credited to DIRTY's paper.
    wrong = "DIRTY, trained on the 356 videos of the cooking benchmark, recovers names 66.4% of the time."
    assert hard_spans("Graham Neubig", [*PAPERS, COOK], wrong) == ["356"]
