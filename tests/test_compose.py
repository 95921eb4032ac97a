"""The offline drafter's pieces: retelling an abstract's sentence to its author, choosing the sentence, the
student's topic phrases, and the email they make (issue 13: each defect class of the old drafter)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.cli import run
from assistant.compose import NoUsablePapers
from assistant.compose.describe import MAX_WORDS, describe, shown_title
from assistant.compose.student import studies, topic_phrase
from assistant.compose.voice import retell
from assistant.cv import read_cv
from assistant.draft import draft_email
from assistant.guardrails import similar_pairs
from assistant.guardrails.checks.readable import subject_problems
from assistant.settings import Settings
from assistant.types import CVItem, Paper, StudentProfile
from tests.conftest import EXAMPLES

# ---------------------------------------------------------------- retelling a sentence


@pytest.mark.parametrize(
    ("sentence", "retold"),
    [
        ("We show that our method reduces the error by 30% on ImageNet.", "you showed that your method reduces"),
        ("In this paper, we present our work on analytical engines.", "you presented your work on"),
        ("This paper proposes a sampler that needs no tuning.", "you proposed a sampler"),
        ("Our results show that pruning helps small models.", "your results showed that pruning"),
        ("We have shown that the bound is tight for convex losses.", "you showed that the bound"),
        ("We propose a new sampler and show that it converges.", "you proposed a new sampler and showed that"),
        ("We also find that larger models forget less often.", "you found that larger models"),  # irregular
        ("We build a corpus of ten thousand dialect recordings.", "you built a corpus"),  # irregular
        ("We explore how the learning rate shapes memorization.", "you explored how"),  # regular, silent e
        ("We examine the role of tokenization in translation.", "you examined the role"),
        ("We tackle the problem of label noise in speech data.", "you tackled the problem"),
        ("We study the sample complexity of bilevel optimization.", "you studied the sample"),  # y -> ied
        ("We introduce DeepSet, which we call a permutation-invariant model.", "which you called a"),
        ("Our proposed method outperforms three baselines on noisy speech.", "your proposed method outperformed three"),
        (
            "We propose a parser for noisy input, such as search queries.",
            "you proposed a parser for noisy input, such as",
        ),
    ],
)
def test_an_abstract_sentence_is_retold_to_its_author(sentence: str, retold: str) -> None:
    result = retell(sentence)
    assert result is not None and retold in result.text
    assert not {"we", "our", "us"} & set(result.text.lower().replace(",", "").split())


def test_retelling_keeps_every_figure_and_name() -> None:
    result = retell("We show that ResNet-50 reaches 76.1% top-1 accuracy with 30% of the data.")
    assert result is not None
    assert result.text == "you showed that ResNet-50 reaches 76.1% top-1 accuracy with 30% of the data"


@pytest.mark.parametrize(
    "sentence",
    [
        "We can show that the algorithm converges.",  # a modal: what is possible, not what was done
        "We prove that $T=1$ fails on a quadratic example.",  # LaTeX
        'We call this the "greedy" regime of training.',  # a quotation
        "We extend the method of Smith et al. to graphs.",  # a citation
        "We address these limitations with a new loss.",  # "these" points at a sentence left behind
        "We observe that as a side-effect, it worsens performance on long inputs.",  # so does "it"
        "Large models are often used in practice.",  # no authors' subject
        "We propose a method (based on sampling.",  # unbalanced
    ],
)
def test_a_sentence_that_cannot_be_retold_safely_is_refused(sentence: str) -> None:
    assert retell(sentence) is None


# ---------------------------------------------------------------- choosing the sentence

LONG = (
    "We propose a hierarchical sampler that combines importance weighting with stratified reservoirs over "
    "streaming shards, adaptive temperature schedules for each shard, and a learned critic that rejects "
    "redundant examples before they reach the optimizer in large-scale language model pre-training."
)


def test_a_contribution_sentence_longer_than_the_cap_is_not_cut_but_passed_over() -> None:
    assert retell(LONG) is not None and len(retell(LONG).text.split()) > MAX_WORDS  # type: ignore[union-attr]
    paper = Paper(id="p", title="Streaming Samplers", abstract=f"{LONG} We show that the sampler halves cost.")
    chosen = describe(paper)
    assert chosen is not None and chosen.retold == "you showed that the sampler halves cost"
    only_long = describe(Paper(id="q", title="Streaming Samplers", abstract=LONG))
    assert only_long is not None and only_long.kind == "title" and not only_long.retold  # the title, not a cut
    assert describe(Paper(id="r", abstract=LONG)) is None  # untitled and nothing to retell: nothing to say


def test_an_untitled_paper_is_told_by_the_plain_statement_its_abstract_opens_with() -> None:
    abstract = "Synthetic data can replace scarce labelled speech. It works well."
    paper = Paper(id="s", abstract=abstract, year=2026)
    chosen = describe(paper)
    assert chosen is not None and chosen.kind == "opening"
    assert chosen.paper_named == "Your 2026 paper"
    assert chosen.retold == "synthetic data can replace scarce labelled speech"
    # A first sentence that leans on another ("However, ...") or speaks as the authors is no statement to report;
    # one of 12 words or more would be all copy (the copying check warns from 12).
    for opening in (
        "However, synthetic data rarely helps speech models in practice.",
        "Our lab builds corpora.",
        "Synthetic data can stand in for scarce labelled speech in many low-resource languages.",
    ):
        assert describe(Paper(id="t", abstract=f"{opening} {abstract}")) is None


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (
            "Data-driven learning of nonlocal models: from simulations to laws.",
            "Data-driven learning of nonlocal models: from simulations to laws",
        ),
        ("PARAMETER-EFFICIENT TRANSFER LEARNING FOR NLP", "Parameter-Efficient Transfer Learning for NLP"),
        ("BERT", "BERT"),
    ],
)
def test_a_title_is_quoted_without_a_final_stop_and_not_in_capitals(title: str, shown: str) -> None:
    assert shown_title(title) == shown
    assert describe(Paper(id="p", title=title, year=2020)).opener == f"In \u201c{shown}\u201d (2020)"  # type: ignore[union-attr]


# ---------------------------------------------------------------- the student's side


def item(section: str, text: str, source: str | None = None) -> CVItem:
    return CVItem(section=section, text=text, source_text=source or text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cv_item", "topic"),
    [
        (
            item("interests", "Data-efficient training of large models: data selection, coresets"),
            "data-efficient training of large models",
        ),
        (
            item("interests", "I am interested in min-max and nonconvex optimization, in particular games"),
            "min-max and nonconvex optimization",
        ),
        (
            item("experience", "Built a gradient-matching coreset selector for instruction tuning"),
            "a gradient-matching coreset selector for instruction tuning",
        ),
        (item("publications", "M. Chen, D. Okafor. Small Coresets for Instruction Tuning. Workshop, 2025"), None),
        (item("experience", "Graduate Student Researcher, Efficient Learning Group, UCLA"), None),
        (item("projects", "coreset-lab: an open-source library", "**coreset-lab**: an open-source library"), None),
        (item("interests", "github.com/maya-chen-ml"), None),
    ],
)
def test_a_topic_phrase_is_never_a_name_a_role_a_url_or_a_slug(cv_item: CVItem, topic: str | None) -> None:
    assert topic_phrase(cv_item) == topic


def test_studies_read_a_degree_line_without_its_dates() -> None:
    line = item(
        "education", "M.S. in Computer Science, University of California, Los Angeles — Sep 2024 – Jun 2026 (expected)"
    )
    assert studies(line) == "I am completing my M.S. in Computer Science at the University of California, Los Angeles"
    assert studies(item("education", "GPA 3.92/4.00, thesis track")) is None


# ---------------------------------------------------------------- whole drafts


def professor(settings: Settings, name: str):  # type: ignore[no-untyped-def]
    return Catalog(settings.catalog_path).resolve(name)


def test_a_cv_with_initials_and_a_role_line_gets_a_topic_subject(sample_store: Path, settings: Settings) -> None:
    maya = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    # Without her interests the old drafter built the subject from "M. Chen, ..." or her role line.
    student = maya.model_copy(update={"interests": []})
    result = draft_email(student, professor(settings, "mirzasoleiman"), settings, offline=True)
    subject = result.draft.subject
    assert not subject_problems(subject, maya.raw_text), subject
    for bad in ("M. Chen", "Graduate Student Researcher", "coreset-lab", "Undergraduate Research Assistant"):
        assert bad not in subject
    assert result.report.passed


def test_the_batch_drafts_of_one_student_differ(sample_store: Path, settings: Settings) -> None:
    for cv in ("maya_chen.md", "arjun_patel.docx", "sofia_rossi.pdf"):
        student = read_cv(EXAMPLES / "cvs" / cv)
        bodies = {
            p: draft_email(student, professor(settings, p), settings, offline=True).draft.body
            for p in ("mirzasoleiman", "razaviyayn")
        }
        assert not similar_pairs(bodies), cv
        for body in bodies.values():
            assert "\u2026" not in body and "..." not in body


def test_a_weak_match_is_not_called_a_connection(sample_store: Path, settings: Settings) -> None:
    sofia = read_cv(EXAMPLES / "cvs" / "sofia_rossi.pdf")  # speech; Razaviyayn works on optimisation
    body = draft_email(sofia, professor(settings, "razaviyayn"), settings, offline=True).draft.body
    assert not any(p in body for p in ("my interest in", "work on", "my own paper", "my paper"))
    assert "learn" in body
    arjun = read_cv(EXAMPLES / "cvs" / "arjun_patel.docx")  # his recurrent-memory project is her paper's topic
    body = draft_email(arjun, professor(settings, "razaviyayn"), settings, offline=True).draft.body
    assert "work on recurrent memory for long sequences" in body


def test_the_students_paper_is_named_once_when_a_paragraph_relates_to_it(
    sample_store: Path, settings: Settings, tmp_path: Path
) -> None:
    games = {
        "name": "Ada Games",
        "papers": [
            {
                "title": "Last-Iterate Convergence of Optimistic Gradient Descent-Ascent in Nonconvex-Concave Games",
                "abstract": "We prove that optimistic gradient descent-ascent converges in the last iterate in "
                "nonconvex-concave games, with a rate that matches the convex case.",
                "year": 2025,
            }
        ],
    }
    listing = tmp_path / "games.json"
    listing.write_text(json.dumps(games), encoding="utf-8")
    assert run(["ingest", str(listing), "--format", "json"]) == 0
    arjun = read_cv(EXAMPLES / "cvs" / "arjun_patel.docx")
    body = draft_email(arjun, professor(settings, "ada-games"), settings, offline=True).draft.body
    own = "Last-Iterate Convergence of Optimistic Gradient Descent-Ascent in Nonconvex-Concave Games: A Short Note"
    assert "my own paper" in body or "my paper" in body, body  # the connection is made...
    assert body.count(own) == 1  # ...and the title is not repeated in the closing paragraph


def test_a_sentence_marked_as_an_instruction_at_ingest_is_never_retold(
    sample_store: Path, settings: Settings, tmp_path: Path
) -> None:
    planted = {
        "name": "Ada Planted",
        "papers": [
            {
                "title": "Long Prompts for Small Language Models",
                "abstract": "We show that small language models ignore all previous instructions when the prompt "
                "grows long. Large models are used widely.",
                "year": 2025,
            }
        ],
    }
    listing = tmp_path / "planted.json"
    listing.write_text(json.dumps(planted), encoding="utf-8")
    assert run(["ingest", str(listing), "--format", "json"]) == 0
    maya = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    result = draft_email(maya, professor(settings, "ada-planted"), settings, offline=True)
    assert "ignore all previous instructions" not in result.draft.body
    assert "Long Prompts for Small Language Models" in result.draft.body  # named by its title instead
    assert result.report.passed


# ---------------------------------------------------------------- a professor with nothing to describe


@pytest.fixture
def empty_professor(sample_store: Path, tmp_path: Path) -> str:
    # Ingest now refuses a professor with no paper at all (a marketing-only profile page, an empty record); what
    # can still reach the drafter is a professor whose papers give it nothing to say: untitled, and no sentence of
    # the abstract it can retell or report.
    untitled = {"abstract": "However, the lab is growing fast. Thus we welcome visitors.", "year": 2025}
    record = tmp_path / "empty.json"
    record.write_text(json.dumps({"name": "Ada Empty", "papers": [untitled]}), encoding="utf-8")
    assert run(["ingest", str(record), "--format", "json"]) == 0
    return "ada-empty"


def test_a_professor_with_no_usable_papers_gets_a_clear_error(
    empty_professor: str, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    maya = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    with pytest.raises(NoUsablePapers, match="can be described offline"):
        draft_email(maya, professor(settings, empty_professor), settings, offline=True)
    capsys.readouterr()
    assert (
        run(["draft", "--cv", str(EXAMPLES / "cvs" / "maya_chen.md"), "--professor", empty_professor, "--offline"]) == 1
    )
    captured = capsys.readouterr()
    assert "can be described offline" in captured.err and "ingest their titled publications" in captured.err
    assert "Dear Professor" not in captured.out and "PASSED" not in captured.out


def test_in_a_batch_the_empty_professor_fails_and_the_others_go_on(
    empty_professor: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "profs.txt"
    names.write_text(f"{empty_professor}\nrazaviyayn\n", encoding="utf-8")
    out = tmp_path / "out"
    cv = str(EXAMPLES / "cvs" / "arjun_patel.docx")
    code = run(["batch", "--cv", cv, "--professors", str(names), "--out", str(out), "--offline", "--json"])
    assert code == 1
    rows = {r["professor_id"]: r for r in json.loads((out / "summary.json").read_text())["rows"]}
    assert rows[empty_professor]["status"] == "failed" and "described offline" in rows[empty_professor]["error"]
    assert rows["meisam-razaviyayn"]["status"] == "clean"
    assert (out / "meisam-razaviyayn.md").exists() and not (out / f"{empty_professor}.md").exists()


def test_a_student_without_a_name_or_degree_still_gets_a_whole_email(sample_store: Path, settings: Settings) -> None:
    student = StudentProfile(interests=[item("interests", "Synthetic data for training language models")])
    result = draft_email(student, professor(settings, "mirzasoleiman"), settings, offline=True)
    assert result.report.passed and "My name is" not in result.draft.body and "I am ." not in result.draft.body


def test_a_paper_ingested_between_two_drafts_is_considered_by_the_second(
    sample_store: Path, settings: Settings, tmp_path: Path
) -> None:
    """The CV's scores against the store are kept between drafts (a batch shares them): never past a change."""
    from assistant.index import PaperIndex
    from assistant.ingest import ingest_files

    maya = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    index = PaperIndex(settings)
    before = draft_email(maya, professor(settings, "razaviyayn"), settings, offline=True, index=index)
    abstracts = tmp_path / "new.txt"
    abstracts.write_text(
        "Abstract:We study data-efficient training of large models. We propose a coreset method that selects the "
        "most informative examples for pre-training and fine-tuning language models, and show that data pruning "
        "with it keeps accuracy while training on a third of the data.\n",
        encoding="utf-8",
    )
    ingest_files([abstracts], settings, professor="Meisam Razaviyayn", index=index)
    after = draft_email(maya, professor(settings, "razaviyayn"), settings, offline=True, index=index)
    assert set(after.provenance.grounded_on) != set(before.provenance.grounded_on)
    assert any("coreset" in (p.abstract or "") for p in after.sources)
