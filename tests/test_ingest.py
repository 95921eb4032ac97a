"""Ingesting into the store: dedup across files, idempotent re-ingest, and bad input that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.cli import run
from assistant.errors import InputError, StoreMismatchError
from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings
from tests.conftest import EXAMPLES, store_fingerprint


def counts(settings: Settings) -> dict[str, int]:
    return Catalog(settings.catalog_path).paper_counts()


def test_profiles_then_abstract_list_merge(settings: Settings) -> None:
    report = ingest_files([EXAMPLES / "profile_mirzasoleiman.txt", EXAMPLES / "profile_razaviyayn.txt"], settings)
    assert counts(settings) == {"baharan-mirzasoleiman": 5, "meisam-razaviyayn": 6}
    assert report.papers_embedded == 11
    report = ingest_files([EXAMPLES / "abstracts_mirzasoleiman.txt"], settings, professor="mirzasoleiman")
    assert counts(settings)["baharan-mirzasoleiman"] == 12
    assert (report.papers_new, report.papers_merged) == (7, 3)


def test_reingest_is_idempotent(sample_store: Path, settings: Settings) -> None:
    before = store_fingerprint(sample_store)
    report = ingest_files([EXAMPLES / "profile_mirzasoleiman.txt"], settings)
    assert report.papers_embedded == 0 and report.papers_new == 0
    assert store_fingerprint(sample_store) == before


def test_untitled_papers_stay_untitled(sample_store: Path, settings: Settings) -> None:
    papers = Catalog(settings.catalog_path).papers_of("baharan-mirzasoleiman")
    untitled = [p for p in papers if p.title is None]
    assert len(untitled) == 10 and all(p.abstract for p in untitled)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", '{"name": "A", "papers": [', "broken.json"),
        ("empty.txt", "   \n", "empty"),
        ("latin1.txt", "Abstract: caf\xe9".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_file_among_good_ones_changes_nothing(
    sample_store: Path, settings: Settings, tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = store_fingerprint(sample_store)
    with pytest.raises(InputError, match=message):
        ingest_files([EXAMPLES / "daily_papers_listing.txt", bad], settings, professor="Meisam Razaviyayn")
    assert store_fingerprint(sample_store) == before


def test_cli_reports_bad_input_and_exits_nonzero(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_fingerprint(sample_store)
    assert run(["ingest", str(tmp_path / "missing.txt")]) == 1
    assert "missing.txt" in capsys.readouterr().err
    assert store_fingerprint(sample_store) == before


def test_listing_becomes_a_searchable_collection(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["ingest", str(EXAMPLES / "daily_papers_listing.txt"), "--collection", "daily"]) == 0
    capsys.readouterr()
    assert run(["search", "multi-armed bandits regret", "--collection", "daily", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [set(h) for h in hits] == [{"paper_id", "professor_id", "title", "score"}] * 3
    assert all(h["professor_id"] == "daily" for h in hits)
    assert "Bandit" in hits[0]["title"] or "Regret" in hits[0]["title"]
    assert run(["professors", "--json"]) == 0
    assert "daily" not in {p["id"] for p in json.loads(capsys.readouterr().out)}  # not a professor


def test_goldstandard_jsonl_ingests_as_is(settings: Settings, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "shared/data/goldstandard/corpus/professors.jsonl"
    if not source.exists():
        pytest.skip("../shared is not beside the checkout")
    first_two = tmp_path / "two.jsonl"
    first_two.write_text("\n".join(source.read_text().splitlines()[:2]) + "\n")
    report = ingest_files([first_two], settings)
    assert len(report.professors) == 2 and report.papers_embedded > 20


def test_other_embedding_model_is_a_clear_error(sample_store: Path, settings: Settings) -> None:
    other = settings.model_copy(update={"embedding_backend": "openai"})
    with pytest.raises(StoreMismatchError, match="outreach reindex"):
        PaperIndex(other)


def test_keyword_index_follows_reingests_and_merges(sample_store: Path, settings: Settings) -> None:
    import sqlite3

    ingest_files([EXAMPLES / "profile_mirzasoleiman.txt"], settings)  # the same papers, rewritten
    ingest_files([EXAMPLES / "daily_papers_listing.txt"], settings, professor="Meisam Razaviyayn")  # merged in
    conn = sqlite3.connect(settings.catalog_path)
    conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")  # raises if out of step
    catalog = Catalog(settings.catalog_path)
    for pid, paper in catalog.all_papers():
        own = catalog.keyword_search(paper.embedding_text(), [pid], limit=50)
        assert (pid, paper.id) in own  # every paper is in the index under its owner
    assert catalog.keyword_search("bandit regret", ["baharan-mirzasoleiman"], limit=5) == []
