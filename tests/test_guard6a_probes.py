"""Issue 11, round 6 (guard6a): the new paraphrase probes (benchmarks/guardrails_paraphrase.py) are true by
construction only if each rewrite keeps the statement true (or, for a hypothetical question, states nothing): these
pin what each says."""

from __future__ import annotations

import pytest

from tests.test_guard5_paraphrase import P


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        (
            "share",
            "You recover names 66.4% of the time and types 75.8% of the time.",
            "You recover names about two thirds of the time and types about three quarters of the time.",
        ),
        ("share", "You recover names 58.2% of the time.", "You recover names about three fifths of the time."),
        ("share", "You reach 66.4% accuracy and keep 45% of the data.", None),  # not "of", or no share near
        ("round", "You annotate 15,523 clips from 2017.", "You annotate 15,500 clips from 2017."),
        ("round", "You annotate 15,500 clips and 356 videos.", None),
        (
            "gap",
            "The CNN reaches 96.2% while rules reach 89.6%.",
            "one of the results you report is 6.6 points above the other.",
        ),
        ("gap", "The CNN reaches 96.2%.", None),
        (
            "question",
            "The CNN reaches 86.2% accuracy.",
            "could your approach go beyond 91.2% if it were trained on ten times more data?",
        ),
    ],
)
def test_each_new_rewrite_restates_the_same_fact(kind: str, sentence: str, expected: str | None) -> None:
    assert P.PAPER_REWRITES[kind](sentence) == expected
