"""Derived data after an ingest: the previous version's rows are reused for unchanged papers, and the result is
the same, file for file, as building it from nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from assistant.derived import record_id
from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings
from tests.conftest import EXAMPLES

ARRAYS = ("vectors", "years", "has_abstract", "tfidf_idf", "tfidf_indptr", "tfidf_rows", "tfidf_weights")


def _spy_on_chroma_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = PaperIndex._fetch_vectors

    def fetch(self: PaperIndex, ids: list[str]) -> object:
        read.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(PaperIndex, "_fetch_vectors", fetch)
    return read


def _catalog_rows(settings: Settings) -> dict[str, str]:
    with sqlite3.connect(settings.catalog_path) as conn:
        rows = conn.execute("SELECT professor_id, paper_id, data FROM papers").fetchall()
    return {record_id(pid, paper): data for pid, paper, data in rows}


def _assert_same_as_a_full_rebuild(settings: Settings, tmp_path: Path) -> None:
    built = PaperIndex(settings).snapshot().path
    kept = shutil.copytree(built, tmp_path / "incremental")
    shutil.rmtree(built)
    rebuilt = PaperIndex(settings).snapshot().path
    assert rebuilt == built
    for name in ARRAYS:
        np.testing.assert_array_equal(np.load(kept / f"{name}.npy"), np.load(rebuilt / f"{name}.npy"), err_msg=name)
    for name in ("professors.json", "tfidf_terms.txt", "record_ids.txt"):
        assert (kept / name).read_text() == (rebuilt / name).read_text(), name


def test_an_ingest_reads_only_the_new_papers_vectors(
    sample_store: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    PaperIndex(settings).snapshot()  # the current version's derived data exists, as after any command
    read = _spy_on_chroma_reads(monkeypatch)
    ingest_files([EXAMPLES / "daily_papers_listing.txt"], settings, collection="daily")
    index = PaperIndex(settings)
    daily = index.catalog.resolve("daily", kind="collection").id
    assert sorted(read) == sorted(record_id(daily, p.id) for p in index.snapshot().papers.of(daily))
    _assert_same_as_a_full_rebuild(settings, tmp_path)


def test_a_changed_paper_is_read_again(
    sample_store: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = PaperIndex(settings).snapshot()
    old_terms, old_rows = before.tfidf.terms, _catalog_rows(settings)
    lines = (EXAMPLES / "abstracts_mirzasoleiman.txt").read_text().splitlines()
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join([lines[0] + " Zyxwvut quasiconvex regularisers.", *lines[1:]]) + "\n")
    read = _spy_on_chroma_reads(monkeypatch)
    ingest_files([edited], settings, professor="Baharan Mirzasoleiman")
    after = PaperIndex(settings).snapshot()
    assert after.version > before.version
    rows = _catalog_rows(settings)
    changed = {rid for rid, data in rows.items() if old_rows.get(rid) != data}  # the edit, and new source listings
    assert sorted(read) == sorted(changed) and len(changed) < len(rows)
    assert "zyxwvut" in after.tfidf.terms and "zyxwvut" not in old_terms  # counted from the new text
    _assert_same_as_a_full_rebuild(settings, tmp_path)
