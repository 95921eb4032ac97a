"""Issue 11, round 6 (guard6a): a gap the paper implies. "96.2% for the CNN against 89.6% for the rule-based one"
implies a 6.6-point gap and a relative change; a writer who gives the gap alone ("about 6.6 points above the
rule-based method") states nothing new. Only a figure said as a gap counts, and only against the paper the sentence
is about."""

from __future__ import annotations

from assistant.guardrails import GuardrailContext, check_text
from assistant.guardrails.differences import implied_gaps
from assistant.types import Paper, Professor

CRASH = Paper(
    id="p-crash",
    title="Crash To Not Crash: Playing Video Games To Predict Vehicle Collisions",
    abstract=(
        "We observe that the best CNN-based algorithm achieves a prediction accuracy of 96.2% while the best "
        "rule-based one achieves 89.6%. Simulation data cost 3 days to collect."
    ),
)
PROFESSOR = Professor(id="kangwook-lee", name="Kangwook Lee", papers=[CRASH])
TITLE = 'In "Crash To Not Crash: Playing Video Games To Predict Vehicle Collisions", your best CNN reaches 96.2%'


def _hard(body: str) -> list[str]:
    ctx = GuardrailContext(professor=PROFESSOR, sources=[CRASH], min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor Lee,\n\n{body}\n\nBest regards,\nSam Lee"
    return [v.span for v in check_text(text, ctx).hard_violations]


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
