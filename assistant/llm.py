"""The LLM seam: every chat-model call goes through here.

LangChain's ChatOpenAI speaks to any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio). Per
TRAPS.md: the client is built on an explicit httpx.Client (respx can intercept it; timeouts live there), the
SDK's own retries are off (tenacity in retry.py decides), and the Chat Completions API is forced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx
from pydantic import BaseModel, ValidationError

from assistant.errors import LLMConfigError, OutreachError, RemoteServiceError
from assistant.retry import call_with_retries, is_transient
from assistant.settings import Settings

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM, LM Studio) accept any key; the SDK insists on one being set.
PLACEHOLDER_KEY = "not-needed-for-local-servers"


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


def _api_key(settings: Settings) -> str:
    return settings.openai_api_key.get_secret_value() if settings.openai_api_key else PLACEHOLDER_KEY


def http_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(settings.llm_timeout_s, connect=10.0))


def openai_client(settings: Settings) -> openai.OpenAI:
    import openai

    return openai.OpenAI(
        api_key=_api_key(settings),
        base_url=settings.openai_base_url or DEFAULT_BASE_URL,
        # openai 3 types this as httpx2.Client, but an httpx.Client works and is what respx intercepts (TRAPS.md).
        http_client=cast(Any, http_client(settings)),
        max_retries=0,
    )


def chat_model(settings: Settings, *, streaming: bool = False) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=_api_key(settings),
        base_url=settings.openai_base_url or DEFAULT_BASE_URL,
        temperature=settings.llm_temperature,
        http_client=http_client(settings),
        max_retries=0,
        use_responses_api=False,
        streaming=streaming,
    )


def explain(exc: BaseException, settings: Settings, attempts: int) -> OutreachError:
    """Turn an SDK/transport exception into an error a user can act on."""
    status = getattr(exc, "status_code", None)
    endpoint = settings.openai_base_url or DEFAULT_BASE_URL
    if status == 401:
        return LLMConfigError(
            f"the LLM endpoint {endpoint} rejected the API key (HTTP 401): check OPENAI_API_KEY", status=401
        )
    if status == 403:
        return LLMConfigError(
            f"the LLM endpoint {endpoint} refused access (HTTP 403): check the key's permissions", status=403
        )
    if status == 404:
        return LLMConfigError(
            f"model {settings.llm_model!r} not found at {endpoint} (HTTP 404): set OUTREACH_LLM_MODEL to a model "
            "the endpoint serves",
            status=404,
        )
    if status == 400:
        detail = getattr(exc, "message", str(exc))
        return LLMConfigError(f"the LLM endpoint rejected the request (HTTP 400): {detail}", status=400)
    if status == 429:
        return RemoteServiceError(
            f"the LLM endpoint kept answering 429 (rate limited) after {attempts} attempts; wait and re-run, "
            "or lower --concurrency/--rpm",
            status=429,
            attempts=attempts,
        )
    if is_transient(exc):
        reason = f"HTTP {status}" if status else type(exc).__name__
        return RemoteServiceError(
            f"the LLM endpoint {endpoint} failed ({reason}) after {attempts} attempts", status=status, attempts=attempts
        )
    return RemoteServiceError(f"the LLM call failed: {type(exc).__name__}: {exc}", status=status, attempts=attempts)


class LLM:
    """Structured output and streaming over one chat model, with transient-fault retries."""

    def __init__(self, settings: Settings, model: Any | None = None) -> None:
        self.settings = settings
        self._model = model
        self._structured: dict[type[BaseModel], Any] = {}  # built once per schema: a batch reuses them

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = chat_model(self.settings)
        return self._model

    @property
    def model_name(self) -> str:
        return self.settings.llm_model

    def _call(self, fn: Any, what: str) -> Any:
        attempts = self.settings.llm_max_attempts
        try:
            return call_with_retries(fn, what=what, attempts=attempts, max_backoff=self.settings.llm_max_backoff_s)
        except OutreachError:
            raise
        except Exception as exc:
            made = attempts if is_transient(exc) else 1
            raise explain(exc, self.settings, made) from exc

    def structured(self, messages: list[tuple[str, str]], schema: type[T], *, what: str = "LLM") -> tuple[T, Usage]:
        """One call returning a validated `schema` instance. A reply that does not parse is an error, not None.

        Usage comes from LangChain's usage callback rather than `include_raw=True`, whose parallel branch costs
        a thread pool per call (~3 ms of CPU, a tenth of a batch draft's). It counts every attempt's tokens."""
        from langchain_core.callbacks import get_usage_metadata_callback
        from langchain_core.exceptions import OutputParserException

        runnable = self._structured.get(schema)
        if runnable is None:
            runnable = self._structured[schema] = self.model.with_structured_output(response_format(schema))

        def invoke() -> Any:
            # Neither message quotes the reply: it may echo a CV, and errors are printed.
            try:
                return schema.model_validate(runnable.invoke(messages))
            except OutputParserException as exc:
                raise RemoteServiceError(
                    f"the model's reply did not match the expected {schema.__name__} shape (not valid JSON)"
                ) from exc
            except ValidationError as exc:
                errors = exc.errors()
                fields = sorted({".".join(str(p) for p in e["loc"]) for e in errors if e["loc"]})
                why = f"wrong or missing: {', '.join(fields[:5])}" if fields else "not valid JSON"
                raise RemoteServiceError(
                    f"the model's reply did not match the expected {schema.__name__} shape ({why})"
                ) from exc

        with get_usage_metadata_callback() as usage_cb:
            parsed = self._call(invoke, what)
        used = usage_cb.usage_metadata.values()
        usage = Usage(sum(u.get("input_tokens", 0) for u in used), sum(u.get("output_tokens", 0) for u in used))
        return parsed, usage

    def stream(self, messages: list[tuple[str, str]], *, what: str = "LLM") -> Iterator[str]:
        """Yield text chunks as they arrive. Retries cover only failures before the first chunk."""
        model = chat_model(self.settings, streaming=True) if self._model is None else self._model
        iterator = self._call(lambda: _first_and_rest(model.stream(messages)), what)
        for chunk in iterator:
            text = chunk.content if hasattr(chunk, "content") else str(chunk)
            if text:
                yield str(text)


@lru_cache(maxsize=16)
def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The strict JSON-schema response format for `schema`, built once. Given the model class itself, the OpenAI
    SDK rebuilds and re-parses through it on every call: the client's CPU per call was 7.3 ms, now 3.6 ms (CPU
    under the GIL is a batch's bottleneck). The request sent is the same."""
    import openai

    function = openai.pydantic_function_tool(schema)["function"]
    return {"name": function["name"], "schema": function.get("parameters", {}), "strict": True}


def _first_and_rest(stream: Iterator[Any]) -> Iterator[Any]:
    """Pull the first chunk eagerly so connection errors surface inside the retry loop."""
    first = next(stream, None)

    def chained() -> Iterator[Any]:
        if first is not None:
            yield first
        yield from stream

    return chained()
