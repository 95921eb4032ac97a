"""De-duplication: when two listings are one paper, and what the merged paper keeps."""

from __future__ import annotations

from pathlib import Path

from assistant.ids import paper_id
from assistant.merge import MergeStats, merge_papers, merge_professor
from assistant.sources import read_path
from assistant.types import Coauthor, Paper, PaperSource, Professor

LONG = (
    "We study how small language models learn to plan when trained on synthetic graph tasks. Our analysis "
    "shows that a two-stage process emerges: the model first attends to the goal and then traces the path "
    "backward, which we confirm on several reasoning benchmarks and explain with a simple theory of gradients."
)
OTHER = (
    "Data selection methods pick a small subset of training examples that preserves the behaviour of the full "
    "data set. We show that selecting examples by their learning dynamics halves training cost on image and "
    "text benchmarks while keeping accuracy within one point of full-data training, across many model sizes."
)


def paper(title: str | None = None, abstract: str | None = None, **fields: object) -> Paper:
    return Paper(id=paper_id(title, abstract), title=title, abstract=abstract, **fields)


def test_same_normalised_title_is_one_paper() -> None:
    papers, stats = merge_papers([paper("Learning to Plan!", LONG)], [paper("learning to plan", OTHER)])
    assert len(papers) == 1 and stats == MergeStats(new=0, merged=1)


def test_different_titles_and_abstracts_stay_apart() -> None:
    papers, stats = merge_papers([paper("Learning to Plan", LONG)], [paper("Choosing Data", OTHER)])
    assert [p.title for p in papers] == ["Learning to Plan", "Choosing Data"]
    assert stats == MergeStats(new=1, merged=0)


def test_untitled_listing_gains_the_title_and_keeps_its_id() -> None:
    untitled = paper(None, LONG, venue="Open MIND", date="2024-03-02")
    titled = paper("Learning to Plan", LONG.upper(), venue="arXiv", date="2024-01-10")
    (merged,), _ = merge_papers([untitled], [titled])
    assert merged.id == untitled.id
    assert merged.title == "Learning to Plan"
    assert (merged.venue, merged.date, merged.year) == ("Open MIND", "2024-01-10", 2024)


def test_truncated_abstract_merges_when_200_characters_agree() -> None:
    full = paper(None, LONG)
    (merged,), stats = merge_papers([paper("A Title", LONG[:230])], [full])
    assert stats.merged == 1 and merged.abstract == LONG  # the longer abstract wins
    short_prefix = paper(None, LONG[:150])
    papers, stats = merge_papers([paper("A Title", LONG[:150] + " and then something else entirely.")], [short_prefix])
    assert stats.new == 1 and len(papers) == 2  # 150 shared characters are not enough to call it the same paper


def test_lightly_edited_abstract_merges_but_a_rewrite_does_not() -> None:
    edited = LONG.replace("small language models", "small LMs").replace("We study", "Here we study")
    papers, stats = merge_papers([paper("Old Title", LONG)], [paper("New Title", edited)])
    assert stats.merged == 1 and papers[0].title == "Old Title"
    rewritten = "Planning " + LONG[120:] + " " + LONG[:120]
    _, stats = merge_papers([paper("Old Title", LONG)], [paper("New Title", rewritten)])
    assert stats.new == 1


def test_sources_are_unioned_without_exact_duplicates() -> None:
    arxiv = PaperSource(origin="a.txt", venue="arXiv", date="2024-01-10", kind="preprint", open_access=True)
    icml = PaperSource(origin="a.txt", venue="ICML", date="2024-07-21", kind="article")
    first = paper("T", LONG, sources=[arxiv])
    again = paper("T", LONG, sources=[arxiv, icml])
    (merged,), _ = merge_papers([first], [again])
    assert merged.sources == [arxiv, icml]


def test_full_date_beats_a_year_and_earliest_full_date_wins() -> None:
    (merged,), _ = merge_papers(
        [paper("T", LONG, date="2023", year=2023)],
        [paper("T", None, date="2024-05-01", year=2024), paper("T", None, date="2024-02-01", year=2024)],
    )
    assert (merged.date, merged.year) == ("2024-02-01", 2024)


