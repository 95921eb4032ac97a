"""The support check in the commands a user runs: draft (each round, repair, offline), verify, ask and batch, with
OUTREACH_VERIFY_SUPPORT auto/off/required; tokens in provenance and batch totals. Verifier mocked with respx."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import respx

from assistant.ask import AskReply, ask_question
from assistant.batch import BatchOptions, Target, run_batch
from assistant.catalog import Catalog
from assistant.cli import run
from assistant.cv import read_cv
from assistant.draft import draft_email
from assistant.pricing import estimate_cost
from assistant.settings import Settings, reset_settings_cache
from assistant.types import BatchSummary, EmailDraft
from tests.conftest import EXAMPLES
from tests.openai_mock import CHAT_URL, ResponseQueue, error, structured
from tests.test_batch import FakeEndpoint, make_student
from tests.test_support import Judge

MAYA = EXAMPLES / "cvs" / "maya_chen.md"
MTP_TITLE = "How Transformers Learn to Plan via Multi-Token Prediction"
MTP_SENTENCE = "Your analysis of how multi-token prediction"
MTP_QUOTE = "MTP induces a two-stage reverse reasoning process"
OVERSTATED = "Your analysis proved that multi-token prediction always beats next-token prediction on every task."


@pytest.fixture
def verifying(llm_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An LLM configured with the support check on (the default, auto)."""
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "auto")
    reset_settings_cache()
    return Settings()


def mtp_draft(settings: Settings, sentence: str | None = None) -> EmailDraft:
    prof = Catalog(settings.catalog_path).resolve("mirzasoleiman")
    mtp = next(p for p in prof.papers if p.title == MTP_TITLE)
    claim = sentence or (
        "Your analysis of how multi-token prediction induces a reverse reasoning process on a star graph connects "
        "directly to my course project on star-graph path finding."
    )
    body = (
        "Dear Professor Mirzasoleiman,\n\nMy name is Maya Chen, and I am an M.S. student in Computer Science at the "
        "University of California, Los Angeles, working on data-efficient training of large models and LLM "
        f"reasoning.\n\nI was excited to read \u201c{MTP_TITLE}\u201d. {claim}\n\nI build coreset selectors "
        "for instruction tuning with PyTorch, and I would be grateful to learn whether you are taking new "
        "students; I would be happy to share more details about these projects.\n\nThank you for your time.\n\n"
        "Best regards,\nMaya Chen"
    )
    return EmailDraft(subject="Prospective student: multi-token prediction", body=body, cited_paper_ids=[mtp.id])


def drafts(*replies: EmailDraft) -> ResponseQueue:
    return ResponseQueue(*(structured(d) for d in replies))


def supported() -> Judge:
    return Judge((MTP_SENTENCE, "supported", MTP_QUOTE, "stated in the abstract"))


def test_an_llm_draft_is_verified_and_its_tokens_counted_apart(sample_store: Path, verifying: Settings) -> None:
    judge = Judge(*supported().rules, other=drafts(mtp_draft(verifying)))
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=judge)
        result = draft_email(read_cv(MAYA), Catalog(verifying.catalog_path).resolve("mirzasoleiman"), verifying)
    assert result.report.passed and result.status == "clean", result.report.violations
    prov = result.provenance
    assert (prov.prompt_tokens, prov.completion_tokens) == (120, 80)  # the draft call alone
    assert (prov.verify_prompt_tokens, prov.verify_completion_tokens) == (300, 60)
    assert prov.templates[-2:] == ["verify_support_system.j2", "verify_support.j2"] and len(judge.requests) == 1


