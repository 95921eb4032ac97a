"""A read-only store whose vectors are on a Chroma server and whose derived data are not saved (deleted, as the
README allows, or written by an older version) still answers: the derived data are built from the server's
vectors for the process, in a temporary folder. Found running the suite against a Chroma server: `search`
failed with "unexpected OSError: Read-only file system". (An embedded store in that state still cannot be read:
embedded Chroma writes to its folder even to read it.)

Marked `chroma_server`: `.ci/run` runs it with the other server tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.cli import run
from assistant.settings import Settings, reset_settings_cache
from tests.chroma_server import ChromaServer
from tests.test_faults import read_only_store  # noqa: F401 (the read-only mount of the sample store)

pytestmark = pytest.mark.chroma_server


@pytest.fixture
def sample_store(sample_store: Path, chroma_server: ChromaServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample store served by the Chroma server, with no derived data saved (read_only_store mounts it)."""
    if (sample_store / "chroma").exists():  # not served yet (`pytest --chroma-server` serves every copy)
        chroma_server.wipe()
        chroma_server.upload(sample_store / "chroma", Settings(OUTREACH_STORE=str(sample_store)))  # type: ignore[call-arg]
        shutil.rmtree(sample_store / "chroma")
    monkeypatch.setenv("OUTREACH_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("OUTREACH_CHROMA_PORT", str(chroma_server.port))
    reset_settings_cache()
    shutil.rmtree(sample_store / "derived")
    return sample_store


def test_a_read_only_store_without_derived_data_still_searches_and_matches(
    read_only_store: Path,  # noqa: F811 (the fixture imported above)
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = str(read_only_store)
    assert run(["search", "data selection", "--store", store, "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and hits[0]["professor_id"] == "baharan-mirzasoleiman"
    assert run(["match", "--text", "data selection for training", "--top", "1", "--store", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["professor_id"] == "baharan-mirzasoleiman"
    assert not (read_only_store / "derived").exists()
