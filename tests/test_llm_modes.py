"""Structured output that degrades, never breaks: each protocol variant of tests/llm_stubs.py gets the mode it can
serve, found by a probe that runs once per endpoint and model and is remembered in the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from assistant.llm import LLM, LLMRefused, LLMReplyError
from assistant.llm.probe import MEMORY_FILE, Profile, remember
from assistant.settings import Settings, reset_settings_cache
from assistant.types import EmailDraft
from tests.llm_stubs import PROBE_KEY, REFUSED_400, REFUSED_422, VALIDATION_500, Stub, serve

DRAFT = {"subject": "Hello", "body": "Dear Professor Curie, ...", "cited_paper_ids": ["p1"], "citations": [],
         "student_claims": []}  # fmt: skip
MESSAGES = [("system", "You write emails."), ("human", "Write one.")]


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]) -> Callable[..., Settings]:
    """Settings for a local server at `url` (no key: none is needed), with extra variables."""

    def make(url: str, **env: str) -> Settings:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OUTREACH_LLM_MODEL", "gemma-3-270m")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        reset_settings_cache()
        return Settings()

    return make


def calls(stub: Stub) -> list[dict[str, Any]]:
    """The requests that were not probes: what the user's call sent."""
    return [r for r in stub.requests if PROBE_KEY not in json.dumps(r) and r.get("max_tokens") != 1]


def no_request_sent_twice_in_a_row(stub: Stub) -> bool:
    return all(a != b for a, b in zip(stub.requests, stub.requests[1:], strict=False))


@pytest.mark.parametrize(
    ("accepts", "refusal", "mode"),
    [
        ({"json_schema", "json_object", "tools", "text"}, REFUSED_400, "json_schema"),  # llama-server, vLLM, Ollama
        ({"json_object", "tools", "text"}, VALIDATION_500, "json_object"),  # llama-cpp-python
        ({"tools", "text"}, REFUSED_400, "tools"),  # tool calls only
        ({"text"}, REFUSED_422, "text"),  # nothing but text
    ],
)
def test_each_server_gets_the_best_mode_it_serves(
    local: Callable[..., Settings], accepts: set[str], refusal: tuple[int, dict[str, Any]], mode: str
) -> None:
    stub = Stub(accepts=frozenset(accepts), refusal=refusal, replies=[DRAFT], chatty=True)
    with serve(stub) as url:
        draft, usage = LLM(local(url)).structured(MESSAGES, EmailDraft, kind="draft")
    assert draft == EmailDraft.model_validate(DRAFT) and usage.mode == mode and usage.reasks == 0
    assert no_request_sent_twice_in_a_row(stub)  # a refusal is never retried
    sent = calls(stub)[0]
    assert sent["max_tokens"] == 1200 and "max_completion_tokens" not in sent  # local servers know max_tokens
    schema_in_prompt = "JSON Schema" in sent["messages"][-1]["content"]
    assert schema_in_prompt == (mode in ("json_object", "text"))  # the modes that cannot enforce the shape alone
    if mode == "json_object":
        assert sent["response_format"]["schema"]["required"] == list(EmailDraft.model_fields)


def test_the_probe_runs_once_per_endpoint_and_model(local: Callable[..., Settings]) -> None:
    stub = Stub(accepts=frozenset({"json_object", "text"}), refusal=VALIDATION_500, replies=[DRAFT])
    with serve(stub) as url:
        LLM(local(url)).structured(MESSAGES, EmailDraft)
        probed = len(stub.requests)
        LLM(local(url)).structured(MESSAGES, EmailDraft)  # a new command: the mode is read from the store
        assert len(stub.requests) == probed + 1
        LLM(local(url, OUTREACH_LLM_MODEL="other-model")).structured(MESSAGES, EmailDraft)
        assert len(stub.requests) > probed + 2  # another model on the same server is probed afresh
        memory = json.loads((local(url).store_dir / MEMORY_FILE).read_text())
    assert {entry["mode"] for entry in memory.values()} == {"json_object"} and len(memory) == 2
    assert all(url in key for key in memory) and "sk-" not in json.dumps(memory)


