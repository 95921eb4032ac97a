"""The CLI against a real model behind both real servers: every command ends by its verdict (exit 0 or 1) or a
limit named in plain words, never an endpoint error, a raw exception or an unbounded wait.

What the weak model writes is not judged here (benchmarks/live_llm.py and the README do that); what is checked is
that whatever it writes ends somewhere a user can act on.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.cli import run
from assistant.settings import reset_settings_cache
from tests.conftest import EXAMPLES
from tests.live.conftest import LiveServer

pytestmark = pytest.mark.live
MAYA = str(EXAMPLES / "cvs" / "maya_chen.md")
QUESTION = "What do the papers say about data selection?"
# What must never reach a user of a working local server.
ENDPOINT_FAILURES = ("Traceback", "HTTP 500", "HTTP 422", "HTTP 400", "unexpected", "CompletionUsage")


def clean_end(err: str) -> None:
    assert not [f for f in ENDPOINT_FAILURES if f in err], err


def test_the_probe_finds_the_mode_each_server_takes(live: LiveServer) -> None:
    profile = live.profile  # probed once per session, from nothing, as a user's first command does
    assert profile.source == "probed"
    if live.kind == "llama-server":
        assert profile.mode == "json_schema" and profile.refused == []
    else:  # the 500 it answers to json_schema is a refusal of the mode, not a failure: the next mode is tried
        assert profile.mode == "json_object" and profile.refused[0].startswith("json_schema: HTTP 500")
        assert profile.fold_system  # its gemma format drops system messages: found out, and folded
    assert json.loads(live.memory.read_text())  # remembered: the tests after this one do not probe again


def test_cv_show_refines_or_falls_back_in_plain_words(
    live: LiveServer, isolated_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "auto")
    reset_settings_cache()
    assert run(["cv", "show", MAYA]) == 0
    captured = capsys.readouterr()
    clean_end(captured.err)
    assert "Maya Chen" in captured.out
    if "read by: offline" in captured.out:  # the model could not give a valid extraction within its limits
        assert "LLM refinement of the CV skipped (" in captured.err
    if list((isolated_store / "cv-refine").glob("*.json")):  # a result or a limit the model hit: kept
        started = time.monotonic()
        assert run(["cv", "show", MAYA]) == 0
        assert time.monotonic() - started < 10 and "Maya Chen" in capsys.readouterr().out  # no model call again


def test_draft_then_verify_end_by_the_guardrail_verdict(
    live: LiveServer,
    sample_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "draft.md"
    code = run(["draft", "--cv", MAYA, "--professor", "razaviyayn", "--out", str(out)])
    err = capsys.readouterr().err
    clean_end(err)
    if code == 1 and not out.exists():  # no draft at all: the model's reply ran past a limit or was not JSON
        assert "hint:" in err and "--offline" in err
        return
    assert code in (0, 1) and ("NEEDS REVIEW" in err) == (code == 1)
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "auto")  # the support check asks the model to judge the claims
    reset_settings_cache()
    verified = run(["verify", "--professor", "razaviyayn", "--cv", MAYA, str(out)])
    shown = capsys.readouterr()
    clean_end(shown.err)
    assert verified in (0, 1) and "support" in shown.out  # passed, flagged, or unverified with the reason


def test_streamed_ask_ends_within_its_deadline_saying_why(
    live: LiveServer, sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code = run(["ask", QUESTION, "--professor", "mirzasoleiman"])
    took = time.monotonic() - started
    captured = capsys.readouterr()
    clean_end(captured.err)
    assert took < 45 + 30  # OUTREACH_LLM_DEADLINE, and the retrieval around it
    assert captured.out.strip()
    if code == 1:  # cut: the limit is named, and nothing is glued onto the cut text
        assert "OUTREACH_LLM_MAX_TOKENS_ASK=48" in captured.err or "OUTREACH_LLM_DEADLINE" in captured.err
    else:
        assert code == 0


def test_ask_json_ends_by_its_verdict(live: LiveServer, sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["ask", QUESTION, "--professor", "mirzasoleiman", "--json"])
    captured = capsys.readouterr()
    clean_end(captured.err)
    if code == 0:
        assert json.loads(captured.out)["answer"]
    else:  # the model's reply did not become an answer within the limits: said so, with the way out
        assert code == 1 and "error:" in captured.err and "--offline" in captured.err


def test_batch_of_two_counts_what_it_wrote_and_what_it_spent(
    live: LiveServer, sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "profs.csv"
    names.write_text("professor\nBaharan Mirzasoleiman\nMeisam Razaviyayn\n", encoding="utf-8")
    out = tmp_path / "out"
    code = run(["batch", "--cv", MAYA, "--professors", str(names), "--out", str(out), "--json", "--concurrency", "2"])
    captured = capsys.readouterr()
    clean_end(captured.err)
    summary = json.loads(captured.out)
    rows = summary["rows"]
    assert code == summary["exit_code"] and code in (0, 1) and len(rows) == 2
    for row in rows:  # a written draft is on disk with its verdict; a failed one says why
        assert (out / row["path"]).is_file() if row["path"] else row["status"] == "failed" and row["error"]
        if row["error"] and "tokens before it was complete" in row["error"]:
            assert row["tokens"] > 0  # a reply cut at max_tokens was paid for, and is counted
    assert summary["totals"]["tokens"] == sum(r["tokens"] for r in rows) + summary["cv_tokens"]
