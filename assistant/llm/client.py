"""The connection to one OpenAI-compatible chat endpoint: the OpenAI SDK on an explicit httpx.Client, one request
at a time with transport retries inside the call's deadline, and messages shaped the way the endpoint takes them.

Per TRAPS.md: an explicit httpx.Client (respx intercepts it; openai 3's own httpx2 it does not), the SDK's retries
off (retry.py decides), and the timeout given to every request, so the configured one is the one that applies. The
SDK is called directly rather than through LangChain's ChatOpenAI: ChatOpenAI renames `max_tokens` to
`max_completion_tokens` (which llama-cpp-python ignores: no cap at all), passes `timeout=None` over the client's,
and has no way to ask for `json_object` with a schema.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from assistant.llm.errors import Usage, explain, is_timeout
from assistant.retry import Deadline, DeadlineExceeded, call_with_retries
from assistant.settings import Settings

if TYPE_CHECKING:
    import openai

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM, LM Studio) accept any key; the SDK insists on one being set.
PLACEHOLDER_KEY = "not-needed-for-local-servers"
CONNECT_TIMEOUT_S = 10.0
# A non-streamed reply arrives whole, so a slow server sends nothing until it has generated all of it: the wait for
# one is stretched to this many times max_tokens at the server's measured speed (never below OUTREACH_LLM_TIMEOUT).
SLOW_SERVER_MARGIN = 2.0
MIN_TOKENS_TO_MEASURE = 5  # a 1-token reply times the request's overhead, not the generation
# The probe's few tokens are dominated by reading the prompt (Gemma 270M on llama-server: 4.6 tokens/s probed, ~30
# in a draft); a reply this long measures the generation, and its speed replaces the remembered one.
RELIABLE_TOKENS = 50
ROLES = {"system": "system", "human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}
R = TypeVar("R")

Messages = list[dict[str, Any]]


def endpoint(settings: Settings) -> str:
    return (settings.openai_base_url or DEFAULT_BASE_URL).rstrip("/")


def is_openai(settings: Settings) -> bool:
    """OpenAI's own API: its capabilities are known, so nothing is probed."""
    return endpoint(settings) == DEFAULT_BASE_URL


def _api_key(settings: Settings) -> str:
    return settings.openai_api_key.get_secret_value() if settings.openai_api_key else PLACEHOLDER_KEY


def request_timeout(settings: Settings, deadline: Deadline | None = None, wait_s: float | None = None) -> httpx.Timeout:
    """The configured timeout (or `wait_s`, a longer one for a slow server), cut short when the call's deadline is
    nearer."""
    wait = wait_s or settings.llm_timeout_s
    if deadline is not None:
        wait = max(0.001, min(wait, deadline.remaining()))
    return httpx.Timeout(wait, connect=min(CONNECT_TIMEOUT_S, wait))


def requested_tokens(body: dict[str, Any]) -> int | None:
    cap = body.get("max_tokens") or body.get("max_completion_tokens")
    return cap if isinstance(cap, int) else None


def http_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=request_timeout(settings))


def openai_client(settings: Settings) -> openai.OpenAI:
    import openai

    return openai.OpenAI(
        api_key=_api_key(settings),
        base_url=endpoint(settings),
        # openai 3 types this as httpx2.Client, but an httpx.Client works and is what respx intercepts (TRAPS.md).
        http_client=cast(Any, http_client(settings)),
        timeout=cast(Any, request_timeout(settings)),
        max_retries=0,
    )


def to_messages(messages: list[tuple[str, str]], *, fold_system: bool) -> Messages:
    """Our (role, text) pairs as chat messages. Folded: the system text opens the first user turn, for chat
    templates that have no system role (Gemma's drops it silently in llama-cpp-python)."""
    converted = [{"role": ROLES.get(role, role), "content": text} for role, text in messages]
    if not fold_system:
        return converted
    system = "\n\n".join(m["content"] for m in converted if m["role"] == "system")
    rest = [m for m in converted if m["role"] != "system"]
    if not system:
        return rest
    first_user = next((i for i, m in enumerate(rest) if m["role"] == "user"), None)
    if first_user is None:
        return [{"role": "user", "content": system}, *rest]
    rest[first_user] = {"role": "user", "content": f"{system}\n\n{rest[first_user]['content']}"}
    return rest


