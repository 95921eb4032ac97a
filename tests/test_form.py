"""The form check sees what a reader sees: a subject carrying a name, a role, a URL or a slug; a sentence cut
short; the abstract's "we" left in a sentence about the professor's work; a word form that does not exist; a
salutation that names no person. And it stays quiet on honest emails."""

from __future__ import annotations

import pytest

from assistant.guardrails import GuardrailContext, check_text
from assistant.types import CVItem, Paper, Professor, StudentProfile, Violation

ABSTRACT = (
    "We present our work on analytical engines for symbolic computation. We explore the design space of "
    "punched-card programs and show that loops reduce program length."
)
PROF = Professor(
    id="ada-lovelace",
    name="Ada Lovelace",
    papers=[Paper(id="p1", title="Notes on the Analytical Engine", abstract=ABSTRACT, year=1843)],
)
CV = "Maya Chen\n\n## Projects\n- **coreset-lab**: an open-source library of data-selection baselines\n"
STUDENT = StudentProfile(
    name="Maya Chen",
    interests=[CVItem(section="interests", text="data selection", source_text="data selection")],
    raw_text=CV,
)
CTX = GuardrailContext(professor=PROF, sources=PROF.papers, student=STUDENT)
FILLER = (
    "I am a student of computer science and I would like to join your group next year to work on programs. "
    "I have read your notes with great care and I would be glad to discuss them with you at any time. "
    "Thank you for considering my application, and for the time you give to reading letters like this one."
)


def email(
    body: str,
    subject: str = "Prospective student interested in data selection",
    salutation: str = "Dear Professor Lovelace,",
) -> str:
    return f"Subject: {subject}\n\n{salutation}\n\n{body} {FILLER}\n\nBest regards,\nMaya Chen"


def form(text: str) -> list[Violation]:
    return [v for v in check_text(text, CTX).violations if v.check == "form"]


HONEST = "In \u201cNotes on the Analytical Engine\u201d, you showed that loops reduce program length."


def test_an_honest_email_has_no_form_problem() -> None:
    assert form(email(HONEST)) == []


@pytest.mark.parametrize(
    ("subject", "span"),
    [
        ("Prospective student interested in M. Chen", "M. Chen"),
        ("Prospective student interested in Graduate Student Researcher", "Graduate Student Researcher"),
        ("Prospective student interested in coreset-lab", "coreset-lab"),
        ("Prospective student: see https://maya.example.edu", "https://maya.example.edu"),
        ("Question on Chen, M. and data selection", "Chen, M."),
    ],
)
def test_a_subject_with_a_name_role_url_or_slug_is_hard(subject: str, span: str) -> None:
    found = [v for v in form(email(HONEST, subject=subject)) if v.severity == "hard"]
    assert [v.span for v in found] == [span]


@pytest.mark.parametrize(
    "subject",
    [
        "Prospective PhD student: data-efficient training and multi-token prediction",
        "Inquiry about research assistant positions in your group",
        "M.S. Student interested in low-resource speech recognition",
        "Self-supervised speech representations: a prospective student's inquiry",
    ],
)
def test_an_ordinary_subject_passes(subject: str) -> None:
    assert form(email(HONEST, subject=subject)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "In \u201cNotes on the Analytical Engine\u201d, you explored the design space of punched-card\u2026",
        "In \u201cNotes on the Analytical Engine\u201d, you explored the design space of the.",
        "In \u201cNotes on the Analytical Engine\u201d (on punched cards, you explored the design space.",
    ],
)
def test_a_sentence_cut_short_is_hard(sentence: str) -> None:
    found = form(email(sentence))
    assert [v.severity for v in found] == ["hard"] and "cut short" in found[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "In \u201cNotes on the Analytical Engine\u201d, you presented our work on analytical engines.",
        "In \u201cNotes on the Analytical Engine\u201d, you found that our loops reduce program length.",
    ],
)
def test_the_abstracts_we_left_in_a_sentence_about_the_professor_is_hard(sentence: str) -> None:
    found = form(email(sentence))
    assert [v.severity for v in found] == ["hard"] and "first person" in found[0].message


def test_a_student_speaking_of_their_own_group_is_not_a_leak() -> None:
    body = f"{HONEST} Your results could help our reading group, and I would like to try them."
    assert form(email(body)) == []


def test_a_word_form_that_does_not_exist_is_soft_and_technical_words_are_not_judged() -> None:
    found = form(email("In \u201cNotes on the Analytical Engine\u201d, you exploreed and tackleed the design space."))
    assert sorted((v.span, v.severity) for v in found) == [("exploreed", "soft"), ("tackleed", "soft")]
    assert "'explored'" in found[0].message or "'explored'" in found[1].message
    assert form(email(f"{HONEST} I work on coresets, pretrained tokenizers and finetuned embeddings.")) == []


@pytest.mark.parametrize("salutation", ["Dear Professor lab!,", "Dear Professor Lab,", "Dear Professor join our lab,"])
def test_a_salutation_that_names_no_person_is_hard(salutation: str) -> None:
    found = form(email(HONEST, salutation=salutation))
    assert [v.severity for v in found] == ["hard"] and "does not address a person" in found[0].message


def test_names_with_diacritics_and_particles_are_names() -> None:
    prof = Professor(id="x", name="Ana van der Kovač", papers=PROF.papers)
    ctx = GuardrailContext(professor=prof, sources=prof.papers)
    report = check_text(email(HONEST, salutation="Dear Professor van der Kovač,"), ctx)
    assert [v for v in report.violations if v.check == "form"] == []
