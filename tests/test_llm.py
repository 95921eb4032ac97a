"""The LLM seam against OpenAI's own API (respx): structured output, the re-ask of an invalid reply, limits on
every call, transient faults retried, request and config errors fail fast, streams that say how they ended."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from assistant.errors import LLMConfigError, RemoteServiceError
from assistant.llm import LLM, LLMLimitError, LLMRefused, LLMReplyError, StreamEnd
from assistant.settings import Settings
from assistant.types import EmailDraft
from tests.conftest import TEST_API_KEY
from tests.openai_mock import CHAT_URL, ResponseQueue, completion, error, sse, structured

DRAFT = EmailDraft(subject="Hello", body="Dear Professor Curie, ...", cited_paper_ids=["p1"])
MESSAGES = [("system", "rules"), ("human", "write")]


@pytest.fixture
def sleeps(no_sleep: list[float]) -> list[float]:
    return no_sleep


def reply(content: str) -> httpx.Response:
    return httpx.Response(200, json=completion(content))


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


def test_unparseable_reply_is_asked_again_once_then_an_error_not_none(llm_settings: Settings) -> None:
    with respx.mock:
        queue = ResponseQueue(reply("not json at all"), reply("still not json"))
        respx.post(CHAT_URL).mock(side_effect=queue)
        with pytest.raises(LLMReplyError, match=r"EmailDraft shape \(not valid JSON\)") as caught:
            LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert len(queue.requests) == 2
    reask = queue.requests[1]["messages"]
    assert reask[-2] == {"role": "assistant", "content": "not json at all"}
    assert "could not be used" in reask[-1]["content"] and "not valid JSON" in reask[-1]["content"]
    assert caught.value.usage.total == 400 and caught.value.usage.reasks == 1  # both replies cost tokens
    assert "--offline" in (caught.value.hint or "")


def test_a_reply_fixed_on_the_reask_is_used_and_the_reask_counted(llm_settings: Settings) -> None:
    with respx.mock:
        queue = ResponseQueue(structured({"subject": "Hello"}), structured(DRAFT))
        respx.post(CHAT_URL).mock(side_effect=queue)
        draft, usage = LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert draft == DRAFT and usage.reasks == 1 and usage.total == 400 and usage.mode == "json_schema"
    assert "body: Field required" in queue.requests[1]["messages"][-1]["content"]  # the errors, not the input


def test_every_call_carries_its_kinds_max_tokens(llm_settings: Settings) -> None:
    with respx.mock:
        queue = ResponseQueue(structured(DRAFT), structured(DRAFT))
        respx.post(CHAT_URL).mock(side_effect=queue)
        LLM(llm_settings).structured(MESSAGES, EmailDraft, kind="draft")
        LLM(llm_settings).structured(MESSAGES, EmailDraft)  # no kind: the smallest cap
    # OpenAI's own API gets max_completion_tokens (its reasoning models refuse max_tokens).
    assert [r["max_completion_tokens"] for r in queue.requests] == [
        llm_settings.llm_max_tokens_draft,
        llm_settings.llm_max_tokens_verify,
    ]
    assert all("max_tokens" not in r for r in queue.requests)


def test_a_reply_cut_at_max_tokens_says_which_limit(llm_settings: Settings) -> None:
    cut = completion('{"subject": "Hel', finish_reason="length")
    with respx.mock:
        respx.post(CHAT_URL).mock(return_value=httpx.Response(200, json=cut))
        with pytest.raises(LLMLimitError, match="reached OUTREACH_LLM_MAX_TOKENS_DRAFT=1200 tokens") as caught:
            LLM(llm_settings).structured(MESSAGES, EmailDraft, what="drafting", kind="draft")
    assert caught.value.limit == "length" and caught.value.usage.total == 200
    assert "CompletionUsage" not in str(caught.value)


def test_422_is_not_retried_and_the_servers_words_reach_the_user(llm_settings: Settings, sleeps: list[float]) -> None:
    body = {"detail": [{"loc": ["body", "messages", 0], "msg": "Field required", "input": "my CV text"}]}
    with respx.mock:
        queue = ResponseQueue(httpx.Response(422, json=body))
        respx.post(CHAT_URL).mock(side_effect=queue)
        with pytest.raises(LLMRefused, match=r"HTTP 422\): messages.0: Field required") as caught:
            LLM(llm_settings).structured(MESSAGES, EmailDraft)
    assert len(queue.requests) == 1 and not sleeps
    assert "my CV text" not in str(caught.value)  # what the server echoes of the request is left out


def test_streaming_yields_chunks_then_says_why_it_ended(llm_settings: Settings) -> None:
    with respx.mock:
        route = respx.post(CHAT_URL).mock(return_value=sse(["Hel", "lo ", "world"]))
        streamed = LLM(llm_settings).stream(MESSAGES)
        text = "".join(streamed)
    assert text == "Hello world"
    assert isinstance(streamed.end, StreamEnd) and streamed.end.reason == "stop" and not streamed.end.cut
    sent = json.loads(route.calls[0].request.content)
    assert sent["stream"] is True and sent["max_completion_tokens"] == llm_settings.llm_max_tokens_ask


def test_a_stream_cut_at_max_tokens_says_so(llm_settings: Settings) -> None:
    with respx.mock:
        respx.post(CHAT_URL).mock(return_value=sse(["on and ", "on and "], finish_reason="length"))
        streamed = LLM(llm_settings).stream(MESSAGES)
        assert list(streamed) == ["on and ", "on and "]
    end = streamed.end
    assert isinstance(end, StreamEnd) and end.reason == "length"
    assert end.detail == "the answer reached OUTREACH_LLM_MAX_TOKENS_ASK=600 tokens and was cut there"


def test_base_url_points_at_local_servers(settings: Settings) -> None:
    local = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:11434/v1"})
    assert local.llm_configured
    with respx.mock:
        route = respx.post("http://127.0.0.1:11434/v1/chat/completions").mock(return_value=structured(DRAFT))
        LLM(local).structured(MESSAGES, EmailDraft)
    assert route.called
