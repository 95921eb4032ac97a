"""Server mode against a real Chroma server: `chroma run` (shipped with chromadb) on 127.0.0.1, a free port and a
temporary path, started once per session (`conftest.chroma_server`).

Marked `chroma_server`: the default `pytest` run leaves these out; `.ci/run` runs them (`pytest -m chroma_server`),
and `pytest --chroma-server` runs every other test against such a server too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.cli import run
from assistant.settings import reset_settings_cache
from tests.chroma_server import ChromaServer
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.chroma_server

CV = EXAMPLES / "cvs" / "maya_chen.md"
SAMPLE_INPUTS = [
    ["ingest", str(EXAMPLES / "profile_mirzasoleiman.txt"), str(EXAMPLES / "profile_razaviyayn.txt")],
    ["ingest", str(EXAMPLES / "abstracts_mirzasoleiman.txt"), "--professor", "Baharan Mirzasoleiman"],
]
COMMANDS = [
    ["search", "selecting informative training data subsets", "-k", "5", "--json"],
    ["search", "memory in recurrent networks", "--professor", "mirzasoleiman", "-k", "3", "--json"],
    ["match", "--cv", str(CV), "--offline", "--json"],
    ["draft", "--cv", str(CV), "--professor", "mirzasoleiman", "--offline", "--format", "json"],
    ["ask", "What has she published on data selection?", "--professor", "mirzasoleiman", "--offline", "--json"],
]


@pytest.fixture
def on_server(chroma_server: ChromaServer, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("OUTREACH_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("OUTREACH_CHROMA_PORT", str(chroma_server.port))
    reset_settings_cache()
    return chroma_server.port


def outputs(store: Path, capsys: pytest.CaptureFixture[str]) -> list[object]:
    results = []
    for args in COMMANDS:
        assert run([*args, "--store", str(store)]) in (0, 1), args  # draft exits 1 when it needs review
        results.append(json.loads(capsys.readouterr().out))
    return results


def test_ingest_search_match_draft_ask_on_a_server_give_the_embedded_results(
    on_server: int, tmp_path: Path, sample_store_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "served"
    for args in SAMPLE_INPUTS:
        assert run([*args, "--store", str(store)]) == 0
    assert not (store / "chroma").exists()  # the vectors are on the server; the catalog stays here
    capsys.readouterr()
    served = outputs(store, capsys)
    with pytest.MonkeyPatch.context() as embedded:
        embedded.delenv("OUTREACH_CHROMA_HOST")
        reset_settings_cache()
        local = outputs(shutil.copytree(sample_store_template, tmp_path / "local"), capsys)  # ask writes to it
    assert served == local
    assert served[0] and served[2][0]["professor_id"] == "baharan-mirzasoleiman"


def test_machines_sharing_a_server_keep_their_own_catalogs(
    on_server: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(["ingest", str(EXAMPLES / "profile_mirzasoleiman.txt"), "--store", str(first)]) == 0
    assert run(["ingest", str(EXAMPLES / "profile_razaviyayn.txt"), "--store", str(second)]) == 0
    capsys.readouterr()
    # The server holds both machines' vectors; each machine's search returns only papers its catalog knows.
    assert run(["search", "training data selection", "--store", str(second), "--json"]) == 0
    assert {h["professor_id"] for h in json.loads(capsys.readouterr().out)} == {"meisam-razaviyayn"}
    # Global search on a store too big to scan asks the server's HNSW index, and still sees only its own papers.
    from assistant import index as index_module

    with pytest.MonkeyPatch.context() as big:
        big.setattr(index_module, "EXACT_SEARCH_MAX_ROWS", 0)
        assert run(["search", "training data selection", "--store", str(second), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {h["professor_id"] for h in hits} == {"meisam-razaviyayn"}
    # A paper another machine already embedded is not embedded again.
    assert run(["ingest", str(EXAMPLES / "profile_mirzasoleiman.txt"), "--store", str(second), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["papers_embedded"] == 0