def token_cap(settings: Settings, max_tokens: int) -> dict[str, int]:
    """OpenAI deprecates `max_tokens` (its reasoning models refuse it); other servers know only `max_tokens`, and
    llama-cpp-python silently ignores `max_completion_tokens`."""
    return {"max_completion_tokens" if is_openai(settings) else "max_tokens": max_tokens}


@dataclass
class Reply:
    """One chat completion, as the modes read it."""

    content: str
    tool_arguments: str | None
    finish_reason: str | None
    usage: Usage
    refusal: str | None = None  # OpenAI's models may decline in `message.refusal` instead of answering


def usage_from(raw: Any) -> Usage:
    found = getattr(raw, "usage", None)
    if found is None:
        return Usage()
    return Usage(int(getattr(found, "prompt_tokens", 0) or 0), int(getattr(found, "completion_tokens", 0) or 0))


def reply_from(completion: Any) -> Reply:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        return Reply("", None, None, usage_from(completion))
    message = choices[0].message
    calls = getattr(message, "tool_calls", None) or []
    arguments = calls[0].function.arguments if calls and getattr(calls[0], "function", None) else None
    refusal = getattr(message, "refusal", None)
    return Reply(message.content or "", arguments, choices[0].finish_reason, usage_from(completion), refusal)


class Connection:
    """The SDK client for one endpoint (built once, shared by a batch's threads) and the retry policy around it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()
        # Completion tokens per second, last measured (the probe's, remembered with the endpoint's profile, until a
        # real call measures again); None for an endpoint never timed, which gets OUTREACH_LLM_TIMEOUT as it is.
        self.speed: float | None = None
        self.measured_tokens = 0  # the completion tokens `speed` was measured on

    @property
    def client(self) -> openai.OpenAI:
        with self._lock:
            if self._client is None:
                self._client = openai_client(self.settings)
            return self._client

    def complete(self, body: dict[str, Any], *, deadline: Deadline, what: str) -> Reply:
        """One chat completion (transport retries included)."""
        create: Any = self.client.chat.completions.create  # the body is built by the modes, not typed per field

        def send(timeout: httpx.Timeout) -> Any:
            return create(**body, timeout=timeout)

        started = time.monotonic()
        reply = reply_from(self.with_retries(send, deadline=deadline, what=what, wait_s=self.wait_for(body)))
        self._measure(reply.usage.completion_tokens, time.monotonic() - started)
        return reply

    def wait_for(self, body: dict[str, Any]) -> float:
        """How long to wait for a whole non-streamed reply: OUTREACH_LLM_TIMEOUT, or longer when generating
        max_tokens at this server's measured speed would take longer (a CPU server at 20 tokens/s needs a minute
        for a 1,200-token draft; abandoning it there queues the retry behind the generation it cannot cancel)."""
        tokens, speed = requested_tokens(body), self.speed
        if not tokens or not speed:
            return self.settings.llm_timeout_s
        return max(self.settings.llm_timeout_s, SLOW_SERVER_MARGIN * tokens / speed)

    def _measure(self, completion_tokens: int, elapsed_s: float) -> None:
        if completion_tokens >= MIN_TOKENS_TO_MEASURE and elapsed_s > 0:
            self.speed, self.measured_tokens = completion_tokens / elapsed_s, completion_tokens

    def open_stream(self, body: dict[str, Any], *, deadline: Deadline, what: str) -> Any:
        """A streamed chat completion, opened (status checked) with retries; chunks are read by the caller."""
        create: Any = self.client.chat.completions.create

        def send(timeout: httpx.Timeout) -> Any:
            return create(**body, stream=True, timeout=timeout)

        return self.with_retries(send, deadline=deadline, what=what)

    def with_retries(
        self, send: Callable[[httpx.Timeout], R], *, deadline: Deadline, what: str, wait_s: float | None = None
    ) -> R:
        made = 0

        def attempt() -> R:
            nonlocal made
            if deadline.expired():
                raise DeadlineExceeded
            made += 1
            return send(request_timeout(self.settings, deadline, wait_s))

        try:
            return call_with_retries(
                attempt,
                what=what,
                attempts=self.settings.llm_max_attempts,
                max_backoff=self.settings.llm_max_backoff_s,
                deadline=deadline,
                repeated_500_is_final=True,
            )
        except DeadlineExceeded:
            raise
        except Exception as exc:
            if is_timeout(exc) and deadline.remaining() < 0.1:  # the wait was the rest of the deadline, not the timeout
                raise DeadlineExceeded from exc
            raise explain(exc, self.settings, made, waited_s=wait_s) from exc