@pytest.mark.parametrize("system", ["dropped", "refused"])
def test_a_chat_template_without_a_system_role_gets_it_folded_into_the_first_user_turn(
    local: Callable[..., Settings], system: Any
) -> None:
    stub = Stub(system=system, replies=[DRAFT])
    with serve(stub) as url:
        llm = LLM(local(url))
        llm.structured(MESSAGES, EmailDraft)
    assert llm.profile().fold_system
    sent = calls(stub)[0]["messages"]
    assert [m["role"] for m in sent] == ["user"] and sent[0]["content"].startswith("You write emails.\n\nWrite one.")


def test_a_kept_system_role_is_left_alone(local: Callable[..., Settings]) -> None:
    stub = Stub(replies=[DRAFT])
    with serve(stub) as url:
        LLM(local(url)).structured(MESSAGES, EmailDraft)
    assert [m["role"] for m in calls(stub)[0]["messages"]] == ["system", "user"]


def test_a_forced_mode_is_used_without_probing(local: Callable[..., Settings]) -> None:
    stub = Stub(replies=[DRAFT], chatty=True)
    with serve(stub) as url:
        settings = local(url, OUTREACH_LLM_STRUCTURED_MODE="text", OUTREACH_LLM_SYSTEM_ROLE="native")
        _, usage = LLM(settings).structured(MESSAGES, EmailDraft)
    assert usage.mode == "text" and len(stub.requests) == 1  # prose and code fences around the JSON are fine


def test_a_remembered_mode_the_server_now_refuses_falls_back_once_and_is_remembered(
    local: Callable[..., Settings],
) -> None:
    stub = Stub(accepts=frozenset({"json_object", "text"}), refusal=VALIDATION_500, replies=[DRAFT])
    with serve(stub) as url:
        settings = local(url)
        remember(settings, Profile("json_schema", False, "probed"))  # e.g. the server was swapped for another
        _, usage = LLM(settings).structured(MESSAGES, EmailDraft)
        assert usage.mode == "json_object"
        schema_requests = [r for r in stub.requests if r.get("response_format", {}).get("type") == "json_schema"]
        assert len(schema_requests) == 1  # refused once, never retried, never probed again
        memory = json.loads((settings.store_dir / MEMORY_FILE).read_text())
    assert memory[f"{url} gemma-3-270m"]["mode"] == "json_object"


def test_a_server_that_refuses_every_request_is_asked_each_thing_once(local: Callable[..., Settings]) -> None:
    stub = Stub(always=VALIDATION_500)
    refused = r"rejected the request \(HTTP 500\): response_format.type: Input should"
    with serve(stub) as url, pytest.raises(LLMRefused, match=refused):
        LLM(local(url)).structured(MESSAGES, EmailDraft)
    assert no_request_sent_twice_in_a_row(stub) and len(stub.requests) <= 6


def test_prose_instead_of_json_gets_one_reask_then_a_clear_error(local: Callable[..., Settings]) -> None:
    stub = Stub(accepts=frozenset({"text"}), replies=["I am sorry, I cannot write emails.", "Dear Professor, hi."])
    with serve(stub) as url, pytest.raises(LLMReplyError, match="not valid JSON") as caught:
        LLM(local(url)).structured(MESSAGES, EmailDraft)
    assert len(calls(stub)) == 2 and caught.value.usage.reasks == 1 and caught.value.usage.total > 0
    assert "--offline" in (caught.value.hint or "")


def test_the_json_is_found_in_whatever_surrounds_it(local: Callable[..., Settings]) -> None:
    wrapped = f"Of course.\n\n{json.dumps(DRAFT)}\n\nLet me know if you want changes {{or not}}."
    stub = Stub(accepts=frozenset({"text"}), replies=[wrapped])
    with serve(stub) as url:
        draft, _ = LLM(local(url)).structured(MESSAGES, EmailDraft)
    assert draft.subject == "Hello"
