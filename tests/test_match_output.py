"""What `match` and `ingest` show a person: the fit label, the abstract coverage, a layout that survives a pipe
or a narrow terminal, and a line per input read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from assistant import render
from assistant.cli import run
from assistant.match import FIT_MODERATE_FROM, FIT_STRONG_FROM, fit_label
from tests.conftest import EXAMPLES

CV = str(EXAMPLES / "cvs" / "maya_chen.md")
OFF_TOPIC = "troubadour songs and the manuscripts of medieval Occitan lyric poetry"


def test_fit_labels_follow_the_measured_thresholds() -> None:
    assert 0 < FIT_MODERATE_FROM < FIT_STRONG_FROM < 100
    assert fit_label(FIT_MODERATE_FROM - 0.1) == "weak" and fit_label(FIT_MODERATE_FROM) == "moderate"
    assert fit_label(FIT_STRONG_FROM - 0.1) == "moderate" and fit_label(FIT_STRONG_FROM) == "strong"


def test_json_names_coverage_for_what_it_is_and_keeps_the_old_name(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["match", "--cv", CV, "--offline", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for row in rows:
        assert row["fit"] == fit_label(row["score"])
        assert row["abstract_coverage"] in ("high", "medium", "low")
        assert (row["confidence"], row["confidence_note"]) == (row["abstract_coverage"], row["abstract_coverage_note"])


def test_a_weak_best_fit_is_said_plainly(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["match", "--text", OFF_TOPIC]) == 0
    captured = capsys.readouterr()
    assert "1. " in captured.out and "weak fit" in captured.out
    assert "warning: even the best match" in captured.err and "fits weakly" in captured.err
    assert run(["match", "--cv", CV, "--offline"]) == 0
    assert "fits weakly" not in capsys.readouterr().err


def test_piped_output_is_a_list_with_one_line_per_evidence(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["match", "--cv", CV, "--offline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. Baharan Mirzasoleiman: score ") and "fit (topic" in lines[0]
    assert all(line.startswith("   ") and " ⇐ " in line for line in lines[1:4])
    assert not any("┃" in line or "│" in line for line in lines)


@pytest.mark.parametrize(("width", "table"), [(80, False), (render.WIDE_TABLE_COLUMNS, True)])
def test_a_terminal_gets_the_table_only_when_wide(
    sample_store: Path, monkeypatch: pytest.MonkeyPatch, width: int, table: bool
) -> None:
    terminal = Console(force_terminal=True, width=width, record=True, soft_wrap=False)
    monkeypatch.setattr(render, "out", terminal)
    assert run(["match", "--cv", CV, "--offline"]) == 0
    text = terminal.export_text()
    assert ("┃ fit" in text and "abstracts" in text) == table
    assert text.startswith("1. Baharan") != table


def test_ingest_prints_a_line_per_input_when_stderr_is_not_a_terminal(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [EXAMPLES / "profile_razaviyayn.txt", EXAMPLES / "daily_papers_listing.txt"]
    assert run(["ingest", *map(str, inputs)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{inputs[0]}: 6 papers of 1 professor(s)"
    assert err[1] == f"{inputs[1]}: 39 papers of 1 professor(s)"
    assert err[2].startswith("read 45 papers from 2 input(s): ")  # one line, however narrow the log
