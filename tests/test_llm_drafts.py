"""Models that cannot follow: every failure of the LLM path ends as a clear message or a draft marked needs review
with the reason, never a crash and never a clean mark; what failed calls cost is counted."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from assistant.cli import run
from assistant.draft import draft_email
from assistant.settings import Settings, reset_settings_cache
from assistant.types import StudentProfile
from tests.conftest import TEST_API_KEY
from tests.openai_mock import CHAT_URL, ResponseQueue, completion, structured
from tests.test_cv_refine import REFINED, UNUSUAL
from tests.test_draft import MAYA, MTP_TITLE, corrupt, faithful_draft, maya, professor

__all__ = ["maya"]  # the fixture, used by name
PROSE = httpx.Response(200, json=completion("Dear Professor, I would love to join your lab!"))


def draft_with(settings: Settings, student: StudentProfile, *responses: httpx.Response) -> tuple[object, ResponseQueue]:
    queue = ResponseQueue(*responses)
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=queue)
        result = draft_email(student, professor(settings), settings)
    return result, queue


def test_a_repair_round_that_does_not_parse_keeps_the_last_draft_and_its_report(
    sample_store: Path, llm_settings: Settings, maya: StudentProfile
) -> None:
    bad = corrupt(faithful_draft(llm_settings, maya), MTP_TITLE, "Planning Circuits in Multi-Token Transformers")
    result, queue = draft_with(llm_settings, maya, structured(bad), PROSE, PROSE)  # the repair, and its re-ask
    assert result.draft == bad and result.status == "needs review"  # type: ignore[attr-defined]
    assert result.report.hard_violations[0].check == "titles"  # type: ignore[attr-defined]
    prov = result.provenance  # type: ignore[attr-defined]
    assert prov.repair_rounds == 1 and prov.reasks == 1 and prov.structured_mode == "json_schema"
    assert prov.review_reason.startswith("repair round 1 failed (the model's reply did not match the expected")
    assert prov.review_reason.endswith("this is the last draft that parsed")
    assert prov.prompt_tokens + prov.completion_tokens == 3 * 200  # the failed round's two replies count
    assert len(queue.requests) == 3


def test_the_cli_says_why_a_draft_needs_review(
    sample_store: Path, llm_settings: Settings, maya: StudentProfile, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = corrupt(faithful_draft(llm_settings, maya), MTP_TITLE, "Planning Circuits in Multi-Token Transformers")
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(structured(bad), PROSE, PROSE))
        code = run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["provenance"]["review_reason"].startswith("repair round 1 failed")
    assert "NEEDS REVIEW" in captured.err and "the last draft that parsed" in captured.err


@pytest.mark.parametrize(
    "reply",
    [
        {"subject": "", "body": "", "cited_paper_ids": [], "citations": [], "student_claims": []},  # empty fields
        {"subject": "Hi", "body": "Dear Professor Mirzasoleiman, I read [1].", "cited_paper_ids": ["p-1"]},  # bad id
    ],
)
def test_what_a_small_model_gets_wrong_is_never_marked_clean(
    sample_store: Path, llm_settings: Settings, maya: StudentProfile, reply: dict[str, object]
) -> None:
    result, _ = draft_with(llm_settings, maya, *[structured(reply)] * (1 + llm_settings.repair_rounds))
    assert result.status == "needs review" and result.report.hard_violations  # type: ignore[attr-defined]


def test_a_first_draft_cut_at_max_tokens_is_a_clear_error_not_a_crash(
    sample_store: Path, llm_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = httpx.Response(200, json=completion('{"subject": "Prospective', finish_reason="length"))
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(cut))
        code = run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman"])
    err = capsys.readouterr().err
    assert code == 1 and "error: the model's reply (drafting) reached OUTREACH_LLM_MAX_TOKENS_DRAFT=1200 tokens" in err
    assert "hint: raise OUTREACH_LLM_MAX_TOKENS_DRAFT" in err and "--offline" in err
    assert "LengthFinishReasonError" not in err and "CompletionUsage" not in err


@pytest.fixture
def llm_batch(sample_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OUTREACH_REPAIR_ROUNDS", "0")
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "offline")
    reset_settings_cache()
    targets = tmp_path / "professors.txt"
    targets.write_text("mirzasoleiman\nrazaviyayn\n")
    return ["batch", "--cv", str(MAYA), "--professors", str(targets), "--out", str(tmp_path / "out"), "--json"]


def test_a_batch_counts_the_tokens_of_failed_drafts_and_only_drafts_written(
    llm_batch: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(*[PROSE] * 4))  # two drafts, each asked twice
        code = run(llm_batch)
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 1 and summary["drafted_this_run"] == 0 and "0 drafted this run" in captured.err
    rows = summary["rows"]
    assert [r["status"] for r in rows] == ["failed", "failed"] and all(r["tokens"] == 400 for r in rows)
    assert all(r["cost_usd"] > 0 and "not match the expected EmailDraft shape" in r["error"] for r in rows)
    assert summary["totals"]["tokens"] == 800 and summary["totals"]["cost_usd"] > 0


def test_a_batch_reads_every_input_before_the_cv_goes_to_the_llm(
    llm_batch: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "auto")
    reset_settings_cache()
    args = [str(tmp_path / "missing.txt") if a.endswith("professors.txt") else a for a in llm_batch]
    with respx.mock:
        queue = ResponseQueue()
        respx.post(CHAT_URL).mock(side_effect=queue)
        code = run(args)
    assert code == 1 and "missing.txt: no such file" in capsys.readouterr().err and queue.requests == []


def test_a_draft_to_an_unknown_professor_sends_nothing(
    sample_store: Path, refine: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with respx.mock:
        queue = ResponseQueue(structured(REFINED))
        respx.post(CHAT_URL).mock(side_effect=queue)
        code = run(["draft", "--cv", str(UNUSUAL), "--professor", "nobody-at-all"])
    assert code == 1 and queue.requests == [] and "nobody-at-all" in capsys.readouterr().err


@pytest.fixture
def refine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "auto")
    reset_settings_cache()


def test_empty_variables_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OUTREACH_DEBUG", "OPENAI_BASE_URL", "OPENAI_API_KEY", "OUTREACH_LLM_TIMEOUT"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert not settings.debug and not settings.llm_configured and settings.mode() == "offline"
    assert settings.llm_timeout_s == 60.0


def test_an_empty_variable_in_dotenv_crashes_nothing(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("OUTREACH_DEBUG=\nOPENAI_BASE_URL=\nOUTREACH_LLM_MAX_TOKENS_DRAFT=\n")
    reset_settings_cache()
    code = run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman"])
    captured = capsys.readouterr()
    assert code == 0 and "Made by: offline" in captured.out and "ValidationError" not in captured.err
