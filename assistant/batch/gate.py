"""The gate in front of every LLM call a batch makes: an in-flight slot (at most --concurrency requests at once)
and a slot from the event loop's rate limiter (ratelimit.py), taken from worker threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from assistant.errors import OutreachError
from assistant.llm.errors import usage_of
from assistant.ratelimit import RateLimiter, Reservation, estimate_tokens
from assistant.seams import StructuredLLM

if TYPE_CHECKING:
    from assistant.llm import Usage
    from assistant.settings import CallKind

M = TypeVar("M", bound=BaseModel)


class BatchCancelled(OutreachError):
    """The batch is stopping (interrupted, or a hook asked to): no new LLM calls start."""


@dataclass
class CallGate:
    limiter: RateLimiter
    loop: asyncio.AbstractEventLoop
    stop: threading.Event
    completion_tokens: int  # the reply's share of a pre-call token estimate
    in_flight: threading.Semaphore

    @contextmanager
    def slot(self) -> Iterator[None]:
        while not self.in_flight.acquire(timeout=0.05):
            self._check_stop()
        try:
            yield
        finally:
            self.in_flight.release()

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise BatchCancelled("the batch was stopped before this draft's LLM call")

    def enter(self, messages: Sequence[tuple[str, str]]) -> Reservation:
        self._check_stop()
        estimate = estimate_tokens(messages, self.completion_tokens)
        if not self.limiter.active:
            return Reservation(None, estimate)
        return asyncio.run_coroutine_threadsafe(self.limiter.acquire(estimate), self.loop).result()


class GatedLLM:
    """An LLM behind the gate: every call (first draft and each repair) takes its slots first, and transport
    retries (inside the wrapped LLM) happen within them. It wraps rather than subclasses, so it offers only the
    gated call (a StructuredLLM) and nothing inherited can reach the endpoint around the gate."""

    def __init__(self, inner: StructuredLLM, gate: CallGate) -> None:
        self.inner = inner
        self.gate = gate

    def structured(
        self, messages: list[tuple[str, str]], schema: type[M], *, what: str = "LLM", kind: CallKind | None = None
    ) -> tuple[M, Usage]:
        with self.gate.slot():
            reservation = self.gate.enter(messages)
            try:
                parsed, usage = self.inner.structured(messages, schema, what=what, kind=kind)
            except BaseException as exc:
                spent = usage_of(exc).total  # replies that came back and could not be used still cost tokens
                reservation.settle(spent or None)
                raise
        actual = usage.prompt_tokens + usage.completion_tokens
        reservation.settle(actual or None)  # an endpoint that reports no usage keeps the estimate
        return parsed, usage
