"""Issue 11, round 3: claims about the student are found by their subject, not by the pronoun "I" (the applicant,
Ms./Mr. <surname>, their name, "she"/"he" referring back to it, a bio after the signature), and each fact is
compared with one entry of the CV as a unit: a real degree with an invented institution or year is not backed."""

from __future__ import annotations

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """Ana Kovač
ana.kovac@example.org

Education

M.Sc. in Computer Science, University of Zagreb — Oct 2022 – Jul 2024
- Thesis: Calibrating peer grades with pairwise comparisons

B.Sc. in Mathematics, Faculty of Science, University of Zagreb — Oct 2019 – Sep 2022

Experience

Research assistant, Zagreb NLP Lab, University of Zagreb — Mar 2023 – Aug 2023

Publications

1. A. Kovač, M. Horvat. Peer grading with pairwise comparisons. Interspeech 2024.

Awards

- Rector's Award, University of Zagreb, 2023
"""


OTHER = Paper(id="p-2", title="Learning to Rank Peers", abstract="We rank peers with pairwise comparisons.")


def _context() -> GuardrailContext:
    paper = Paper(
        id="p-1",
        title="Strategic Peer Grading",
        abstract="We study peer grading when graders are strategic, and propose a mechanism that is truthful.",
    )
    prof = Professor(id="lillian-ratliff", name="Lillian Ratliff", papers=[paper])
    return GuardrailContext(
        professor=prof,
        sources=[paper],
        student=profile_from_text(CV),
        # Other professors of the store: one shares a surname with the CV's co-author, one with a stranger.
        other_papers=[("Marta Horvat", OTHER), ("Valerie Chen", OTHER.model_copy(update={"id": "p-3"}))],
        min_words=0,
    )


def _student_spans(body: str, after_signature: str = "", check: str = "student_claims") -> list[str | None]:
    text = f"Subject: PhD inquiry\n\nDear Professor Ratliff,\n\n{body}\n\nBest regards,\nAna Kovač\n{after_signature}"
    return [v.span for v in check_text(text, _context()).hard_violations if v.check == check]


def test_a_faithful_third_person_profile_passes() -> None:
    body = (
        "Applicant profile: Ms. Kovač holds an M.Sc. in Computer Science from the University of Zagreb (2024) and "
        "a B.Sc. in Mathematics (2022). She worked as a research assistant at the Zagreb NLP Lab and received "
        "the Rector's Award in 2023."
    )
    assert _student_spans(body) == []


def test_a_real_degree_with_an_invented_institution_fails() -> None:
    body = "Applicant profile: Ms. Kovač holds an M.Sc. in Computer Science from ETH Zurich."
    assert _student_spans(body) == ["ETH Zurich"]


def test_a_real_degree_with_the_other_degrees_institution_fails() -> None:
    cv_institution_of_the_bsc = "Faculty of Science"
    body = f"Ana Kovač holds an M.Sc. in Computer Science from the {cv_institution_of_the_bsc} in Zagreb."
    assert _student_spans(body) == [f"{cv_institution_of_the_bsc}"]


def test_a_real_degree_with_an_invented_year_fails() -> None:
    assert _student_spans("Ana Kovač holds an M.Sc. in Computer Science from the University of Zagreb (2021).") == [
        "2021"
    ]


def test_she_in_a_later_paragraph_still_refers_to_the_student() -> None:
    body = "Ana Kovač is a graduate of the University of Zagreb.\n\nShe won the Turing Fellowship in 2024."
    assert _student_spans(body) == ["the Turing Fellowship"]


def test_a_bio_after_the_signature_is_checked_like_the_body() -> None:
    bio = "\nShort bio: Ana Kovač holds a PhD in Computer Science from the University of Zagreb."
    assert _student_spans("I am writing about your work on peer grading.", bio) == ["PhD"]


