"""Bounded calls over a real socket (tests/llm_stubs.py): the configured timeout applies, the deadline bounds
retries and streams, a stream says which limit cut it, and every failure tells the user what to try."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.cli import run
from assistant.llm import LLM, LLMLimitError, LLMUnavailable, StreamEnd
from assistant.llm.client import RELIABLE_TOKENS
from assistant.settings import Settings, reset_settings_cache
from assistant.types import EmailDraft
from tests.llm_stubs import Stub, serve

MESSAGES = [("system", "You answer questions."), ("human", "What is new?")]
FORCED = {"OUTREACH_LLM_STRUCTURED_MODE": "json_schema", "OUTREACH_LLM_SYSTEM_ROLE": "native"}  # no probe requests
QUESTION = "What has she published on data selection?"
DRAFT = {"subject": "Hello", "body": "Dear Professor Curie, ...", "cited_paper_ids": ["p1"], "citations": [],
         "student_claims": []}  # fmt: skip


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    def make(url: str, **env: str) -> Settings:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OUTREACH_LLM_MODEL", "gemma-3-270m")
        monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "offline")
        for name, value in (FORCED | env).items():
            monkeypatch.setenv(name, value)
        reset_settings_cache()
        return Settings()

    return make


def test_a_server_that_answers_late_is_abandoned_at_the_timeout(local: Callable[..., Settings]) -> None:
    stub = Stub(delay=5.0)
    with serve(stub) as url:
        settings = local(url, OUTREACH_LLM_TIMEOUT="0.3", OUTREACH_LLM_MAX_ATTEMPTS="2", OUTREACH_LLM_MAX_BACKOFF="0")
        llm = LLM(settings)
        assert llm.connection.client  # the SDK imported before the clock starts (seconds on a loaded machine)
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match=r"sent nothing for 0.3 s \(OUTREACH_LLM_TIMEOUT\), on each of 2"):
            llm.structured(MESSAGES, EmailDraft)
        waited = time.monotonic() - started
    assert len(stub.requests) == 2 and waited < 4.0  # both attempts given up long before the server's answer at 5 s


def test_a_slow_server_is_given_time_for_max_tokens_at_its_measured_speed(
    local: Callable[..., Settings], isolated_store: Path
) -> None:
    # A CPU server reads the prompt (0.3 s here), then sends a non-streamed reply only once all of it is generated:
    # ~80 tokens at 120 tokens/s, past the 0.6 s timeout. The probe's short replies measure a low speed (mostly the
    # prompt), remembered with the endpoint's modes; the draft's 80 tokens measure it better and replace it.
    long_draft = DRAFT | {"body": "Dear Professor Curie, " + "I read your paper with great interest. " * 7}
    stub = Stub(delay=0.3, speed=120.0, replies=[long_draft])
    auto = {"OUTREACH_LLM_STRUCTURED_MODE": "auto", "OUTREACH_LLM_SYSTEM_ROLE": "auto"}
    limits = {"OUTREACH_LLM_TIMEOUT": "0.6", "OUTREACH_LLM_MAX_TOKENS_DRAFT": "200", "OUTREACH_LLM_MAX_ATTEMPTS": "1"}
    with serve(stub) as url:
        draft, usage = LLM(local(url, **auto, **limits)).structured(MESSAGES, EmailDraft, kind="draft")
        assert draft.subject == "Hello" and usage.completion_tokens >= RELIABLE_TOKENS
        (remembered,) = json.loads((isolated_store / "llm-modes.json").read_text()).values()
        assert 50 < remembered["tokens_per_s"] <= 120  # the draft's (the probe's is ~17)
        probed = len(stub.requests)
        LLM(local(url, **auto, **limits)).structured(MESSAGES, EmailDraft, kind="draft")  # a new process, remembered
        assert len(stub.requests) == probed + 1
        never_timed = local(url, OUTREACH_LLM_MODEL="another-model", **limits)  # forced modes: no probe, no speed
        with pytest.raises(LLMUnavailable, match=r"sent nothing for 0.6 s \(OUTREACH_LLM_TIMEOUT\), once"):
            LLM(never_timed).structured(MESSAGES, EmailDraft, kind="draft")


def test_the_deadline_bounds_the_retries(local: Callable[..., Settings]) -> None:
    stub = Stub(always=(503, {"error": {"message": "busy"}}), delay=0.2)
    with serve(stub) as url:
        settings = local(url, OUTREACH_LLM_DEADLINE="1", OUTREACH_LLM_MAX_ATTEMPTS="10", OUTREACH_LLM_MAX_BACKOFF="0.3")
        started = time.monotonic()
        with pytest.raises((LLMUnavailable, LLMLimitError)):
            LLM(settings).structured(MESSAGES, EmailDraft)
        waited = time.monotonic() - started
    assert 1 < len(stub.requests) < 10 and waited < 3.0  # retried, but not past the deadline


def test_a_stream_that_never_stops_is_cut_at_the_deadline(local: Callable[..., Settings]) -> None:
    stub = Stub(stream="forever")
    with serve(stub) as url:
        streamed = LLM(local(url, OUTREACH_LLM_DEADLINE="0.5")).stream(MESSAGES, kind="ask")
        chunks = list(streamed)
    end = streamed.end
    assert isinstance(end, StreamEnd) and end.reason == "deadline"
    assert end.detail == "the answer was still coming at OUTREACH_LLM_DEADLINE=0.5 s and was cut there"
    assert len(chunks) > 3  # what came before the cut was passed on


def test_a_stream_of_keep_alive_pings_is_cut_at_the_deadline(local: Callable[..., Settings]) -> None:
    # llama-cpp-python, busy with a request a client gave up on, sends SSE pings and no token for minutes.
    with serve(Stub(stream="pings")) as url:
        started = time.monotonic()
        streamed = LLM(local(url, OUTREACH_LLM_DEADLINE="0.5")).stream(MESSAGES, kind="ask")
        chunks = list(streamed)
        waited = time.monotonic() - started
    assert chunks == [] and streamed.end is not None and streamed.end.reason == "deadline"
    assert waited < 2.0


def test_a_stream_is_capped_at_its_max_tokens(local: Callable[..., Settings]) -> None:
    stub = Stub(stream="length")
    with serve(stub) as url:
        streamed = LLM(local(url, OUTREACH_LLM_MAX_TOKENS_ASK="20")).stream(MESSAGES, kind="ask")
        chunks = list(streamed)
    assert stub.requests[0]["max_tokens"] == 20
    assert streamed.end is not None and streamed.end.reason == "length" and len(chunks) == 20


def test_a_stream_whose_connection_drops_keeps_what_came(local: Callable[..., Settings]) -> None:
    stub = Stub(stream="drop")
    with serve(stub) as url:
        streamed = LLM(local(url)).stream(MESSAGES, kind="ask")
        chunks = list(streamed)
    assert chunks == ["The ", "indexed ", "papers "]
    assert streamed.end is not None and streamed.end.reason == "error" and "mid-answer" in streamed.end.detail


def test_a_streamed_ask_cut_short_says_which_limit_and_exits_1(
    sample_store: Path, local: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(Stub(stream="forever", stream_text="Data selection matters")) as url:
        local(url, OUTREACH_LLM_DEADLINE="0.5")
        code = run(["ask", QUESTION, "--professor", "mirzasoleiman"])
    out, err = capsys.readouterr()
    assert code == 1 and "answer cut: the answer was still coming at OUTREACH_LLM_DEADLINE=0.5 s" in err
    assert "Data selection matters" in out and "don't cover" not in out  # nothing glued onto the cut text


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [
        ["draft", "--cv", "examples/cvs/maya_chen.md", "--professor", "mirzasoleiman"],
        ["ask", QUESTION, "--professor", "mirzasoleiman"],
        ["ask", QUESTION, "--professor", "mirzasoleiman", "--json"],
    ],
)
def test_an_endpoint_that_refuses_connections_says_how_to_run_offline(
    sample_store: Path,
    local: Callable[..., Settings],
    capsys: pytest.CaptureFixture[str],
    no_sleep: list[float],
    args: list[str],
    examples_dir: Path,
) -> None:
    local(f"http://127.0.0.1:{closed_port()}/v1")
    code = run([str(examples_dir.parent / a) if a.startswith("examples/") else a for a in args])
    err = capsys.readouterr().err
    assert code == 1 and "failed (APIConnectionError" in err and "hint:" in err and "--offline" in err
    assert "Traceback" not in err and "unexpected" not in err


def test_chat_survives_a_failed_turn(sample_store: Path, local: Callable[..., Settings], no_sleep: list[float]) -> None:
    from assistant.ask import Asker, ChatSession, chat_loop, make_scope
    from assistant.index import PaperIndex

    written: list[str] = []
    questions = iter([QUESTION, "/papers", "/exit"])
    local(f"http://127.0.0.1:{closed_port()}/v1")
    index = PaperIndex(Settings())
    asker = Asker(index.settings, make_scope(index, "mirzasoleiman"), index=index)
    code = chat_loop(ChatSession(asker), lambda prompt: next(questions), lambda text, nl=True: written.append(text))
    assert code == 0 and any(w.startswith("error: the LLM endpoint") for w in written)
    assert any(w.startswith("- ") for w in written)  # the session went on to the next command
