"""Issue 11, round 3: which paper a sentence is about decides what backs its figures and names. A figure of
another of the professor's papers, a figure beside another paper's dataset, and a phrase of another of their
papers are caught when the sentence says which paper it means; faithful retellings pass."""

from __future__ import annotations

from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor, Violation

PAPERS = [
    Paper(
        id="p-rewrite",
        title="Answering Science Exam Questions Using Query Rewriting with Background Knowledge",
        abstract=(
            "We present a system that rewrites each question of the ARC Challenge into queries that retrieve "
            "supporting text. The rewriter is trained to identify essential terms, and the end-to-end system "
            "outperforms several strong baselines."
        ),
    ),
    Paper(
        id="p-arc",
        title="A Systematic Classification of Knowledge and Reasoning in the ARC Dataset",
        abstract=(
            "We annotate the knowledge and reasoning types of ARC questions. Giving a neural reader the "
            "human-selected relevant sentences raises its score by 42 points."
        ),
    ),
    Paper(
        id="p-sarcasm",
        title="Sarcasm Detection on Czech and English Twitter",
        abstract=(
            "We present the first attempt at sarcasm detection in Czech. Our language-independent approach "
            "outperforms adapted state-of-the-art methods in English (F-measure 0.947) and also represents a "
            "strong baseline for further research in Czech (F-measure 0.582)."
        ),
    ),
    Paper(
        id="p-cache",
        title="Erasure-Coded Caching for Data-Intensive Clusters",
        abstract=(
            "Our cache reduces median read latency by 2x. It cuts memory use by 30% compared with selective "
            "replication."
        ),
    ),
    Paper(
        id="p-convert",
        title="Convertible Codes for Efficient Conversion of Coded Data",
        abstract=(
            "We formalise code conversion and, for the merge regime under linearity and MDS constraints, prove "
            "tight bounds on the number of nodes accessed, with explicit optimal constructions."
        ),
    ),
    Paper(
        id="p-bandwidth",
        title="Bandwidth Cost of Code Conversions in Distributed Storage",
        abstract=(
            "We model the code conversion problem using information flow graphs with variable capacity edges, "
            "and derive lower bounds on the conversion bandwidth."
        ),
    ),
]


