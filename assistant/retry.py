"""Retries for transient transport faults only: timeouts, connection errors, 429 and 5xx.

Anything else (400, 401, 404, a guardrail failure) is not transient and is raised at once. Re-asking the model
to fix its content is a separate, explicit loop in draft.py; it never goes through here.
"""

from __future__ import annotations

import email.utils
import logging
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    """True for faults another attempt may cure."""
    if isinstance(exc, httpx.TimeoutException | httpx.TransportError):
        return True
    # If openai was never imported, the exception cannot be one of its types (and importing it costs seconds).
    openai = sys.modules.get("openai")
    if openai is not None and isinstance(exc, openai.APITimeoutError | openai.APIConnectionError):
        return True
    status = _status_of(exc)
    return status is not None and (status in TRANSIENT_STATUS or status >= 500)


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
        self.max_backoff = max_backoff
        self._exp = wait_random_exponential(multiplier=0.5, max=max_backoff)

    def __call__(self, state: RetryCallState) -> float:
        backoff = float(self._exp(state))
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(exc) if exc else None
        if hinted is not None:
            # Honour the server's word, but never sleep unboundedly on a hostile header.
            return min(hinted, self.max_backoff * 4)
        return backoff


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


def call_with_retries(fn: Callable[[], T], *, what: str, attempts: int = 4, max_backoff: float = 30.0) -> T:
    """Call `fn`, retrying transient faults; the last exception is re-raised unchanged."""
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts),
        wait=_Wait(max_backoff),
        before_sleep=_log_before_sleep(what),
        sleep=lambda seconds: sleep(seconds),
        reraise=True,
    )
    return retrying(fn)
