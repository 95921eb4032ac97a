"""Issue 11, round 5, step 2: the paraphrase probes (benchmarks/guardrails_paraphrase.py) are true by construction
only if each rewrite keeps the statement true: these pin what each says, and that a bounded figure is left alone."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _module() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "guardrails_paraphrase.py"
    spec = importlib.util.spec_from_file_location("guardrails_paraphrase", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("guardrails_paraphrase", module)
    spec.loader.exec_module(module)
    return module


P = _module()


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        (
            "approx",
            "You label 1,715 posts with 93.4% agreement.",
            "You label more than 1,700 posts with about 93 percent agreement.",
        ),
        ("approx", "You label 1,700 posts.", "You label about 1,700 posts."),
        ("approx", "You save up to 30% of searches over 1,000 queries.", None),
        ("approx", "You study data from 2017.", None),
        (
            "fraction",
            "You cut the cost by 50% and drop 25% of the data.",
            "You cut the cost by half and drop a quarter of the data.",
        ),
        ("fraction", "You reach 50% accuracy.", None),
        ("scale", "You train a 140M model on 1.5B tokens.", "You train a 140 million model on 1.5 billion tokens."),
        ("spelled", "You test on 4 benchmarks.", "You test on four benchmarks."),
        ("spelled", "You test on three benchmarks.", "You test on 3 benchmarks."),
        ("years", "You use posts from 2010-2017.", "You use posts from 2010 to 2017."),
        (
            "years",
            "You use posts between 2010–2017 and 2001-2005.",
            "You use posts between 2010 and 2017 and from 2001 to 2005.",
        ),
    ],
)
def test_each_paper_rewrite_restates_the_same_fact(kind: str, sentence: str, expected: str | None) -> None:
    assert P.PAPER_REWRITES[kind](sentence) == expected


def test_a_degree_is_restated_under_its_names_and_with_the_length_its_dates_give() -> None:
    said = list(P.degree_restatements("M.Sc. in Informatics", "TU Munich", "Oct 2025 – Sep 2027 (expected)"))
    assert said == [
        ("cv-degree", "I am currently doing an MSc in Informatics at TU Munich."),
        ("cv-degree", "I am currently doing a master's in Informatics at TU Munich."),
        ("cv-derived", "I am currently doing a two-year master's in Informatics at TU Munich."),
    ]
    assert list(P.degree_restatements("B.Sc. in Mathematics", "Zagreb", "Oct 2019 – Sep 2022"))[-1] == (
        "cv-derived",
        "I completed a three-year bachelor's in Mathematics at Zagreb.",
    )


def test_a_publication_keeps_its_title_venue_and_year() -> None:
    line = "**A. Kovač**, M. Horvat. *Scores or Comparisons? Calibrating Peer Grades.* Workshop on Evaluation, 2024."
    assert P.publication_restatement(line) == (
        'My paper "Scores or Comparisons? Calibrating Peer Grades" appeared at the Workshop on Evaluation in 2024.'
    )


def test_a_joint_sentence_needs_a_bullet_that_says_what_the_student_did() -> None:
    assert P.joint_sentence("Paper T", "Built a parser for 12 languages") == (
        'Your paper "Paper T" is close to my own work: I built a parser for 12 languages.'
    )
    assert P.joint_sentence("Paper T", "GPA 3.9/4.0") is None
