"""Shared fixtures: every test gets its own store, and no test can reach the network.

`pytest --chroma-server` (or `OUTREACH_TEST_CHROMA=server`) runs every test against a real Chroma server: one
`chroma run` on 127.0.0.1 (a free port, a temporary path) for the session, every collection on it deleted
before each test, and the test's store pointed at it (`OUTREACH_CHROMA_HOST`), so a test's vectors live on the
server and only its catalog and derived data in its folder. Store templates built once per session stay
embedded; `copy_store` copies one and, in this mode, uploads its vectors to the server. A test that cannot run
against a server by nature is marked `embedded_only(reason)` and skipped there with that reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings, reset_settings_cache
from tests.chroma_server import ChromaServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

_SERVER: ChromaServer | None = None  # the session's server in --chroma-server mode, once started


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chroma-server",
        action="store_true",
        help="run every test against a real `chroma run` server on 127.0.0.1 (also OUTREACH_TEST_CHROMA=server)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "embedded_only(reason): cannot run against a Chroma server; says why")


def server_mode(config: pytest.Config) -> bool:
    return bool(config.getoption("--chroma-server")) or os.environ.get("OUTREACH_TEST_CHROMA") == "server"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not server_mode(config):
        return
    for item in items:
        marker = item.get_closest_marker("embedded_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "embedded Chroma only"
            item.add_marker(pytest.mark.skip(reason=f"embedded Chroma only: {reason}"))


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real `chroma run` on 127.0.0.1, started once per session (skips when it cannot start)."""
    global _SERVER
    server = ChromaServer.start(tmp_path_factory.mktemp("chroma-server"))
    _SERVER = server
    try:
        with server.passed_by_respx():
            yield server
    finally:
        _SERVER = None
        server.stop()


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Point the store at a temp dir and clear LLM settings so tests are offline unless they opt in; in server
    mode, point the vectors at the session's (wiped) Chroma server."""
    store = tmp_path / "store"
    monkeypatch.setenv("OUTREACH_STORE", str(store))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OUTREACH_CHROMA_HOST", "OPENALEX_API_KEY", "OPENALEX_MAILTO"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # a developer's own .env must not leak into tests
    with pytest.MonkeyPatch.context() as served:  # not `monkeypatch`: a test's monkeypatch.undo() keeps the server
        if server_mode(request.config):
            server: ChromaServer = request.getfixturevalue("chroma_server")
            server.wipe()
            served.setenv("OUTREACH_CHROMA_HOST", "127.0.0.1")
            served.setenv("OUTREACH_CHROMA_PORT", str(server.port))
        reset_settings_cache()
        yield store
    reset_settings_cache()


def copy_store(template: Path, dest: Path) -> Path:
    """A private copy of a store template; in server mode its vectors go to the server (wiped for this test)
    and the copy keeps no embedded Chroma folder, as a store served by Chroma has none."""
    shutil.copytree(template, dest)
    if _SERVER is not None and os.environ.get("OUTREACH_CHROMA_HOST") and (template / "chroma").is_dir():
        _SERVER.upload(template / "chroma", Settings(OUTREACH_STORE=str(dest)))  # type: ignore[call-arg]
        shutil.rmtree(dest / "chroma")
    return dest


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
    return copy_store(sample_store_template, isolated_store)


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
