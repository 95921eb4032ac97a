"""Issue 11, round 5, step 3: what fresh text (writer j's dev emails) showed after the probes' fixes. A value
derived from what the paper states is supported — a length of time its years give ("between 2014 and 2018": a
five-year window), arithmetic on the sentence's own figures ("from 14.2% to 9.8%, about a 30 percent reduction"),
an acronym of words the paper writes out — and the "I" of math notation ("[n^I, k^I]") is no student; each beside
the fabrication it must still catch."""

from __future__ import annotations

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.guardrails.atoms import last_named
from assistant.guardrails.parse import parse_email
from assistant.types import Paper, Professor

PAPERS = [
    Paper(
        id="p-leak",
        title="Identifying Bid Leakage in Procurement Auctions",
        abstract=(
            "We analyze more than 1.4 million procurement auctions between 2014 and 2018. Empirical game-theoretic "
            "analysis refers to models for solving large games. We find that at least 16% of auctions leak."
        ),
    ),
]
PROFESSOR = Professor(id="dmitry-ivanov", name="Dmitry Ivanov", papers=PAPERS)
CV = """Aoife Byrne

Research

- Crowd transcription study: 310 workers; aggregation lowered the word error rate from 14.2% to 9.8%.
"""


def _hard(body: str, *, cv: bool = False) -> list[str]:
    student = profile_from_text(CV) if cv else None
    ctx = GuardrailContext(professor=PROFESSOR, sources=PAPERS, student=student, min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor Ivanov,\n\n{body}\n\nBest regards,\nAoife Byrne"
    return [v.span for v in check_text(text, ctx).hard_violations]


TITLE = 'In "Identifying Bid Leakage in Procurement Auctions", you'


def test_a_length_of_time_the_papers_years_give_is_supported() -> None:
    assert _hard(f"{TITLE} study over 1.4 million auctions from a five-year window.") == []
    assert _hard(f"{TITLE} study over 1.4 million auctions from a seven-year window.") == ["seven"]


def test_arithmetic_on_the_sentences_own_figures_is_supported() -> None:
    body = "In my study, aggregation lowered the word error rate from 14.2% to 9.8%, about a 30 percent reduction."
    assert _hard(body, cv=True) == []
    wrong = "In my study, aggregation lowered the word error rate from 14.2% to 9.8%, about a 45 percent reduction."
    assert _hard(wrong, cv=True) == ["45"]


def test_an_acronym_of_words_the_paper_writes_out_is_theirs() -> None:
    assert _hard(f"{TITLE} note that EGTA gives no quantitative guarantee for 16% of auctions.") == []
    assert _hard(f"{TITLE} note that EGTQ gives no quantitative guarantee for 16% of auctions.") == ["EGTQ"]


def test_the_i_of_math_notation_is_no_student() -> None:
    body = (
        "Dear Professor Ivanov,\n\nYou convert an [n^I, k^I] code to an [n^F, k^F] code with flow graphs.\n\nBest,\nA"
    )
    email = parse_email("PhD inquiry", body, "Dmitry Ivanov", structured=False)
    sentence = next(s for s in email.sentences if "convert" in s.text)
    assert sentence.about == "professor"
    assert last_named(sentence, sentence.start + sentence.text.index("flow")) == "professor"


def test_an_acronym_another_professors_paper_writes_is_still_attribution() -> None:
    other = Paper(id="p-other", title="Scaling EGTA", abstract="EGTA scales to large games with our new solver.")
    ctx = GuardrailContext(professor=PROFESSOR, sources=PAPERS, other_papers=[("Ada Lovelace", other)], min_words=0)
    body = "Your group's EGTA solver scales to large games, which I would love to build on."
    text = f"Subject: PhD inquiry\n\nDear Professor Ivanov,\n\n{body}\n\nBest regards,\nAoife Byrne"
    assert [(v.check, v.span) for v in check_text(text, ctx).hard_violations] == [("attribution", "EGTA")]
