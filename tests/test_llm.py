"""The LLM seam: structured output through respx, transient faults retried, config errors fail fast."""

from __future__ import annotations

import pytest
import respx

from assistant.errors import LLMConfigError, RemoteServiceError
from assistant.llm import LLM
from assistant.settings import Settings
from assistant.types import EmailDraft
from tests.conftest import TEST_API_KEY
from tests.openai_mock import CHAT_URL, ResponseQueue, error, sse, structured

DRAFT = EmailDraft(subject="Hello", body="Dear Professor Curie, ...", cited_paper_ids=["p1"])
MESSAGES = [("system", "rules"), ("human", "write")]


@pytest.fixture
def sleeps(no_sleep: list[float]) -> list[float]:
    return no_sleep


def test_structured_output_parses_and_counts_tokens(llm_settings: Settings) -> None:
    with respx.mock:
        queue = ResponseQueue(structured(DRAFT))
        respx.post(CHAT_URL).mock(side_effect=queue)
        draft, usage = LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert draft == DRAFT
    assert (usage.prompt_tokens, usage.completion_tokens) == (120, 80)
    assert queue.requests[0]["model"] == llm_settings.llm_model
    # The strict JSON schema is built once by us, and is exactly what the SDK would send for the model class.
    from openai.lib._parsing._completions import type_to_response_format_param

    assert queue.requests[0]["response_format"] == type_to_response_format_param(EmailDraft)


def test_429_honours_retry_after_then_succeeds(llm_settings: Settings, sleeps: list[float]) -> None:
    with respx.mock:
        queue = ResponseQueue(error(429, "slow down", {"retry-after": "7"}), structured(DRAFT))
        respx.post(CHAT_URL).mock(side_effect=queue)
        draft, _ = LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert draft.subject == "Hello"
    assert sleeps == [7.0]


def test_5xx_retried_until_attempts_run_out(llm_settings: Settings, sleeps: list[float]) -> None:
    with respx.mock:
        queue = ResponseQueue(error(503), error(502), error(500))
        respx.post(CHAT_URL).mock(side_effect=queue)
        with pytest.raises(RemoteServiceError, match="after 3 attempts"):
            LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert len(queue.requests) == 3 and len(sleeps) == 2
    assert all(0 <= s <= llm_settings.llm_max_backoff_s for s in sleeps)


@pytest.mark.parametrize(
    ("status", "message"), [(401, "rejected the API key"), (404, "not found"), (400, "rejected the request")]
)
def test_config_errors_fail_fast(llm_settings: Settings, sleeps: list[float], status: int, message: str) -> None:
    with respx.mock:
        queue = ResponseQueue(error(status, "nope"))
        respx.post(CHAT_URL).mock(side_effect=queue)
        with pytest.raises(LLMConfigError, match=message) as caught:
            LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert len(queue.requests) == 1 and not sleeps
    assert TEST_API_KEY not in str(caught.value)


def test_unparseable_reply_is_an_error_not_none(llm_settings: Settings) -> None:
    import httpx

    from tests.openai_mock import completion

    with respx.mock:
        respx.post(CHAT_URL).mock(return_value=httpx.Response(200, json=completion("not json at all")))
        with pytest.raises(RemoteServiceError, match="EmailDraft"):
            LLM(llm_settings).structured(MESSAGES, EmailDraft)


def test_streaming_yields_chunks(llm_settings: Settings) -> None:
    with respx.mock:
        respx.post(CHAT_URL).mock(return_value=sse(["Hel", "lo ", "world"]))
        assert "".join(LLM(llm_settings).stream(MESSAGES)) == "Hello world"


def test_base_url_points_at_local_servers(settings: Settings) -> None:
    local = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:11434/v1"})
    assert local.llm_configured
    with respx.mock:
        route = respx.post("http://127.0.0.1:11434/v1/chat/completions").mock(return_value=structured(DRAFT))
        LLM(local).structured(MESSAGES, EmailDraft)
    assert route.called
