"""Shared fixtures: every test gets its own store, and no test can reach the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings, reset_settings_cache

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the store at a temp dir and clear LLM settings so tests are offline unless they opt in."""
    store = tmp_path / "store"
    monkeypatch.setenv("OUTREACH_STORE", str(store))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OUTREACH_CHROMA_HOST", "OPENALEX_API_KEY", "OPENALEX_MAILTO"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # a developer's own .env must not leak into tests
    reset_settings_cache()
    yield store
    reset_settings_cache()


@pytest.fixture
def settings(isolated_store: Path) -> Settings:
    return Settings()


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


TEST_API_KEY = "sk-test-secret-never-logged"


@pytest.fixture
def llm_settings(isolated_store: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with an OpenAI key configured (every request must still be mocked with respx).

    CV reading stays offline and the support check off here so each test scripts only the calls it is about;
    test_cv_refine.py turns the LLM refinement of CVs on, test_support*.py the support check."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "offline")
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "off")
    monkeypatch.setenv("OUTREACH_LLM_MAX_ATTEMPTS", "3")
    reset_settings_cache()
    return Settings()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries record their back-off instead of sleeping."""
    from assistant import retry

    recorded: list[float] = []
    monkeypatch.setattr(retry, "sleep", recorded.append)
    return recorded


@pytest.fixture(scope="session")
def sample_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the two sample professors (and Mirzasoleiman's abstract list), built once per session."""
    from assistant.ingest import ingest_files

    store = tmp_path_factory.mktemp("template") / "store"
    settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
    ingest_files([EXAMPLES / "profile_mirzasoleiman.txt", EXAMPLES / "profile_razaviyayn.txt"], settings)
    ingest_files([EXAMPLES / "abstracts_mirzasoleiman.txt"], settings, professor="Baharan Mirzasoleiman")
    return store


@pytest.fixture
def sample_store(sample_store_template: Path, isolated_store: Path) -> Path:
    """A private copy of the sample store at the test's store path."""
    import shutil

    shutil.copytree(sample_store_template, isolated_store)
    return isolated_store


def store_fingerprint(store: Path) -> tuple[object, ...]:
    """What a user could observe of a store: catalog rows and Chroma record ids."""
    from assistant.catalog import Catalog
    from assistant.index import PaperIndex

    settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
    catalog = Catalog(settings.catalog_path)
    rows = tuple(sorted((pid, p.model_dump_json()) for pid, p in catalog.all_papers()))
    profs = tuple(p.model_dump_json() for p in catalog.professors(kind=None))
    ids = tuple(sorted(PaperIndex(settings, catalog).collection.get(include=[])["ids"]))
    catalog.close()
    return rows, profs, ids
