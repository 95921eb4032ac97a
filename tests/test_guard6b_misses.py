"""Issue 11, round 6 (guard6b): facts about the student that name their source (a referee's quoted words, a
supervisor, authorship of a paper) or that a signature gives as a role must be in the CV like any other; each
miss beside the faithful sentence of the same shape that must still pass."""

from __future__ import annotations

import pytest

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """# Jonas Berglund

## Education

**M.Sc. in Machine Learning**, KTH Royal Institute of Technology — Aug 2025 – Jun 2027 (expected)
- Thesis (in progress): *Synthetic Ground Truth for Auditing Feature Attributions*, supervised by Dr. Elin Berg

## Publications

1. **J. Berglund**, E. Berg. *Do Saliency Maps Find the Shortcut?* XAI in Action Workshop, 2026.

## Honors and Awards

- KTH Excellence Scholarship, 2025
"""
PAPERS = [
    Paper(
        id="p-smerf",
        title="Sanity Simulations for Saliency Methods",
        abstract="We design a synthetic evaluation framework, SMERF, for ground-truth-based evaluation of saliency.",
    )
]
PROFESSOR = Professor(id="joon-sik-kim", name="Joon Sik Kim", papers=PAPERS)
CONTEXT = GuardrailContext(professor=PROFESSOR, sources=PAPERS, student=profile_from_text(CV), min_words=0)


def _claims(body: str, signature: str = "Jonas Berglund") -> list[str | None]:
    text = f"Subject: PhD inquiry\n\nDear Professor Kim,\n\n{body}\n\nBest regards,\n{signature}"
    return [v.span for v in check_text(text, CONTEXT).hard_violations if v.check == "student_claims"]


@pytest.mark.parametrize(
    ("fabricated", "span"),
    [
        ('Dr. Berg writes that Jonas "is the strongest student I have supervised".', "is the strongest student I"),
        ('In her reference letter, my advisor calls me "the most careful experimentalist in the lab".', "most careful"),
        ("My thesis, supervised by Prof. Lindgren, audits feature attributions.", "Lindgren"),
        ("I am the first author of the SMERF paper.", "SMERF"),
        ("Jonas's thesis was nominated for the KTH Thesis Prize.", "the KTH Thesis Prize"),
    ],
)
def test_a_sourced_fact_the_cv_lacks_is_caught(fabricated: str, span: str) -> None:
    assert any(span in (found or "") for found in _claims(fabricated))


@pytest.mark.parametrize(
    "faithful",
    [
        'My paper "Do Saliency Maps Find the Shortcut?" appeared at the XAI in Action Workshop in 2026.',
        "My thesis, supervised by Dr. Elin Berg, audits feature attributions.",
        "My advisor, Dr. Berg, suggested I write to you.",
        "I would love to be supervised by Professor Kim.",
        "In my audit I used SMERF as inspiration, and I first-authored a short workshop paper on it.",
        "I co-authored a workshop paper that applies SMERF to audio.",
        'In my audit I ran into what I call "the planted-feature ceiling" of saliency methods.',
        'Your paper calls SMERF "a useful tool in the development of new saliency methods", which I agree with.',
    ],
)
def test_the_same_shapes_that_the_cv_backs_pass(faithful: str) -> None:
    assert _claims(faithful) == []


def test_a_degree_the_signature_gives_as_a_role_must_be_the_cvs() -> None:
    body = "I am writing about your work on saliency methods."
    assert _claims(body, "Jonas Berglund\nPhD candidate, KTH") == ["PhD"]
    assert _claims(body, "Jonas Berglund\nM.Sc. student in Machine Learning, KTH") == []
    assert _claims(body, "Jonas Berglund\nProspective PhD student") == []


BILINGUAL_CV = """# Seo-yeon Park (박서연)

## Education

**M.S. in Industrial and Systems Engineering**, KAIST, Daejeon — Mar 2023 – Feb 2025
"""


@pytest.mark.parametrize(
    ("bio", "spans"),
    [
        (
            "Ms. Park holds an M.S. from Stanford. She received the Best Paper Award at KDSW 2024.",
            {"Stanford", "the Best Paper Award"},
        ),
        ("Seo-yeon holds an M.S. from KAIST.", set()),
    ],
)
def test_a_third_person_bio_is_the_students_when_the_signature_gives_the_name_in_two_scripts(
    bio: str, spans: set[str]
) -> None:
    """The CV's name line carries the name in Hangul too, so the CV reader finds no name; the signature does."""
    ctx = GuardrailContext(professor=PROFESSOR, sources=PAPERS, student=profile_from_text(BILINGUAL_CV), min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor Kim,\n\nA short bio: {bio}\n\nBest regards,\nSeo-yeon Park (박서연)"
    found = {v.span for v in check_text(text, ctx).hard_violations if v.check == "student_claims"}
    assert spans <= found if spans else found == set()


@pytest.mark.parametrize(
    ("said", "spans"),
    [
        ("I built a synthetic benchmark. It has 40 tasks.", ["40"]),
        ("I built a synthetic benchmark. The benchmark won the Best Resource Award.", ["the Best Resource Award"]),
        ("I built a synthetic benchmark. It uses SMERF's idea of known reasoning.", []),
    ],
)
def test_a_sentence_that_goes_on_about_the_students_work_is_about_the_student(said: str, spans: list[str]) -> None:
    """ "It…" or "The benchmark…" after a sentence about the student names no one: it goes on about their work."""
    assert _claims(said) == spans


def test_an_about_me_list_is_the_students() -> None:
    """ "About me:" introduces the student's own list (its "about" is not "about your paper"); an item that opens
    on a degree as a role ("PhD candidate at KTH") claims that degree."""
    faithful = "About me:\n- M.Sc. student in Machine Learning at KTH\n- thesis supervised by Dr. Elin Berg"
    assert _claims(faithful) == []
    invented = "About me:\n- PhD candidate at KTH\n- Best Paper Award at the XAI in Action Workshop"
    assert set(_claims(invented)) >= {"PhD"}