def test_a_venue_claimed_in_the_third_person_must_be_the_cv_entrys_with_its_year() -> None:
    assert _student_spans("Ms. Kovač has published at Interspeech 2024 on peer grading.") == []
    assert _student_spans("Ms. Kovač has published at Interspeech 2025 on peer grading.") == ["Interspeech 2025"]


def test_her_advisor_named_by_title_does_not_take_over_she() -> None:
    body = (
        "Ana Kovač is a graduate of the University of Zagreb. Her thesis was supervised by Dr. Horvat. "
        "She won the Turing Fellowship in 2024."
    )
    assert _student_spans(body) == ["the Turing Fellowship"]


def test_a_person_the_cv_names_is_not_a_mixed_up_professor() -> None:
    bio = "\nShort bio: Ana Kovač holds an M.Sc. in Computer Science; she wrote a paper with Prof. Horvat."
    assert _student_spans("I am writing about your work on peer grading.", bio, check="form") == []


def test_only_the_other_professors_own_name_is_a_mixed_up_professor() -> None:
    assert _student_spans("Like Prof. Lin Chen, you study peer grading.", check="form") == []
    assert _student_spans("Like Professor Chen, you study peer grading.", check="form") == ["Chen"]


def _spans_with(cv: str, body: str, check: str, other: Paper | None = None) -> list[str | None]:
    paper = Paper(id="p-1", title="Strategic Peer Grading", abstract="We build a knowledge graph of graders.")
    prof = Professor(id="lillian-ratliff", name="Lillian Ratliff", papers=[paper])
    others = [("Marta Horvat", other)] if other else []
    ctx = GuardrailContext(
        professor=prof, sources=[paper], student=profile_from_text(cv), other_papers=others, min_words=0
    )
    text = f"Subject: PhD inquiry\n\nDear Professor Ratliff,\n\n{body}\n\nBest regards,\nAna Kovač"
    return [v.span for v in check_text(text, ctx).hard_violations if v.check == check]


def test_a_name_in_a_script_normalisation_erases_is_looked_up_as_written() -> None:
    cv = CV.replace("Ana Kovač\n", "Ana Kovač (Ана Ковач)\n", 1)
    assert _spans_with(cv, "My name is Ana Kovač (Ана Ковач), an M.Sc. graduate.", "student_claims") == []
    assert _spans_with(cv, "I also interned at Яндекс in 2023.", "student_claims") == ["Яндекс"]


def test_a_skill_cue_in_a_clause_about_their_work_claims_nothing_for_the_student() -> None:
    body = "Your system builds a knowledge graph using Wikipedia and co-occurrence signals, which I find elegant."
    assert _spans_with(CV, body, "student_claims") == []
    assert _spans_with(CV, "I have experience with Wikipedia dumps.", "student_claims") == ["Wikipedia dumps"]


def test_a_term_the_cv_uses_is_another_professors_only_when_you_are_said_to_have_done_it() -> None:
    other = Paper(id="p-9", title="Clustered Federated Learning", abstract="We propose IFCA for federated clusters.")
    cv = CV.replace("Awards", "Projects\n\n- Compared FedAvg with IFCA on hospital data\n\nAwards")
    mine = "In my thesis I apply a simpler version of this idea to IFCA."
    assert _spans_with(cv, mine, "attribution", other) == []
    theirs = "I compared FedAvg with IFCA, so I was excited to see that you extended IFCA to generative models."
    assert _spans_with(cv, theirs, "attribution", other) == ["IFCA"]


def test_a_presentation_format_must_be_the_cv_entrys() -> None:
    cv = CV.replace("Interspeech 2024.", "Interspeech 2024 (poster).")
    assert (
        _spans_with(cv, "Ms. Kovač presented her peer grading paper as a poster at Interspeech 2024.", "student_claims")
        == []
    )
    invented = "Ms. Kovač's peer grading paper was selected for an oral presentation at Interspeech 2024."
    assert _spans_with(cv, invented, "student_claims") == ["oral presentation"]