def test_fields_fill_in_without_overwriting() -> None:
    kept = paper("T", LONG, venue="ICML", authors=["A"], senior_author=False)
    other = paper("T", None, venue="arXiv", authors=["A", "B"], doi="10.1/x", author_count=2, senior_author=True)
    (merged,), _ = merge_papers([kept], [other])
    assert (merged.venue, merged.authors, merged.doi, merged.author_count, merged.senior_author) == (
        "ICML",
        ["A"],
        "10.1/x",
        2,
        True,
    )


def test_duplicates_within_incoming_fold_together_and_inputs_stay_untouched() -> None:
    existing = [paper("T", LONG, sources=[PaperSource(origin="x")])]
    incoming = [paper(None, OTHER), paper("Other", OTHER), paper("T", None)]
    papers, stats = merge_papers(existing, incoming)
    assert stats == MergeStats(new=1, merged=2) and len(papers) == 2
    assert existing[0].sources == [PaperSource(origin="x")] and incoming[0].title is None


def test_merging_the_same_papers_again_changes_nothing() -> None:
    papers, _ = merge_papers([], [paper("T", LONG), paper(None, OTHER)])
    again, stats = merge_papers(papers, [paper("T", LONG), paper(None, OTHER)])
    assert again == papers and stats == MergeStats(new=0, merged=2)


def test_merge_professor_updates_scalars_and_unions_lists() -> None:
    old = Professor(
        id="ada-example",
        name="Ada Example",
        kind="collection",
        position="Assistant Professor",
        affiliation="Example University",
        topics=["Planning"],
        coauthors=[Coauthor(name="Grace Sample", shared=3)],
        external_ids={"openalex": "A1"},
        papers=[paper("T", LONG)],
    )
    new = Professor(
        id="ada-example",
        name="Ada Example",
        position="Associate Professor",
        affiliation=None,
        topics=["planning", "Learning"],
        coauthors=[Coauthor(name="Grace Sample", shared=5, affiliation="Sample Tech"), Coauthor(name="Alan P")],
        external_ids={"semantic_scholar": "1"},
        papers=[paper(None, LONG), paper(None, OTHER)],
    )
    merged, stats = merge_professor(old, new)
    assert (merged.position, merged.affiliation, merged.kind) == (
        "Associate Professor",
        "Example University",
        "professor",
    )
    assert merged.topics == ["Planning", "Learning"]
    assert [(c.name, c.shared, c.affiliation) for c in merged.coauthors] == [
        ("Grace Sample", 5, "Sample Tech"),
        ("Alan P", None, None),
    ]
    assert merged.external_ids == {"openalex": "A1", "semantic_scholar": "1"}
    assert len(merged.papers) == 2 and stats == MergeStats(new=1, merged=1)


def test_merge_professor_into_nothing_counts_every_paper_new() -> None:
    prof = Professor(id="a", name="A", papers=[paper("T", LONG), paper(None, OTHER)])
    merged, stats = merge_professor(None, prof)
    assert merged.papers == prof.papers and stats == MergeStats(new=2, merged=0)


def test_abstract_list_folds_into_mirzasoleiman_profile(examples_dir: Path) -> None:
    profile = read_path(examples_dir / "profile_mirzasoleiman.txt").professors[0]
    abstracts = read_path(examples_dir / "abstracts_mirzasoleiman.txt", professor="Baharan Mirzasoleiman")
    merged, stats = merge_professor(profile, abstracts.professors[0])
    assert len(merged.papers) == 12
    assert stats == MergeStats(new=7, merged=3)
    assert merged.about == profile.about and merged.topics == profile.topics  # an abstract list carries no profile
    titled = [p for p in merged.papers if p.title]
    assert len(titled) == 2
    masked = next(p for p in merged.papers if (p.abstract or "").startswith("Masked Diffusion Language Models"))
    assert [s.origin for s in masked.sources] == [
        "profile_mirzasoleiman.txt",
        "profile_mirzasoleiman.txt",
        "abstracts_mirzasoleiman.txt",
    ]
