"""Issue 11, round 6 (guard6a): which paper and which quantity a figure or name is about, as writer m's faithful
emails showed. "In one, … In the other, you…" speaks of a second paper, not the one before; after another figure
of its clause, the names before a figure are what that figure measures ("fourteen Python tasks of seven kinds");
"half a BLEU point" is the figure 0.5. Each beside the fabrication it must still catch."""

from __future__ import annotations

from assistant.types import Paper
from tests.guard6a_common import hard_spans

PAPERS = [
    Paper(
        id="p-ide",
        title="In-IDE Code Generation from Natural Language: Promise and Challenges",
        abstract=(
            "We ask developers to complete 7 varieties of 14 Python programming tasks with or without the plugin. "
            "Qualitative surveys are positive."
        ),
    ),
    Paper(
        id="p-switch",
        title="SwitchOut: an Efficient Data Augmentation Algorithm for Neural Machine Translation",
        abstract=(
            "We name this method SwitchOut. Experiments on three translation datasets of different scales show "
            "that SwitchOut yields consistent improvements of about 0.5 BLEU over word dropout."
        ),
    ),
    Paper(
        id="p-rank",
        title="Integrating Rankings into Quantized Scores in Peer Review",
        abstract=(
            "Quantized review scores suffer from many ties. We integrate the rankings of reviewers into their "
            "scores, and on ICLR 2017 reviews our method reduces the error by approximately 30%."
        ),
    ),
    Paper(
        id="p-calib",
        title="Calibration with Privacy in Peer Review",
        abstract=(
            "Calibrating strict or lenient reviewers can leak which reviewer reviewed which paper. We study a model "
            "with two reviewers, two papers and an MAP-computing adversary, and establish the Pareto frontier "
            "between privacy and utility."
        ),
    ),
]


def _hard(body: str) -> list[str]:
    return hard_spans("Graham Neubig", PAPERS, body)


def test_the_other_of_two_papers_is_not_the_one_before() -> None:
    body = (
        "Two of your recent papers study review scores. In one, the rankings of reviewers are folded into their "
        "quantized scores, lowering the error by around 30% on ICLR 2017. In the other, you show that calibrating "
        "strict or lenient reviewers can leak which reviewer reviewed which paper, with MAP estimates and a Pareto "
        "frontier between privacy and utility."
    )
    assert _hard(body) == []
    # Said of the paper before, a name of the other paper is still credited to the wrong one.
    wrong = (
        "In your paper on integrating rankings into quantized scores, the rankings of reviewers are folded into "
        "their scores. It also characterises MAP estimates of reviewer identity."
    )
    assert _hard(wrong) == ["MAP"]


def test_the_names_after_a_figure_are_what_it_measures_not_the_next_figures() -> None:
    body = "In the IDE study, developers completed fourteen Python tasks of seven kinds with or without the plugin."
    assert _hard(body) == []


def test_half_a_point_is_the_figure_half() -> None:
    assert _hard("SwitchOut gives gains of about half a BLEU point on three translation datasets.") == []
    assert _hard("SwitchOut gives gains of about 0.8 BLEU on three translation datasets.") == ["0.8"]


AMBER = Paper(
    id="p-amber",
    title="Explicit Alignment Objectives for Multilingual Bidirectional Encoders",
    abstract=(
        "We present a new method for learning multilingual encoders, AMBER (Aligned Multilingual Bidirectional "
        "EncodeR). Results on XTREME show that AMBER obtains gains of up to 1.1 average F1 score on sequence "
        "tagging and up to 27.3 average accuracy on retrieval."
    ),
)
SARCASM = Paper(
    id="p-sarcasm",
    title="Sarcasm Detection on Czech and English Twitter",
    abstract=(
        "Our approach outperforms others in English (F-measure 0.947) and is a strong baseline in Czech "
        "(F-measure 0.582)."
    ),
)


def _hard_of(paper: Paper, body: str) -> list[str]:
    return hard_spans("Graham Neubig", [paper], body)


def test_the_name_a_paper_introduces_ties_a_figure_to_no_one_quantity() -> None:
    assert _hard_of(AMBER, "AMBER gains up to 27 points on retrieval and about 1 F1 on sequence tagging.") == []
    # What one figure measures still binds it: a dataset or a language, even one in the title.
    sarcasm = 'In "Sarcasm Detection on Czech and English Twitter", your approach reached an F-measure of'
    assert _hard_of(SARCASM, f"{sarcasm} 0.947 on English.") == []
    assert _hard_of(SARCASM, f"{sarcasm} 0.947 on Czech.") == ["0.947"]


IRIS = Paper(
    id="p-iris",
    title="End-to-End Integration of Speech Recognition, Speech Enhancement, and Self-Supervised Learning",
    abstract=(
        "The IRIS model achieves the best performance reported for the single-channel CHiME-4 benchmark (2.0% for "
        "the real development and 3.9% for the real test) thanks to the pre-trained SSLR module."
    ),
)


def test_a_list_of_figures_measures_the_papers_list_respectively() -> None:
    body = "The IRIS model reaches {} on the real {} sets of CHiME-4."
    assert _hard_of(IRIS, body.format("2% and 3.9%", "development and test")) == []
    assert _hard_of(IRIS, body.format("2% and 3.9%", "test and development")) == ["2%"]
    assert _hard_of(IRIS, body.format("3.9% and 2%", "development and test")) == ["3.9%"]


def test_list_items_a_share_and_slashed_figures_bind_as_written() -> None:
    grouped = Paper(
        id="p-group",
        title="Integrating Pattern- and Fact-based Fake News Detection",
        abstract=(
            "These methods can be grouped as 1) pattern-based methods and 2) fact-based methods. The two groups of "
            "methods play complementary roles."
        ),
    )
    said = 'In "Integrating Pattern- and Fact-based Fake News Detection", the 2 groups of methods are complementary.'
    assert hard_spans("Qiang Sheng", [grouped], said) == []  # "1)" and "2)" number a list
    grendel = Paper(
        id="p-grendel",
        title="Recovering Software Specifications with Inductive Logic Programming",
        abstract=(
            "Grendel2 can extract specifications for about one-third of the modules. We then describe two "
            "extensions to Grendel2 which improve performance."
        ),
    )
    said = (
        'In "Recovering Software Specifications with Inductive Logic Programming", you give 2 extensions to Grendel2.'
    )
    assert hard_spans("William W. Cohen", [grendel], said) == []  # a share is no count's rival
    ctc = Paper(
        id="p-ctc",
        title="Better Intermediates Improve CTC Inference",
        abstract="Experiments show relative 3%/12% performance improvement in test clean/other sets.",
    )
    said = (
        'In "Better Intermediates Improve CTC Inference", you show 3% and 12% relative gains on test clean and other.'
    )
    assert hard_spans("Shinji Watanabe", [ctc], said) == []
