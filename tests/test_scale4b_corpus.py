"""The guardrails' saved corpus built version by version: a build that fails part-way leaves the previous
version as it was and readable, and after a few segments the next version is built in full again (the lookups
themselves are compared with the in-memory corpus in test_scale_corpus.py, for both kinds of build)."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.guardrails import saved_corpus_build
from assistant.guardrails.saved_corpus import SavedCorpus, folder, save_corpus, store_corpus
from assistant.guardrails.saved_corpus_build import complete, segments
from assistant.ingest import ingest_files
from assistant.settings import Settings

PAPERS = [
    {"title": "Graph Kernels for Molecules", "abstract": "We study graph kernels on molecules.", "year": 2023},
    {"title": "Sparse Coresets", "abstract": "Coresets of sparse data for faster training.", "year": 2024},
]


def _add(settings: Settings, tmp_path: Path, name: str) -> Catalog:
    path = tmp_path / f"{name}.jsonl"
    path.write_text(json.dumps({"name": name, "papers": PAPERS}) + "\n")
    ingest_files([path], settings)
    return Catalog(settings.catalog_path)


def test_a_build_that_fails_part_way_leaves_the_previous_version_readable(
    sample_store: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = Catalog(settings.catalog_path)
    save_corpus(catalog)
    previous = folder(settings.store_dir, catalog.version)

    def full_disk(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saved_corpus_build, "_save_segment", full_disk)  # after the database was updated
    catalog = _add(settings, tmp_path, "Ada Overlap")  # the papers are saved; the corpus is not (a warning)
    assert not folder(settings.store_dir, catalog.version).exists()
    assert sorted(p.name for p in previous.parent.iterdir()) == [previous.name]  # no half-written folder left
    assert complete(previous)
    assert "Ada Overlap" not in SavedCorpus(previous, settings.catalog_path).names_besides(None)
    monkeypatch.undo()
    saved = store_corpus(catalog, lambda: pytest.fail("the store can be written"))
    assert isinstance(saved, SavedCorpus) and "Ada Overlap" in saved.names_besides(None)


def test_after_a_few_segments_the_next_version_is_built_in_full(
    sample_store: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(saved_corpus_build, "MAX_SEGMENTS", 3)
    counts = []
    for name in ("Ada One", "Ada Two", "Ada Three"):
        catalog = _add(settings, tmp_path, name)
        counts.append(len(segments(folder(settings.store_dir, catalog.version))))
    assert counts == [3, 1, 2]  # the sample store's two, Ada One's; then in full; then one more
    saved = store_corpus(catalog, lambda: pytest.fail("the store can be written"))
    assert isinstance(saved, SavedCorpus)
    assert {"Ada One", "Ada Two", "Ada Three"} <= saved.names_besides(None)
    assert saved.other_title("sparse coresets", "ada-one", False) is not None  # another Ada's paper


def test_a_corpus_saved_under_older_trust_rules_is_not_reused(
    sample_store: Path, settings: Settings, tmp_path: Path
) -> None:
    """Texts an older format trusted (other rules in untrusted.py) are made again, not copied to the next version:
    a faithful email quoting what the new rules keep would otherwise be checked against the old copies."""
    catalog = Catalog(settings.catalog_path)
    save_corpus(catalog)
    older = folder(settings.store_dir, catalog.version)
    meta = json.loads((older / "meta.json").read_text())
    (older / "meta.json").write_text(json.dumps({**meta, "format": "3"}))
    db = sqlite3.connect(older / "corpus.sqlite")
    with db:
        db.execute("UPDATE entries SET abstract = 'made by older rules'")
    db.close()
    catalog = _add(settings, tmp_path, "Ada Rules")
    newer = folder(settings.store_dir, catalog.version)
    assert complete(newer)
    db = sqlite3.connect(newer / "corpus.sqlite")
    stale = db.execute("SELECT COUNT(*) FROM entries WHERE abstract = 'made by older rules'").fetchone()[0]
    db.close()
    assert stale == 0