def _numbers(body: str) -> list[Violation]:
    prof = Professor(id="mira-okafor", name="Mira Okafor", papers=PAPERS)
    ctx = GuardrailContext(professor=prof, sources=PAPERS, min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor Okafor,\n\n{body}\n\nBest regards,\nAna Kovač"
    return [v for v in check_text(text, ctx).hard_violations if v.check == "numbers"]


def _spans(body: str) -> list[str | None]:
    return [v.span for v in _numbers(body)]


def test_a_title_paraphrase_decides_the_paper_over_a_name_both_papers_use() -> None:
    intro = "I read your work on answering science exam questions using query rewriting on the ARC Challenge."
    assert _spans(f"{intro} The system outperforms several strong baselines.") == []
    assert _spans(f"{intro} The system improves accuracy by 42 points over several strong baselines.") == ["42"]


def test_a_figure_beside_the_dataset_the_paper_gives_another_figure_is_swapped() -> None:
    intro = "Your paper on sarcasm detection on Czech and English Twitter was the first attempt for Czech."
    assert _spans(f"{intro} Your approach reached an F-measure of 0.947 on English and 0.582 on Czech.") == []
    swapped = _spans(f"{intro} Your approach reached an F-measure of 0.947 on Czech and 0.582 on English.")
    assert swapped == ["0.947", "0.582"]


def test_a_common_word_near_another_figure_is_not_a_swap() -> None:
    body = "Your paper on erasure-coded caching for data-intensive clusters cuts memory use by 30% at low latency."
    assert _spans(body) == []


def test_a_phrase_of_another_of_their_papers_credited_to_this_one_is_hard() -> None:
    intro = "Your paper on convertible codes for efficient conversion of coded data was a revelation."
    faithful = "You formalise code conversion and prove tight bounds on the number of nodes accessed."
    assert _spans(f"{intro} {faithful}") == []
    moved = (
        "You formalise code conversion, model it with information flow graphs with variable capacity edges, and, "
        "for the merge regime under linearity and MDS constraints, prove tight bounds on the number of nodes "
        "accessed, with explicit optimal constructions."
    )
    assert _spans(f"{intro} {moved}") == ["information flow graphs with variable capacity edges"]


def test_a_phrase_in_a_sentence_that_describes_the_other_paper_is_about_that_paper() -> None:
    intro = "Your paper on convertible codes for efficient conversion of coded data was a revelation."
    other = "The bandwidth paper models code conversion with information flow graphs with variable capacity edges."
    assert _spans(f"{intro} {other}") == []


def test_a_name_the_paragraphs_paper_also_uses_keeps_the_paragraph_on_it() -> None:
    papers = [
        Paper(
            id="p-tau",
            title="Gradient Descent-Ascent with a Finite Timescale Separation",
            abstract="Past work showed that GDA may cycle. We find a finite separation, with experiments on CIFAR-10.",
        ),
        Paper(id="p-gda", title="Global Convergence of GDA in Games", abstract="We prove GDA converges globally."),
    ]
    prof = Professor(id="lillian-ratliff", name="Lillian Ratliff", papers=papers)
    ctx = GuardrailContext(professor=prof, sources=papers, min_words=0)
    body = (
        'Your paper "Gradient Descent-Ascent with a Finite Timescale Separation" explained a lot. Past work showed '
        "that GDA may cycle. The experiments on CIFAR-10 illustrate how much the separation matters."
    )
    text = f"Subject: PhD inquiry\n\nDear Professor Ratliff,\n\n{body}\n\nBest regards,\nAna Kovač"
    assert [v.span for v in check_text(text, ctx).hard_violations if v.check == "numbers"] == []


def test_your_paper_on_what_it_describes_decides_the_paper_over_a_shared_name() -> None:
    papers = [
        Paper(
            id="p-tag",
            title="Scientific Information Extraction with Semi-supervised Neural Tagging",
            abstract="We tag scientific terms with semi-supervised neural models for the SemEval ScienceIE task (F1).",
        ),
        Paper(
            id="p-uw",
            title="The UWNLP System at SemEval-2018 Task 7",
            abstract="Our relation extraction system for SemEval reaches an F1 of 50.3.",
        ),
    ]
    prof = Professor(id="yi-luan", name="Yi Luan", papers=papers)
    ctx = GuardrailContext(professor=prof, sources=papers, min_words=0)
    body = (
        "I read your paper on tagging scientific terms at SemEval for the ScienceIE task, which reaches an F1 of 50.3."
    )
    text = f"Subject: PhD inquiry\n\nDear Dr. Luan,\n\n{body}\n\nBest regards,\nAna Kovač"
    assert [v.span for v in check_text(text, ctx).hard_violations if v.check == "numbers"] == ["50.3"]


TAPEX = Paper(
    id="p-tapex",
    title="TAPEX: Table Pre-training via Learning a Neural SQL Executor",
    abstract=(
        "TAPEX improves the WikiSQL denotation accuracy to 89.6%, the WikiTableQuestions denotation accuracy to "
        "57.5%, and the SQA denotation accuracy to 74.5%. Its corpus has a 10,000-table XL split, whose labels "
        "are filtered to at most 4% errors."
    ),
)


def _tapex(sentence: str) -> list[str | None]:
    prof = Professor(id="qian-liu", name="Qian Liu", papers=[TAPEX])
    ctx = GuardrailContext(professor=prof, sources=[TAPEX], min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Dr. Liu,\n\nIn TAPEX, {sentence}\n\nBest regards,\nAna Kovač"
    return [v.span for v in check_text(text, ctx).hard_violations if v.check == "numbers"]


def test_a_dataset_named_before_a_figure_binds_it_however_far_back() -> None:
    assert _tapex("you reach a WikiTableQuestions denotation accuracy of 57.5% and 74.5% on SQA.") == []
    swapped = _tapex("you reach a WikiTableQuestions denotation accuracy of 74.5% and 57.5% on SQA.")
    assert swapped == ["74.5%", "57.5%"]


def test_a_named_thing_of_a_figure_of_another_kind_is_no_swap() -> None:
    assert _tapex("the labels are filtered to at most 4% errors for the XL split.") == []
