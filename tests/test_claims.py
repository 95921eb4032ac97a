"""Claim atoms (issue 11, part 2a): one test per class of failure the issue lists, the false alarm and the miss,
on small emails written for these tests against an invented professor (tests/fixtures/claims/context.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.guardrails.quantities import quantities
from assistant.text import sentences
from assistant.types import Paper, Professor, Violation

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "claims" / "context.json"
CLAIM_CHECKS = ("titles", "numbers", "attribution", "affiliation", "student_claims")


def _context(with_cv: bool = True) -> GuardrailContext:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    professor = Professor.model_validate(data["professor"])
    return GuardrailContext(
        professor=professor,
        sources=professor.papers,
        student=profile_from_text(data["cv"]) if with_cv else None,
        other_papers=[(data["other_professor"], Paper.model_validate(data["other_paper"]))],
        min_words=0,
    )


def _hard(body: str, with_cv: bool = True) -> list[Violation]:
    """The hard claim violations of a short email with `body` between the salutation and the signature."""
    text = f"Subject: PhD inquiry\n\nDear Professor Lindqvist,\n\n{body}\n\nBest regards,\nAna Kovač"
    report = check_text(text, _context(with_cv))
    return [v for v in report.hard_violations if v.check in CLAIM_CHECKS]


def _spans(body: str, with_cv: bool = True) -> list[tuple[str, str | None]]:
    return [(v.check, v.span) for v in _hard(body, with_cv)]


def test_the_faithful_sentences_of_the_fixture_pass() -> None:
    body = (
        "Your paper on sparse routing showed that FlexRoute reduces training cost by 40% on C4 and by 25% on "
        "The Pile. I trained a 120M-parameter mixture-of-experts model and reduced routing imbalance by 15%."
    )
    assert _hard(body) == []


# ---------------------------------------------------------------- false alarms


def test_a_year_quoted_from_the_abstract_is_not_a_publication_date() -> None:
    assert _hard("In FlexRoute, you used web crawls from 2010-2017 to study routing collapse.") == []
    assert _spans("In FlexRoute, you used web crawls from 2005-2009 to study routing collapse.") == [
        ("numbers", "2005-2009")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "As a PhD student in your group, I would study routing collapse.",
        "I would be glad to do a PhD under your supervision.",
        "My interest in a PhD comes from my work on mixture-of-experts models.",
    ],
)
def test_an_aspiration_is_not_a_claimed_degree(sentence: str) -> None:
    assert _hard(sentence) == []


def test_a_degree_the_cv_does_not_hold_is_still_a_claim() -> None:
    assert _spans("I am a PhD student at the University of Zagreb.") == [("student_claims", "PhD")]


def test_a_hyphenated_compound_is_looked_up_by_its_named_part() -> None:
    assert _hard("Your FlexRoute paper compares against a BERT-style baseline.") == []
    assert _spans("Your FlexRoute paper compares against a Zorblax-style baseline.") == [("numbers", "Zorblax-style")]


def test_a_postscript_opening_with_my_is_not_a_name() -> None:
    text = "I hope to hear from you.\n\nBest regards,\nAna Kovač\n\nP.S. My thesis is attached."
    report = check_text(f"Subject: PhD inquiry\n\nDear Professor Lindqvist,\n\n{text}", _context())
    assert [v for v in report.hard_violations if v.check in CLAIM_CHECKS] == []


def test_a_self_introduction_by_name_is_not_a_claim_about_their_work() -> None:
    assert _hard("My name is Ana Kovač, and your FlexRoute paper is why I am writing.", with_cv=False) == []


def test_a_sentence_with_i_about_their_method_is_checked_as_a_claim_about_their_work() -> None:
    assert _hard("I noticed that FlexRoute reduces training cost by 40% on C4.") == []
    assert _spans("I noticed that FlexRoute reduces training cost by 45% on C4.") == [("numbers", "45%")]


@pytest.mark.parametrize(
    "ask",
    [
        "Would you have 20 minutes to talk?",
        "Could we meet for 30 minutes next week?",
        "Are you taking students for Fall 2027?",
    ],
)
def test_a_plan_or_a_request_is_not_a_claim(ask: str) -> None:
    assert _hard(ask) == []


# ---------------------------------------------------------------- misses


@pytest.mark.parametrize(
    ("claim", "span"),
    [
        ("FlexRoute is twice as fast as dense baselines at inference.", "twice"),
        ("FlexRoute halves training cost on C4.", "halves"),
        ("FlexRoute is an order of magnitude faster than dense baselines at inference.", "an order of magnitude"),
    ],
)
def test_a_spelled_out_quantity_the_paper_does_not_state_is_hard(claim: str, span: str) -> None:
    assert _hard("FlexRoute is three times faster than dense baselines at inference.") == []
    assert _spans(claim) == [("numbers", span)]


def test_a_figure_from_another_of_their_papers_is_hard_when_the_sentence_names_the_method() -> None:
    assert _hard("ShieldAgg was evaluated across 12 benchmarks.") == []
    assert _spans("FlexRoute was evaluated across 12 benchmarks.") == [("numbers", "12")]


def test_two_figures_of_one_paper_swapped_are_hard() -> None:
    assert _hard("FlexRoute reduces training cost by 40% on C4 and by 25% on The Pile.") == []
    swapped = _spans("FlexRoute reduces training cost by 25% on C4 and by 40% on The Pile.")
    assert swapped and {check for check, _ in swapped} == {"numbers"}
    assert {span for _, span in swapped} <= {"25%", "40%"}


def test_a_method_credited_to_another_of_their_papers_is_hard() -> None:
    assert _hard("ShieldAgg is built on ADMM.") == []
    assert _spans("FlexRoute is built on ADMM.") == [("numbers", "ADMM")]


def test_their_finding_claimed_as_the_students_own_is_an_attribution_violation() -> None:
    claim = (
        "In my own research, I showed that sparse routing reduces training cost of mixture-of-experts language models."
    )
    assert [check for check, _ in _spans(claim)] == ["attribution"]
    assert _hard("I showed that a 120M-parameter mixture-of-experts model can reduce routing imbalance by 15%.") == []


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("I would love to join your group at Stanford University.", "Stanford University"),
        ("Since you joined the University of Oslo, your work has moved to federated learning.", "University of Oslo"),
    ],
)
def test_a_wrong_affiliation_is_hard(sentence: str, span: str) -> None:
    assert ("affiliation", span) in _spans(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I would love to join your group at the University of Toronto.",
        "Your lab at the Department of Computer Science is where I hope to study.",
    ],
)
def test_the_right_affiliation_passes(sentence: str) -> None:
    assert _hard(sentence) == []


def test_a_claim_about_the_student_in_the_third_person_is_checked() -> None:
    assert _hard("The student holds an M.Sc. in Computer Science from the University of Zagreb.") == []
    found = _spans("The student won the Turing Fellowship for her work on routing.")
    assert [check for check, _ in found] == ["student_claims"]


def test_another_professors_method_presented_as_theirs_is_attribution() -> None:
    assert _spans("Your GossipNet protocol was a revelation to me.") == [("attribution", "GossipNet")]


# ---------------------------------------------------------------- atoms


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a gain of 100,000 tokens", [100000.0]),
        ("from 31.1% to 39.6%", [31.1, 39.6]),
        ("a 2.17x speedup", [2.17]),
        ("three times faster", [3.0]),
        ("it doubles the throughput", [2.0]),
        ("eleven datasets", [11.0]),
    ],
)
def test_quantities_are_read_as_written(text: str, values: list[float]) -> None:
    assert [v for q in quantities(text) for v in q.numbers] == values


def test_an_initial_before_a_function_word_ends_the_sentence() -> None:
    assert sentences("We analyse a finite number of inner steps T. The example fails. J. Smith agrees.") == [
        "We analyse a finite number of inner steps T.",
        "The example fails.",
        "J. Smith agrees.",
    ]
