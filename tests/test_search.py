"""Hybrid search and the professor/paper listings, as a user sees them through the CLI."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.cli import run
from assistant.errors import AmbiguousError, NotFoundError
from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings
from assistant.text import tokenize
from assistant.types import Professor
from tests.conftest import EXAMPLES


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> object:
    assert run([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_professors_json_shape(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(["professors"], capsys)
    assert rows == [
        {
            "id": "baharan-mirzasoleiman",
            "name": "Baharan Mirzasoleiman",
            "affiliation": "University of California, Los Angeles",
            "paper_count": 12,
        },
        {
            "id": "meisam-razaviyayn",
            "name": "Meisam Razaviyayn",
            "affiliation": rows[1]["affiliation"],  # type: ignore[index]
            "paper_count": 6,
        },
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


def test_a_name_resolves_only_when_it_picks_out_one_record(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.save_professors(
        [
            Professor(id="wei-chen", name="Wei Chen"),
            Professor(id="wei-chen-2", name="Wei  CHEN"),
            Professor(id="jose-garcia", name="José García"),
            Professor(id="garcia-lab", name="García Lab papers", kind="collection"),
        ]
    )
    assert catalog.resolve("wei-chen-2").name == "Wei  CHEN"
    assert catalog.resolve("jose garcia").id == "jose-garcia"
    assert catalog.resolve("garcia", kind="professor").id == "jose-garcia"
    with pytest.raises(AmbiguousError, match="names several records") as same:
        catalog.resolve("wei chen")
    assert sorted(same.value.candidates) == ["Wei  CHEN (id wei-chen-2)", "Wei Chen (id wei-chen)"]
    with pytest.raises(AmbiguousError, match="matches several professors; name one by id") as partial:
        catalog.resolve("Garcia")
    assert sorted(partial.value.candidates) == ["García Lab papers (id garcia-lab)", "José García (id jose-garcia)"]
    with pytest.raises(NotFoundError, match="no professor named 'Jose Garsia'") as missing:
        catalog.resolve("Jose Garsia")
    assert not isinstance(missing.value, AmbiguousError)
    assert missing.value.candidates[0] == "José García (id jose-garcia)"


def test_search_finds_the_relevant_paper_first(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hits = run_json(["search", "mixed linear regression expectation maximization", "-k", "3"], capsys)
    assert hits[0]["title"] == "Efficient Algorithms for Estimating the Parameters of Mixed Linear Regression Models"
    assert hits[0]["professor_id"] == "meisam-razaviyayn"
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


def test_search_restricted_to_a_professor(sample_store: Path, settings: Settings) -> None:
    hits = PaperIndex(settings).search("memory in recurrent networks", professor_ids=["baharan-mirzasoleiman"], k=5)
    assert hits and {h.professor_id for h in hits} == {"baharan-mirzasoleiman"}


def test_keyword_ranking_of_some_professors_is_the_global_one_filtered(sample_store: Path, settings: Settings) -> None:
    """Restricting keyword search to professors changes no bm25 score, only which papers are ranked."""
    ingest_files([EXAMPLES / "daily_papers_listing.txt"], settings, collection="daily")  # rowids after the others'
    catalog = Catalog(settings.catalog_path)
    query = "data selection for efficient training of neural networks"
    everyone = catalog.keyword_search(query, None, 1000)
    for ids in (["baharan-mirzasoleiman"], ["meisam-razaviyayn"], ["daily", "meisam-razaviyayn"]):
        expected = [hit for hit in everyone if hit[0] in ids]
        assert expected and catalog.keyword_search(query, ids, 1000) == expected
        assert catalog.keyword_search(query, ids, 3) == expected[:3]
    assert catalog.keyword_search(query, ["nobody"], 10) == []


def test_keyword_and_vector_rankings_are_fused(sample_store: Path, settings: Settings) -> None:
    index = PaperIndex(settings)
    # "Countdown" appears verbatim in one abstract: BM25 lifts it even though the query is short and odd.
    hits = index.search("Countdown boolean satisfiability", k=1)
    assert hits[0].title == "How Transformers Learn to Plan via Multi-Token Prediction"


def test_empty_store_search_is_empty(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    Catalog(settings.catalog_path).close()  # a store with nothing in it (a missing one is an error: test_faults)
    assert run_json(["search", "anything"], capsys) == []


# ---------------------------------------------------------------- persisted indexes


def downgrade_to_a_store_without_keyword_index(store: Path) -> None:
    """Make the store what the code before the FTS5 index and the derived data wrote: the same catalog tables
    without the terms column, the index, its triggers and meta key, and no derived folder."""
    conn = sqlite3.connect(store / "catalog.sqlite")
    conn.executescript(
        """
        DROP TRIGGER papers_fts_insert; DROP TRIGGER papers_fts_delete; DROP TRIGGER papers_fts_update;
        DROP TABLE papers_vocab; DROP TABLE papers_fts;
        ALTER TABLE papers DROP COLUMN terms;
        DELETE FROM meta WHERE key = 'search_schema';
        """
    )
    conn.close()
    shutil.rmtree(store / "derived")


def test_a_store_from_before_the_keyword_index_upgrades_itself(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    search = ["search", "mixed linear regression expectation maximization", "-k", "5"]
    match = ["match", "--text", "coresets for data-efficient deep learning", "--top", "2"]
    before = run_json(search, capsys), run_json(match, capsys)
    downgrade_to_a_store_without_keyword_index(sample_store)
    assert (run_json(search, capsys), run_json(match, capsys)) == before
    conn = sqlite3.connect(sample_store / "catalog.sqlite")
    assert conn.execute("SELECT value FROM meta WHERE key = 'search_schema'").fetchone() == ("1",)
    conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")  # raises if out of step


def test_derived_data_is_rebuilt_when_deleted_or_left_half_written(
    sample_store: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    match = ["match", "--text", "coresets for data-efficient deep learning", "--top", "2"]
    before = run_json(match, capsys)
    shutil.rmtree(sample_store / "derived")
    crashed = sample_store / "derived" / ".build-crashed"  # what a build killed half-way leaves
    crashed.mkdir(parents=True)
    (crashed / "vectors.npy").write_bytes(b"not an array")
    assert run_json(match, capsys) == before
    version = Catalog(settings.catalog_path).version
    folders = [p.name for p in (sample_store / "derived").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert folders == [f"{version}-all-minilm-l6-v2-onnx-int8"]  # beside it: the saved CV-item vectors' file


def test_ingest_replaces_the_derived_data_of_the_old_version(sample_store: Path, settings: Settings) -> None:
    ingest_files([EXAMPLES / "daily_papers_listing.txt"], settings, collection="daily")
    version = Catalog(settings.catalog_path).version
    derived = sample_store / "derived"
    assert sorted(p.name.split("-")[0] for p in derived.iterdir() if p.name != "guardrails") == [str(version)]
    assert [p.name for p in (derived / "guardrails").iterdir()] == [str(version)]  # the guardrails' corpus
    assert len(PaperIndex(settings).snapshot()) == 18 + 39


def test_offline_ask_idf_is_bm25_idf_over_every_paper(sample_store: Path, settings: Settings) -> None:
    catalog = Catalog(settings.catalog_path)
    documents = [set(tokenize(p.embedding_text())) for _, p in catalog.all_papers()]
    stats = catalog.term_stats()
    assert stats.n_docs == len(documents) == 18
    for term in ("coreset", "regression", "data", "learn", "unseenterm"):
        df = sum(term in d for d in documents)
        expected = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5)) if df else -1.0
        assert stats.get(term, -1.0) == pytest.approx(expected)


def test_catalog_only_commands_load_neither_chroma_nor_the_model(sample_store: Path, tmp_path: Path) -> None:
    email = tmp_path / "email.txt"
    email.write_text("Subject: Hello\n\nDear Professor Razaviyayn,\nI enjoyed your work.\nBest,\nMaya\n")
    script = """
import sys
from assistant.cli import run
for args in (["papers", "razaviyayn"], ["professors"], ["shortlist", "list"],
             ["verify", "--professor", "razaviyayn", sys.argv[1]]):
    assert run(args) in (0, 1), args
print(sorted(m for m in ("chromadb", "onnxruntime", "tokenizers") if m in sys.modules), file=sys.stderr)
"""
    env = {**os.environ, "OUTREACH_STORE": str(sample_store)}
    done = subprocess.run([sys.executable, "-c", script, str(email)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_hnsw_and_the_exact_scan_rank_a_small_store_alike(
    sample_store: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import index as index_module

    query = "selecting informative training data subsets for efficient learning"
    exact = PaperIndex(settings).search(query, k=8)
    monkeypatch.setattr(index_module, "EXACT_SEARCH_MAX_ROWS", 0)  # a store too big to scan: ask Chroma's HNSW
    assert [(h.professor_id, h.paper_id, h.score) for h in PaperIndex(settings).search(query, k=8)] == [
        (h.professor_id, h.paper_id, h.score) for h in exact
    ]
