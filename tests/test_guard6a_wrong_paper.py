"""Issue 11, round 6 (guard6a): a name true of one paper stated about another, when the sentence says which paper
it means — "your Crowd-Kit paper" (of the papers that use the name, the one that introduces it: "we demonstrate
Crowd-Kit"), "the competence-based curriculum paper" (a paper labelled by its title's words) — and other forms of
a figure: a percentage for the paper's proportion ("94.7%" for "0.947"), "2.4 times" is not "2.2x"."""

from __future__ import annotations

from assistant.guardrails.quantities import quantities, stated
from assistant.types import Paper
from tests.guard6a_common import hard_spans

PAPERS = [
    Paper(
        id="p-kit",
        title="A General-Purpose Crowdsourcing Computational Quality Control Toolkit for Python",
        abstract="In this paper, we demonstrate Crowd-Kit, a toolkit of aggregation methods for crowdsourcing.",
    ),
    Paper(
        id="p-challenges",
        title="Challenges in Data Production for AI with Human-in-the-Loop",
        abstract="We discuss data production and show examples with Crowd-Kit and other tools.",
    ),
    Paper(
        id="p-vox",
        title="CrowdSpeech and VoxDIY: Benchmark Datasets for Crowdsourced Audio Transcription",
        abstract="We release CrowdSpeech, and VoxDIY, its Russian counterpart, for audio transcription.",
    ),
    Paper(
        id="p-curriculum",
        title="Competence-based Curriculum Learning for Neural Machine Translation",
        abstract="We propose a curriculum that feeds training examples by their difficulty and the model's competence.",
    ),
    Paper(
        id="p-switch",
        title="SwitchOut: an Efficient Data Augmentation Algorithm for Neural Machine Translation",
        abstract="We name this method SwitchOut: it randomly replaces words in the source and the target sentence.",
    ),
]


def _hard(body: str) -> list[str]:
    return hard_spans("Dmitry Ustalov", PAPERS, body)


def test_a_labelled_paper_is_the_one_that_introduces_the_name() -> None:
    wrong = "In your Crowd-Kit paper you also introduced VoxDIY, the Russian counterpart of CrowdSpeech."
    assert _hard(wrong) == ["VoxDIY", "CrowdSpeech"]
    assert _hard("In your Crowd-Kit paper you offer a toolkit of aggregation methods for crowdsourcing.") == []


def test_a_paper_labelled_by_its_titles_words_is_the_one_the_sentence_means() -> None:
    wrong = "I spent time with the competence-based curriculum paper, where you also proposed SwitchOut."
    assert _hard(wrong) == ["SwitchOut"]
    right = "I spent time with the competence-based curriculum paper, which orders examples by difficulty."
    assert _hard(right) == []


def test_a_percentage_states_the_papers_proportion_and_back() -> None:
    paper = stated("an F-measure of 0.947 and an accuracy of 85.3%")
    assert [paper.has(q) for q in quantities("94.7%, 0.853, 93.1%")] == [True, True, False]


def test_times_keeps_its_decimals() -> None:
    paper = stated("a 2.2x speed-up")
    assert [paper.has(q) for q in quantities("2.2 times; 2 times; 2.4 times")] == [True, True, False]
