"""What an LLM call spent, and how it failed: typed errors that carry the attempts made and the tokens spent (a
batch counts the tokens of a failed draft; instructor's lesson), a message a user can act on, and apart from it
what to try next. `explain` turns whatever the SDK or the transport raised into one of them.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Literal

from assistant.errors import LLMConfigError, RemoteServiceError
from assistant.retry import error_text, is_request_error, is_transient
from assistant.settings import Settings

OFFLINE_HINT = "run with --offline to work without the LLM"


@dataclass
class Usage:
    """Tokens the endpoint reported (every reply that came back counts, used or not), and how the call went."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasks: int = 0  # replies that failed validation and went back to the model with the errors
    mode: str | None = None  # how JSON was asked for (structured calls)

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reasks += other.reasks
        self.mode = other.mode or self.mode

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LLMError(RemoteServiceError):
    """An LLM call that failed. `usage` is what it spent before failing; `hint` is what to try (printed apart)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        usage: Usage | None = None,
        hint: str | None = OFFLINE_HINT,
    ) -> None:
        super().__init__(message, status=status, attempts=attempts)
        self.usage = usage or Usage()
        self.hint = hint


class LLMRefused(LLMError, LLMConfigError):
    """The endpoint refused the request: the key, the model, or the request's shape (`request_error`). Retrying
    the same request cannot help; asking for JSON another way may."""

    def __init__(
        self,
        message: str,
        *,
        request_error: bool = False,
        status: int | None = None,
        usage: Usage | None = None,
        hint: str | None = OFFLINE_HINT,
    ) -> None:
        super().__init__(message, status=status, usage=usage, hint=hint)
        self.request_error = request_error


class LLMUnavailable(LLMError):
    """The endpoint could not be reached, timed out, or kept failing after the transport retries."""


class LLMLimitError(LLMError):
    """A bound on the call was hit: the reply's max_tokens (`length`) or the call's deadline."""

    def __init__(
        self,
        message: str,
        *,
        limit: Literal["length", "deadline"],
        usage: Usage | None = None,
        hint: str | None = OFFLINE_HINT,
    ) -> None:
        super().__init__(message, usage=usage, hint=hint)
        self.limit = limit


class LLMReplyError(LLMError):
    """The model's reply did not match the schema, even after it was shown what was wrong."""


def usage_of(exc: BaseException) -> Usage:
    return exc.usage if isinstance(exc, LLMError) else Usage()


def _endpoint(settings: Settings) -> str:
    from assistant.llm.client import endpoint  # client.py raises these errors: imported here, not at the top

    return endpoint(settings)


def explain(
    exc: BaseException, settings: Settings, attempts: int, usage: Usage | None = None, waited_s: float | None = None
) -> LLMError:
    """Turn an SDK/transport exception into an error a user can act on; the server's own words are kept (never the
    request's inputs, which may quote the CV)."""
    status = getattr(exc, "status_code", None)
    url = _endpoint(settings)
    said = server_detail(exc)
    tail = f": {said}" if said else ""
    if status in (401, 403, 404):
        return LLMRefused(_refusal(status, url, settings), status=status, usage=usage, hint=None)
    if is_request_error(exc):
        return LLMRefused(
            f"the LLM endpoint {url} rejected the request (HTTP {status}){tail}",
            status=status,
            usage=usage,
            request_error=True,
        )
    if status == 429:
        return LLMUnavailable(
            f"the LLM endpoint kept answering 429 (rate limited) after {attempts} attempts{tail}",
            status=429,
            attempts=attempts,
            usage=usage,
            hint="wait and re-run, or lower --concurrency/--rpm",
        )
    if is_timeout(exc):
        stretched = waited_s is not None and waited_s > settings.llm_timeout_s
        waited = round(waited_s or 0) if stretched else settings.llm_timeout_s
        why = "stretched for max_tokens at the server's measured speed" if stretched else "OUTREACH_LLM_TIMEOUT"
        return LLMUnavailable(
            f"the LLM endpoint {url} sent nothing for {waited:g} s ({why}), {_times(attempts)}",
            attempts=attempts,
            usage=usage,
            hint="a slow local model may need a larger OUTREACH_LLM_TIMEOUT; " + OFFLINE_HINT,
        )
    if is_transient(exc):
        reason = f"HTTP {status}{tail}" if status else _connection_reason(exc)
        return LLMUnavailable(
            f"the LLM endpoint {url} failed ({reason}) after {attempts} attempt{'s' if attempts != 1 else ''}",
            status=status,
            attempts=attempts,
            usage=usage,
            hint=("is the server running at OPENAI_BASE_URL? " if not status else "") + OFFLINE_HINT,
        )
    return LLMError(f"the LLM call failed: {type(exc).__name__}{tail}", status=status, attempts=attempts, usage=usage)


def _refusal(status: int, url: str, settings: Settings) -> str:
    if status == 401:
        return f"the LLM endpoint {url} rejected the API key (HTTP 401): check OPENAI_API_KEY"
    if status == 403:
        return f"the LLM endpoint {url} refused access (HTTP 403): check the key's permissions"
    return (
        f"model {settings.llm_model!r} not found at {url} (HTTP 404): set OUTREACH_LLM_MODEL to a model the endpoint "
        "serves"
    )


def _times(attempts: int) -> str:
    return "once" if attempts == 1 else f"on each of {attempts} attempts"


def is_timeout(exc: BaseException) -> bool:
    import httpx

    openai = sys.modules.get("openai")
    return isinstance(exc, httpx.TimeoutException) or (openai is not None and isinstance(exc, openai.APITimeoutError))


def _connection_reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    inner = f": {cause}" if cause and str(cause) else ""
    return f"{type(exc).__name__}{inner}"[:200]


# pydantic / FastAPI validation errors, as llama-cpp-python prints them ({'loc': ('body', ...), 'msg': "..."}) or
# as JSON ({"loc": ["body", ...], "msg": "..."}). Only where and what: the 'input' part may echo the request.
_LOC_MSG = re.compile(r"""['"]loc['"]:\s*[(\[]([^)\]]*)[)\]],\s*['"]msg['"]:\s*(['"])(.*?)\2""")
MAX_DETAIL = 240


def server_detail(exc: BaseException) -> str:
    """The server's explanation of a failed request, short, on one line."""
    text = error_text(exc)
    if not text:
        return ""
    found = [(_loc(loc), msg) for loc, _, msg in _LOC_MSG.findall(text)]
    if found:
        return "; ".join(f"{loc}: {msg}" for loc, msg in found)[:MAX_DETAIL]
    return " ".join(text.strip().split("\n")[0].split())[:MAX_DETAIL]


def _loc(loc: str) -> str:
    parts = [p.strip(" '\"") for p in loc.split(",") if p.strip(" '\"")]
    return ".".join(p for p in parts if p != "body") or "request"
