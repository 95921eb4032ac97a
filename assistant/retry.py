"""Retries for transient transport faults only: timeouts, connection errors, 429 and 5xx, within a deadline.

Anything else (400, 401, 404, 422, a guardrail failure) is not transient and is raised at once, and so is a 5xx
whose body says the request itself was invalid (llama-cpp-python answers 500 to a request-validation error), and,
where the caller asks (the LLM seam), the same 500 twice in a row: another attempt would get the same answer.
Re-asking the model to fix its content is a separate, explicit loop (assistant/llm/structured.py, draft.py's
repair rounds); it never goes through here.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # httpx and tenacity are imported where a call is made: an offline command never needs them
    from tenacity import RetryCallState

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# What servers say when the request, not the server, is at fault (pydantic/FastAPI validation, OpenAI's error type,
# "X is not supported"), whatever status they send it with.
_REQUEST_FAULT = re.compile(
    r"validation error|'loc': \(|\"loc\":|input should be|field required|extra inputs are not permitted|"
    r"unprocessable|invalid_request_error|not supported|unsupported|unrecognized request argument",
    re.IGNORECASE,
)


class Deadline:
    """The time by which a call must be over, its retries and back-off included."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0


class DeadlineExceeded(Exception):
    """Raised by a call that found its deadline already past: never retried."""


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def error_text(exc: BaseException) -> str:
    """What the server said about a failed request: the message of its error body (the OpenAI SDK's `body` is the
    body's `error` object), the body as JSON (FastAPI's `detail` list), or the raw text."""
    body: Any = getattr(exc, "body", None)
    if body is None:
        response = getattr(exc, "response", None)
        try:
            body = response.text if response is not None else None
        except Exception:  # a streamed response that was never read has no text
            body = None
    if isinstance(body, dict):
        message = body.get("message")
        return message if isinstance(message, str) else json.dumps(body, default=str)
    return body if isinstance(body, str) else ""


def is_request_error(exc: BaseException) -> bool:
    """An HTTP error about the request itself: 400/413/422, or any status whose body is a validation error."""
    status = _status_of(exc)
    if status is None:
        return False
    if status in (400, 413, 422, 501, 505):
        return True
    return status >= 500 and bool(_REQUEST_FAULT.search(error_text(exc)))


def is_transient(exc: BaseException) -> bool:
    """True for faults another attempt may cure."""
    # If httpx or openai was never imported, the exception cannot be one of its types (and importing them costs
    # tenths of a second).
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.TimeoutException | httpx.TransportError):
        return True
    openai = sys.modules.get("openai")
    if openai is not None and isinstance(exc, openai.APITimeoutError | openai.APIConnectionError):
        return True
    status = _status_of(exc)
    if status is None or is_request_error(exc):
        return False
    return status in TRANSIENT_STATUS or status >= 500


class _RetryIfTransient:
    """Transient faults; with `repeated_500_is_final`, not a 500 that repeats the previous attempt's body word for
    word: a local model server that says the same thing twice (a bug, a request it cannot handle) will say it
    again, so it is tried twice, never four times."""

    def __init__(self, repeated_500_is_final: bool) -> None:
        self.repeated_500_is_final = repeated_500_is_final
        self.last_500: str | None = None

    def __call__(self, exc: BaseException) -> bool:
        if not is_transient(exc):
            return False
        if not self.repeated_500_is_final or _status_of(exc) != 500:
            return True
        said = error_text(exc)
        repeated = said == self.last_500
        self.last_500 = said
        return not repeated


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or HTTP date), when the failed response carried one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


class _Wait:
    """Jittered exponential backoff with a cap; a server's Retry-After wins when it says more."""

    def __init__(self, max_backoff: float) -> None:
        from tenacity import wait_random_exponential

        self.max_backoff = max_backoff
        self._exp = wait_random_exponential(multiplier=0.5, max=max_backoff)
        self._drawn: dict[int, float] = {}  # per attempt: the deadline check and the sleep see the same draw

    def __call__(self, state: RetryCallState) -> float:
        if state.attempt_number not in self._drawn:
            self._drawn[state.attempt_number] = self._draw(state)
        return self._drawn[state.attempt_number]

    def _draw(self, state: RetryCallState) -> float:
        backoff = float(self._exp(state))
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(exc) if exc else None
        if hinted is not None:
            # Honour the server's word, but never sleep unboundedly on a hostile header.
            return min(hinted, self.max_backoff * 4)
        return backoff


class _OutOfTime:
    """Stop when the back-off before the next attempt would end past the deadline: that attempt could not finish."""

    def __init__(self, deadline: Deadline | None, wait: _Wait) -> None:
        self.deadline = deadline
        self.wait = wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline is not None and self.wait(retry_state) >= self.deadline.remaining()


def _log_before_sleep(what: str) -> Callable[[RetryCallState], None]:
    def _log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        status = _status_of(exc) if exc else None
        sleep = state.next_action.sleep if state.next_action else 0.0
        reason = f"HTTP {status}" if status else type(exc).__name__
        log.warning("%s: %s on attempt %d; retrying in %.1fs", what, reason, state.attempt_number, sleep)

    return _log


# Tests swap this for a no-op so retries cost no wall time.
sleep: Callable[[float], None] = time.sleep


def call_with_retries(
    fn: Callable[[], T],
    *,
    what: str,
    attempts: int = 4,
    max_backoff: float = 30.0,
    deadline: Deadline | None = None,
    repeated_500_is_final: bool = False,
) -> T:
    """Call `fn`, retrying transient faults while attempts and the deadline last; the last exception is re-raised
    unchanged. `fn` should bound its own wait by `deadline.remaining()`."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt

    wait = _Wait(max_backoff)
    out_of_attempts, out_of_time = stop_after_attempt(attempts), _OutOfTime(deadline, wait)
    retrying = Retrying(
        retry=retry_if_exception(_RetryIfTransient(repeated_500_is_final)),
        stop=lambda state: out_of_attempts(state) or out_of_time(state),
        wait=wait,
        before_sleep=_log_before_sleep(what),
        sleep=lambda seconds: sleep(seconds),
        reraise=True,
    )
    return retrying(fn)