def test_an_unsupported_claim_is_repaired_with_the_verifiers_reason(sample_store: Path, verifying: Settings) -> None:
    queue = drafts(mtp_draft(verifying, OVERSTATED), mtp_draft(verifying))
    judge = Judge(
        (OVERSTATED, "unsupported", "", "the abstract shows this on a star graph only"), *supported().rules, other=queue
    )
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=judge)
        result = draft_email(read_cv(MAYA), Catalog(verifying.catalog_path).resolve("mirzasoleiman"), verifying)
    assert result.report.passed and result.provenance.repair_rounds == 1
    assert len(judge.requests) == 2 and result.provenance.verify_prompt_tokens == 600  # one call per round
    repair = queue.requests[1]["messages"][-1]["content"]
    assert "support" in repair and "the abstract shows this on a star graph only" in repair


def test_an_unverified_draft_is_not_repaired_and_the_cli_exits_1(
    sample_store: Path, verifying: Settings, no_sleep: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    queue = drafts(mtp_draft(verifying))
    with respx.mock:
        respx.post(CHAT_URL).mock(
            side_effect=lambda r: queue(r) if b'"EmailDraft"' in r.content else error(503, "verifier down")
        )
        code = run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman", "--format", "json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert code == 1 and len(queue.requests) == 1  # no repair round: nothing to repair
    assert out["status"] == "needs review" and out["guardrails"]["status"] == "unverified"
    assert out["guardrails"]["passed"] is False and out["guardrails"]["violations"] == []
    assert "NEEDS REVIEW: support unverified: the verifier call failed" in captured.err


def test_offline_runs_skip_the_check_with_the_reason_and_stay_clean(
    sample_store: Path, verifying: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with respx.mock:
        route = respx.post(CHAT_URL).mock(return_value=httpx.Response(500))
        assert run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman", "--offline"]) == 0
        assert run(["ask", "What has she published on data selection?", "--offline", "--strict", "--json"]) == 0
    assert not route.called
    out = capsys.readouterr().out
    assert "Guardrails: PASSED" in out
    assert "skip support (skipped: this run is offline, so no claim was sent to the LLM verifier)" in out
    answer = json.loads(out[out.index("\n{\n") :])
    assert answer["guardrails"]["checks"][-1]["status"] == "skipped" and answer["guardrails"]["status"] == "passed"


def test_the_demos_draft_passes_with_the_check_skipped(sample_store: Path, settings: Settings) -> None:
    result = draft_email(read_cv(MAYA), Catalog(settings.catalog_path).resolve("mirzasoleiman"), settings, offline=True)
    support = next(c for c in result.report.checks if c.check == "support")
    assert result.report.passed and support.note == "skipped: no LLM configured, so this check could not run"


def test_required_without_an_llm_is_unverified_and_exits_1(
    sample_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "required")
    reset_settings_cache()
    assert run(["draft", "--cv", str(MAYA), "--professor", "mirzasoleiman"]) == 1
    captured = capsys.readouterr()
    assert "Guardrails: NEEDS REVIEW — unverified" in captured.out
    assert "support unverified: OUTREACH_VERIFY_SUPPORT=required, but no LLM configured" in captured.err
    email = tmp_path / "mine.txt"
    email.write_text(f"Subject: Hello\n\nDear Professor Mirzasoleiman,\n\nI enjoyed \u201c{MTP_TITLE}\u201d.\n")
    # Even an email that states nothing about their work: required means nothing is clean without a verifier.
    assert run(["verify", "--professor", "mirzasoleiman", str(email), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "unverified"


def test_off_skips_the_check_and_makes_no_call(sample_store: Path, llm_settings: Settings) -> None:
    with respx.mock:
        queue = drafts(mtp_draft(llm_settings))
        respx.post(CHAT_URL).mock(side_effect=queue)
        result = draft_email(read_cv(MAYA), Catalog(llm_settings.catalog_path).resolve("mirzasoleiman"), llm_settings)
    support = next(c for c in result.report.checks if c.check == "support")
    assert support.note == "skipped: OUTREACH_VERIFY_SUPPORT=off" and result.report.passed
    assert len(queue.requests) == 1 and result.provenance.verify_prompt_tokens == 0


def test_verify_runs_the_check_when_an_llm_is_configured(
    sample_store: Path, verifying: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    email = tmp_path / "mine.txt"
    email.write_text(f"Subject: Multi-token prediction\n\n{mtp_draft(verifying, OVERSTATED).body}\n")
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=Judge((OVERSTATED, "unsupported", "", "star graph only")))
        assert run(["verify", "--professor", "mirzasoleiman", str(email), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (v,) = [v for v in report["violations"] if v["check"] == "support"]
    assert v["severity"] == "hard" and v["span"] == OVERSTATED and "star graph only" in v["message"]


def test_an_llm_answer_is_verified_sentence_by_sentence_in_one_call(sample_store: Path, verifying: Settings) -> None:
    answer = (
        "Baharan Mirzasoleiman proposed XMAS, which can discard 50% of the LLaVA-665k dataset while preserving "
        "performance [1]. She showed that SFT always needs large datasets [2]."
    )
    judge = Judge(
        ("XMAS", "supported", "XMAS can discard 50% of the LLaVA-665k dataset", "stated"),
        ("SFT always needs", "unsupported", "", "the abstract says SFT excels on smaller datasets"),
        other=ResponseQueue(structured(AskReply(answer=answer, supported=True, cited=[1, 2]))),
    )
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=judge)
        result = ask_question("What has she published on data selection?", verifying, professor="Mirzasoleiman")
    report = result.answer.guardrails
    (v,) = [v for v in report.hard_violations if v.check == "support"]
    assert v.span == "She showed that SFT always needs large datasets." and "smaller datasets" in v.message
    assert [len(Judge.sentences(r)) for r in judge.requests] == [2]
    assert result.answer.provenance and result.answer.provenance.verify_prompt_tokens == 300


def _batch(
    settings: Settings, tmp_path: Path, endpoint: Callable[[httpx.Request], httpx.Response]
) -> tuple[BatchSummary, Path]:
    out = tmp_path / "out"
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=endpoint)
        summary = run_batch(
            make_student(),
            [Target(name="Baharan Mirzasoleiman"), Target(name="Meisam Razaviyayn")],
            settings,
            BatchOptions(out_dir=out, concurrency=2),
        )
    return summary, out


def test_batch_counts_the_verifier_in_each_row_and_the_totals(
    sample_store: Path, verifying: Settings, tmp_path: Path
) -> None:
    judge = Judge(("selecting the right training data", "not_a_claim", "", "interest"), other=FakeEndpoint())
    summary, out = _batch(verifying, tmp_path, judge)
    rows = summary.rows
    assert [r.status for r in rows] == ["clean", "clean"] and len(judge.requests) == 2
    assert all((r.verify_tokens, r.tokens) == (360, 900 + 300 + 360) for r in rows)
    expected = estimate_cost(verifying.llm_model, 900 + 300, 300 + 60).usd
    assert all(r.cost_usd == expected for r in rows)
    totals = json.loads((out / "summary.json").read_text())["totals"]
    assert totals["verify_tokens"] == 720 and totals["tokens"] == 2 * 1560


def test_batch_with_the_verifier_down_needs_review_everywhere(
    sample_store: Path, verifying: Settings, tmp_path: Path, no_sleep: list[float]
) -> None:
    draft = FakeEndpoint()
    summary, out = _batch(
        verifying, tmp_path, lambda r: draft(r) if b'"EmailDraft"' in r.content else httpx.Response(502)
    )
    rows = summary.rows
    assert summary.exit_code == 1 and [r.status for r in rows] == ["needs review", "needs review"]
    assert all(r.verdict.startswith("support unverified: the verifier call failed") for r in rows)
    page = (out / "index.html").read_text()
    assert "support unverified: the verifier call failed" in page and "0 clean" in page
    sidecar = json.loads((out / "baharan-mirzasoleiman.json").read_text())
    assert sidecar["guardrails"]["status"] == "unverified" and sidecar["status"] == "needs review"
