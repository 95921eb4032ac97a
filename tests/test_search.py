"""Hybrid search and the professor/paper listings, as a user sees them through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import run
from assistant.index import PaperIndex
from assistant.settings import Settings


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> object:
    assert run([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_professors_json_shape(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(["professors"], capsys)
    assert rows == [
        {"id": "baharan-mirzasoleiman", "name": "Baharan Mirzasoleiman",
         "affiliation": "University of California, Los Angeles", "paper_count": 12},
        {"id": "meisam-razaviyayn", "name": "Meisam Razaviyayn",
         "affiliation": rows[1]["affiliation"], "paper_count": 6},  # type: ignore[index]
    ]


def test_papers_by_partial_name_with_sources(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    papers = run_json(["papers", "razaviyayn"], capsys)
    assert isinstance(papers, list) and len(papers) == 6
    assert set(papers[0]) == {"id", "title", "year", "venue", "abstract", "sources"}
    sampling = next(p for p in papers if p["title"].startswith("Sampling More"))
    assert {s["venue"] for s in sampling["sources"]} == {"ArXiv.org", "arXiv (Cornell University)"}


def test_unknown_professor_lists_candidates(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["papers", "Mirzasoliman"]) == 1
    err = capsys.readouterr().err
    assert "no professor named" in err and "Baharan Mirzasoleiman" in err


def test_search_finds_the_relevant_paper_first(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hits = run_json(["search", "mixed linear regression expectation maximization", "-k", "3"], capsys)
    assert hits[0]["title"] == "Efficient Algorithms for Estimating the Parameters of Mixed Linear Regression Models"
    assert hits[0]["professor_id"] == "meisam-razaviyayn"
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


def test_search_restricted_to_a_professor(sample_store: Path, settings: Settings) -> None:
    hits = PaperIndex(settings).search("memory in recurrent networks", professor_ids=["baharan-mirzasoleiman"], k=5)
    assert hits and {h.professor_id for h in hits} == {"baharan-mirzasoleiman"}


def test_keyword_and_vector_rankings_are_fused(sample_store: Path, settings: Settings) -> None:
    index = PaperIndex(settings)
    # "Countdown" appears verbatim in one abstract: BM25 lifts it even though the query is short and odd.
    hits = index.search("Countdown boolean satisfiability", k=1)
    assert hits[0].title == "How Transformers Learn to Plan via Multi-Token Prediction"


def test_empty_store_search_is_empty(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(["search", "anything"], capsys) == []
