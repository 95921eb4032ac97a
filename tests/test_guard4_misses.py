"""Issue 11, round 4: dev misses fixed by principle, each beside the faithful text that must still pass."""

from __future__ import annotations

from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

PAPERS = [
    Paper(
        id="p-lagging",
        title="Lagging Inference Networks and Posterior Collapse in Variational Autoencoders",
        abstract=(
            "Early in training the inference network fails to approximate the true posterior, so the model "
            "ignores the latent variable. Optimizing the inference network aggressively avoids collapse, and it "
            "is substantially faster than more complex techniques."
        ),
    ),
    Paper(
        id="p-knn",
        title="Efficient Nearest Neighbor Language Models",
        abstract="Our methods speed up inference by an order of magnitude on WikiText-103.",
    ),
]


def _numbers(body: str) -> list[str | None]:
    prof = Professor(id="junxian-he", name="Junxian He", papers=PAPERS)
    ctx = GuardrailContext(professor=prof, sources=PAPERS, min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor He,\n\n{body}\n\nBest regards,\nKim Min-jun"
    return [v.span for v in check_text(text, ctx).hard_violations if v.check == "numbers"]


OPENING = (
    "I was delighted to find your paper Lagging Inference Networks and Posterior Collapse in Variational "
    "Autoencoders.\n\n"
)


def test_words_describing_a_paper_the_email_names_by_title_are_about_it_firmly() -> None:
    body = OPENING + (
        "Optimizing the inference network aggressively avoids collapse of the latent variable, and it is an order "
        "of magnitude faster than more complex techniques."
    )
    assert _numbers(body) == ["an order of magnitude"]


def test_the_same_words_with_what_the_paper_says_pass() -> None:
    body = OPENING + (
        "Optimizing the inference network aggressively avoids collapse of the latent variable, and it is "
        "substantially faster than more complex techniques."
    )
    assert _numbers(body) == []
