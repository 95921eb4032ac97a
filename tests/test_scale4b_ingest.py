"""Re-ingesting what the store already holds is idempotent down to the catalog version: nothing is embedded,
the version stays, and no derived data are rebuilt (every derived file untouched). Before, the catalog was
written again and its version bumped, so every command after rebuilt the derived data of the whole store."""

from __future__ import annotations

from pathlib import Path

from assistant.catalog import Catalog
from assistant.ingest import ingest_files
from assistant.settings import Settings
from tests.conftest import EXAMPLES, store_fingerprint


def _derived_files(store: Path) -> dict[str, tuple[int, int]]:
    return {str(f.relative_to(store)): (f.stat().st_mtime_ns, f.stat().st_size) for f in store.rglob("derived/**/*")}


def test_re_ingesting_the_same_inputs_keeps_the_version_and_rewrites_nothing(
    sample_store: Path, settings: Settings
) -> None:
    version, files, before = (
        Catalog(settings.catalog_path).version,
        _derived_files(sample_store),
        store_fingerprint(sample_store),
    )
    report = ingest_files([EXAMPLES / "profile_mirzasoleiman.txt", EXAMPLES / "profile_razaviyayn.txt"], settings)
    again = ingest_files([EXAMPLES / "abstracts_mirzasoleiman.txt"], settings, professor="Baharan Mirzasoleiman")
    assert report.papers_embedded == again.papers_embedded == 0
    assert Catalog(settings.catalog_path).version == version
    assert _derived_files(sample_store) == files and store_fingerprint(sample_store) == before


def test_a_re_ingest_that_changes_a_paper_writes_a_new_version(
    sample_store: Path, settings: Settings, tmp_path: Path
) -> None:
    version = Catalog(settings.catalog_path).version
    lines = (EXAMPLES / "abstracts_mirzasoleiman.txt").read_text().splitlines()
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join([lines[0] + " Zyxwvut quasiconvex regularisers.", *lines[1:]]) + "\n")
    assert ingest_files([edited], settings, professor="Baharan Mirzasoleiman").papers_embedded == 1
    assert Catalog(settings.catalog_path).version == version + 1
