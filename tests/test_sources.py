"""The file readers, as a user sees them: what each format yields, and what each mistake is told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.ids import paper_id
from assistant.sources import FORMATS, ReadResult, detect_format, read_path
from assistant.types import Paper, Professor

GOLD = Path(__file__).resolve().parents[2] / "shared/data/goldstandard/corpus/professors.jsonl"  # ../shared
PITCH = ("shortlist", "match score", "ai-drafted", "see your match", "phdfit", "free to start", "credit card", "signup")


def only_professor(result: ReadResult) -> Professor:
    assert len(result.professors) == 1
    return result.professors[0]


def by_title(prof: Professor, title: str) -> Paper:
    return next(p for p in prof.papers if p.title == title)


def by_opening(prof: Professor, opening: str) -> Paper:
    return next(p for p in prof.papers if (p.abstract or "").startswith(opening))


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_no_pitch(prof: Professor) -> None:
    dumped = prof.model_dump_json().lower()
    for phrase in PITCH:
        assert phrase not in dumped, phrase


# ---------------------------------------------------------------- profile pages


def test_mirzasoleiman_profile_has_five_papers_two_titled(examples_dir: Path) -> None:
    prof = only_professor(read_path(examples_dir / "profile_mirzasoleiman.txt"))
    assert (prof.id, prof.name, prof.kind) == ("baharan-mirzasoleiman", "Baharan Mirzasoleiman", "professor")
    assert (prof.position, prof.affiliation, prof.department) == (
        "Professor",
        "University of California, Los Angeles",
        "Computer Science",
    )
    assert (prof.active_from, prof.active_to) == (2009, 2026)
    assert prof.about and prof.about.startswith("Baharan Mirzasoleiman is an Assistant Professor")
    assert prof.topics[0] == "Artificial Intelligence" and len(prof.topics) == 7
    assert prof.awards[-1] == "SNSF Early Postdoc Mobility Fellowship 2016" and len(prof.awards) == 5
    assert [(c.name, c.shared, c.affiliation) for c in prof.coauthors[:2]] == [
        ("Andreas Krause", 18, None),
        ("Jure Leskovec", 15, "Stanford University"),
    ]
    assert len(prof.coauthors) == 8
    assert len(prof.papers) == 5
    assert sorted(p.title for p in prof.papers if p.title) == [
        "Data Distribution as a Lever for Guiding Optimizers Toward Superior Generalization in LLMs",
        "How Transformers Learn to Plan via Multi-Token Prediction",
    ]
    assert sum(p.title is None for p in prof.papers) == 3
    assert_no_pitch(prof)


def test_untitled_profile_entry_keeps_its_listings_and_never_gets_a_title(examples_dir: Path) -> None:
    prof = only_professor(read_path(examples_dir / "profile_mirzasoleiman.txt"))
    paper = by_opening(prof, "Training LLMs to think and reason for longer")
    assert paper.title is None
    assert paper.label().startswith("Untitled (arXiv (Cornell University), 2026-01-31)")
    assert (paper.venue, paper.date, paper.year, paper.senior_author) == (
        "arXiv (Cornell University)",
        "2026-01-31",
        2026,
        True,
    )
    assert [(s.venue, s.kind, s.open_access) for s in paper.sources] == [
        ("arXiv (Cornell University)", "article", True),
        ("Open MIND", "preprint", False),
    ]
    assert {s.origin for s in paper.sources} == {"profile_mirzasoleiman.txt"}
    assert paper.abstract and not paper.abstract.startswith(("article", "preprint", "Open access"))


def test_razaviyayn_profile_has_six_papers_and_education_pairs(examples_dir: Path) -> None:
    prof = only_professor(read_path(examples_dir / "profile_razaviyayn.txt"))
    assert len(prof.papers) == 6 and all(p.title for p in prof.papers)
    assert prof.position and prof.position.startswith(
        "Andrew and Erna Viterbi Early Career Chair and Associate Professor"
    )
    assert prof.affiliation == "University of Southern California"
    assert prof.department == "Daniel J. Epstein Department of Industrial and Systems Engineering"
    assert prof.education == [
        "Ph.D., Electrical Engineering (minor in Computer Science), University of Minnesota",
        "M.S., Mathematics, University of Minnesota",
    ]
    assert prof.labs == ["Focuses on designing efficient large-scale algorithms for machine learning."]
    assert prof.awards[0] == "2022 NSF CAREER Award" and len(prof.awards) == 5
    assert ("Babak Barazandeh", 31, "Splunk (United States)") in [
        (c.name, c.shared, c.affiliation) for c in prof.coauthors
    ]
    less = by_title(prof, "Less is More: Convergence Benefits of Fewer Data Weight Updates over Longer Horizon")
    assert less.date == "2026-01-01"  # the earliest of its two listings
    assert [s.date for s in less.sources] == ["2026-02-23", "2026-01-01"]
    dated_only = by_title(prof, "Efficient Algorithms for Estimating the Parameters of Mixed Linear Regression Models")
    assert (dated_only.venue, dated_only.date, dated_only.sources[0].kind) == (None, "2025-08-31", "article")
    assert_no_pitch(prof)


def test_small_profile_drops_a_reworded_pitch_and_reports_an_empty_entry(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "profile_small.txt"
    result = read_path(path)
    prof = only_professor(result)
    assert (prof.position, prof.affiliation, prof.department) == (
        "Associate Professor",
        "Example University",
        "Department of Computing",
    )
    assert prof.awards == ["Best Paper Award 2023", "Early Career Award 2021"]
    assert prof.education == [
        "Ph.D., Computer Science, Example Institute of Technology",
        "B.Sc., Mathematics, Example College",
    ]
    assert [(c.name, c.shared, c.affiliation) for c in prof.coauthors] == [
        ("Grace Sample", 12, "Sample Institute of Technology"),
        ("Alan Placeholder", 3, None),
    ]
    assert len(prof.papers) == 3
    titled = by_title(prof, "Learning to Plan with Small Models")
    assert len(titled.sources) == 3 and titled.senior_author  # the untitled ICML listing merged in
    year_only = by_opening(prof, "Surveys of peer review")
    assert (year_only.date, year_only.year, year_only.venue) == ("2022", 2022, None)
    assert result.skipped == [f"{path}:22: skipped: the paper has no title and no abstract"]
    assert_no_pitch(prof)


def test_profile_entry_without_abstract_line_names_section_and_line(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "profile_missing_abstract.txt"
    with pytest.raises(InputError) as info:
        read_path(path)
    message = str(info.value)
    assert info.value.line == 7
    assert "Selected publications" in message and "venue/date line but no abstract line" in message
    assert message.startswith(f"{path}:7:")


def test_profile_title_without_venue_line_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", "Cy Name\nSelected publications\nA Title\nAnother Title\n")
    with pytest.raises(InputError, match="title line but no '<venue> · <date>' line") as info:
        read_path(path, "profile")
    assert info.value.line == 3


# ---------------------------------------------------------------- abstract lists


def test_abstract_list_reads_one_untitled_paper_per_line(examples_dir: Path) -> None:
    result = read_path(examples_dir / "abstracts_mirzasoleiman.txt", professor="Baharan Mirzasoleiman")
    prof = only_professor(result)
    assert (prof.id, prof.name) == ("baharan-mirzasoleiman", "Baharan Mirzasoleiman")
    assert len(prof.papers) == 10 and all(p.title is None for p in prof.papers)
    assert all(not (p.abstract or "").startswith("Abstract") for p in prof.papers)
    assert result.skipped == []


def test_abstract_list_joins_wrapped_lines_and_reports_empty_ones(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "abstracts_small.txt"
    result = read_path(path, professor="Ada Example")
    prof = only_professor(result)
    assert len(prof.papers) == 3
    wrapped = by_opening(prof, "Data selection methods")
    assert wrapped.abstract and wrapped.abstract.endswith("within one point of full-data training.")
    assert "  " not in wrapped.abstract
    assert result.skipped == [f"{path}:6: skipped: the paper has no title and no abstract"]


def test_abstract_list_without_professor_says_how_to_name_one(examples_dir: Path) -> None:
    with pytest.raises(InputError, match="an abstract list names no professor: pass --professor NAME"):
        read_path(examples_dir / "abstracts_mirzasoleiman.txt")


# ---------------------------------------------------------------- listings


def test_daily_listing_has_39_titled_entries_in_a_collection(examples_dir: Path) -> None:
    result = read_path(examples_dir / "daily_papers_listing.txt")
    prof = only_professor(result)
    assert (prof.kind, prof.name, prof.id) == ("collection", "daily_papers_listing", "daily-papers-listing")
    assert len(prof.papers) == 39  # 39 '·' separator lines in the file, all distinct papers
    assert all(p.title and p.abstract for p in prof.papers)
    assert result.skipped == []
    titles = {p.title for p in prof.papers}
    assert not titles & {"new", "Subscribe", "Daily Papers", "byAK and the research community", "Apr 15"}
    first = prof.papers[0]
    assert first.title == "Refined Regret for Adversarial MDPs with Linear Function Approximation"
    assert (first.date, first.year, first.author_count) == ("2023-01-30", 2023, 4)
    upvoted = by_title(prof, "Transformer-Based Models Are Not Yet Perfect At Learning to Emulate Structural Recursion")
    assert upvoted.date == "2024-01-23"  # "Jan 23, 2024 2": the trailing 2 is an upvote count
    affiliated = by_title(prof, "Demystifying LLM-as-a-Judge: Analytically Tractable Model for Inference-Time Scaling")
    assert (affiliated.author_count, affiliated.date) == (None, "2025-12-22")


@pytest.mark.parametrize(
    "title",
    [
        "What Does Flow Matching Bring To TD Learning?",  # "Mar 4"
        "The Y-Combinator for LLMs: Solving Long-Context Rot with λ-Calculus",  # "Mar 20 6"
    ],
)
def test_listing_date_without_year_stays_unknown(examples_dir: Path, title: str) -> None:
    prof = only_professor(read_path(examples_dir / "daily_papers_listing.txt"))
    paper = by_title(prof, title)
    assert (paper.date, paper.year, paper.sources[0].date) == (None, None, None)


def test_listing_attaches_to_a_professor_or_a_named_collection(examples_dir: Path) -> None:
    path = examples_dir / "daily_papers_listing.txt"
    owned = only_professor(read_path(path, professor="Ada Example"))
    assert (owned.name, owned.kind, len(owned.papers)) == ("Ada Example", "professor", 39)
    named = only_professor(read_path(path, collection="Daily papers, April"))
    assert (named.name, named.id, named.kind) == ("Daily papers, April", "daily-papers-april", "collection")


def test_small_listing_merges_a_repeat_and_reports_trailing_text(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "listing_small.txt"
    result = read_path(path)
    prof = only_professor(result)
    assert len(prof.papers) == 2
    repeat = by_title(prof, "Learning to Plan with Small Models")
    assert [s.date for s in repeat.sources] == ["2024-03-02", "2024-07-21"] and repeat.date == "2024-03-02"
    assert result.skipped == [f"{path}:31: text after the last entry has no '·' / date line; not read"]


# ---------------------------------------------------------------- JSON, JSONL, CSV


def test_json_file_with_professors_key(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "professors.json"
    result = read_path(path)
    ada, grace = result.professors
    assert (ada.id, ada.email, ada.department, ada.topics) == (
        "ada-example",
        "ada@example.edu",
        "Computing",
        ["Planning", "Learning"],
    )
    assert len(ada.papers) == 2  # a re-listing with a trailing full stop merged; a title-only paper kept
    plan = by_title(ada, "Learning to Plan with Small Models")
    assert (plan.date, plan.venue, plan.doi) == ("2024-01-10", "ICML", "10.1234/plan")
    assert plan.authors == ["Ada Example", "Grace Sample"]
    untitled_abstract = by_title(ada, "A Title Without Abstract")
    assert (untitled_abstract.abstract, untitled_abstract.year) == (None, 2019)
    assert grace.topics == ["Data", "Peer review"] and grace.papers[0].authors == ["Grace Sample", "Ada Example"]
    assert result.skipped == [
        f"{path}: professor 1 of 2, Ada Example, paper 4 of 4: skipped: the paper has no title and no abstract"
    ]


@pytest.mark.parametrize("shape", ["object", "list"])
def test_json_file_as_one_object_or_a_list(tmp_path: Path, shape: str) -> None:
    record = {"name": "Dee Single", "papers": [{"title": "One Paper"}]}
    path = write(tmp_path, "one.json", json.dumps(record if shape == "object" else [record]))
    prof = only_professor(read_path(path))
    assert (prof.name, [p.title for p in prof.papers]) == ("Dee Single", ["One Paper"])


def test_jsonl_keeps_external_id_and_arxiv_link(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "professors.jsonl"
    result = read_path(path)
    ada, grace = result.professors
    assert ada.external_ids == {"semantic_scholar": "1001"}
    assert ada.papers[0].url == "https://arxiv.org/abs/2403.00001"  # from arxiv_id when there is no url
    assert grace.papers[0].url == "https://arxiv.org/pdf/2201.00002.pdf"
    assert result.skipped == [f"{path}:2: Grace Sample, paper 2 of 2: skipped: the paper has no title and no abstract"]


def test_csv_groups_rows_by_professor(fixtures_dir: Path) -> None:
    path = fixtures_dir / "sources" / "papers.csv"
    result = read_path(path)
    ada, grace = result.professors
    assert [p.title for p in ada.papers] == ["Learning to Plan with Small Models", "Choosing Data by Learning Dynamics"]
    plan = ada.papers[0]
    assert (plan.venue, plan.authors, plan.year, plan.date) == (
        "ICML, main track",
        ["Ada Example", "Grace Sample"],
        2024,
        "2024-03-02",
    )
    assert ada.papers[1].abstract is None  # a title without an abstract is kept
    assert grace.papers[0].date == "2022-06"
    assert result.skipped == [f"{path}:5: skipped: the paper has no title and no abstract"]


def test_csv_without_professor_column_uses_the_professor_option(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.csv", "title,abstract\nA Paper,\n,An abstract only.\n")
    prof = only_professor(read_path(path, professor="Eve Owner"))
    assert (prof.name, len(prof.papers)) == ("Eve Owner", 2)
    with pytest.raises(InputError, match="no 'professor' column: add one, or pass --professor NAME"):
        read_path(path)


@pytest.mark.skipif(not GOLD.exists(), reason="the shared gold-standard corpus is not on this machine")
def test_gold_standard_jsonl_ingests_as_is() -> None:
    result = read_path(GOLD)
    assert len(result.professors) == 58
    # 3,112 listed; 179 re-listings (same title, same or truncated abstract, preprint vs published) merge.
    # Japanese titles without abstracts are kept apart: ids key on Unicode words, not ASCII only.
    assert sum(len(p.papers) for p in result.professors) == 2933
    assert result.skipped == []
    assert all(p.external_ids.get("semantic_scholar") for p in result.professors)
    assert result.professors[0].external_ids["semantic_scholar"] == "118242121"


# ---------------------------------------------------------------- malformed input


def test_malformed_json_reports_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "name": "X",\n  "papers": [\n    {"title": "A"},,\n  ]\n}\n')
    with pytest.raises(InputError, match="malformed JSON at column") as info:
        read_path(path)
    assert info.value.line == 4 and str(info.value).startswith(f"{path}:4:")


def test_jsonl_line_that_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", '{"name": "A"}\n\n{"name": "B", papers: []}\n')
    with pytest.raises(InputError, match="malformed JSON") as info:
        read_path(path)
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [('["not", "an", "object"]', "expected a professor object"), ('{"papers": []}', 'has no "name"')],
)
def test_jsonl_line_that_is_not_a_professor(tmp_path: Path, line: str, expected: str) -> None:
    path = write(tmp_path, "bad.jsonl", '{"name": "A"}\n' + line + "\n")
    with pytest.raises(InputError, match=expected) as info:
        read_path(path)
    assert info.value.line == 2


def test_json_paper_with_a_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", json.dumps({"name": "A", "papers": [{"title": "T", "year": "soon"}]}))
    with pytest.raises(InputError, match=r'paper 1 of 1: "year" must be a four-digit year'):
        read_path(path)


def test_csv_row_with_too_many_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "professor,title,abstract\nA,Fine,Text\nB,Broken, with, commas\n")
    with pytest.raises(InputError, match="4 fields but the header has 3; put double quotes") as info:
        read_path(path)
    assert info.value.line == 3


def test_csv_with_a_broken_quote(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", 'professor,title\nA,Fine\nB,"Half" quoted\n')
    with pytest.raises(InputError, match="malformed CSV") as info:
        read_path(path)
    assert info.value.line == 3


def test_non_utf8_file_names_byte_offset_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.txt", "Abstract: fine\nAbstract: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text .*byte offset 28") as info:
        read_path(path, professor="A")
    assert info.value.line == 2 and str(path) in str(info.value)


@pytest.mark.parametrize("content", ["", "  \n\t\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(InputError, match="the file is empty"):
        read_path(path)


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        read_path(tmp_path)


def test_unknown_format_option_lists_the_formats(examples_dir: Path) -> None:
    with pytest.raises(InputError, match="unknown format 'pdf': use one of auto, profile, abstracts"):
        read_path(examples_dir / "profile_razaviyayn.txt", "pdf")


def test_undetectable_file_suggests_format_option(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "some notes\nthat are not in any format we know\n")
    with pytest.raises(InputError, match="pass --format with one of: profile, abstracts, listing, json, jsonl, csv"):
        read_path(path)


# ---------------------------------------------------------------- detection and ids


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("profile_mirzasoleiman.txt", "profile"),
        ("profile_razaviyayn.txt", "profile"),
        ("abstracts_mirzasoleiman.txt", "abstracts"),
        ("daily_papers_listing.txt", "listing"),
    ],
)
def test_detects_example_formats(examples_dir: Path, name: str, expected: str) -> None:
    path = examples_dir / name
    assert detect_format(path, path.read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("profile_small.txt", "profile"),
        ("abstracts_small.txt", "abstracts"),
        ("listing_small.txt", "listing"),
        ("professors.json", "json"),
        ("professors.jsonl", "jsonl"),
        ("papers.csv", "csv"),
    ],
)
def test_detects_fixture_formats_by_content_whatever_the_suffix(fixtures_dir: Path, name: str, expected: str) -> None:
    text = (fixtures_dir / "sources" / name).read_text(encoding="utf-8")
    assert detect_format(fixtures_dir / "sources" / name, text) == expected
    assert detect_format(Path("pasted.txt"), text) == expected


def test_every_format_is_readable_by_name() -> None:
    assert FORMATS == ("auto", "profile", "abstracts", "listing", "json", "jsonl", "csv")


def test_ids_are_stable_across_reads(examples_dir: Path) -> None:
    for name in ("profile_mirzasoleiman.txt", "daily_papers_listing.txt"):
        first = only_professor(read_path(examples_dir / name))
        second = only_professor(read_path(examples_dir / name))
        assert [p.id for p in first.papers] == [p.id for p in second.papers]
        assert len({p.id for p in first.papers}) == len(first.papers)
        assert all(p.id == paper_id(p.title, p.abstract) for p in first.papers)


def test_json_suffix_holding_one_object_per_line_reads_as_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path, "export.json", '{"name": "A", "papers": [{"title": "T"}]}\n{"name": "B"}\n')
    assert [p.name for p in read_path(path).professors] == ["A", "B"]
    with pytest.raises(InputError, match="use --format jsonl") as info:
        read_path(path, "json")
    assert info.value.line == 2


def test_name_without_latin_letters_asks_for_a_latin_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", '{"name": "王小明", "papers": []}\n')
    with pytest.raises(InputError, match="no Latin letters or digits to make an id from") as info:
        read_path(path)
    assert info.value.line == 1


def test_detect_format_refuses_empty_text() -> None:
    with pytest.raises(InputError, match="the file is empty"):
        detect_format(Path("blank.json"), "\n \n")
