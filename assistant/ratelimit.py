"""Client-side rate limits for a batch of LLM calls: requests per minute and tokens per minute.

Two token buckets refill continuously at `limit / 60` units per second:

- requests: capacity 1, so calls are *paced* (one every 60/rpm seconds) rather than fired in a burst at the
  top of each minute. Providers enforce their per-minute limits over shorter periods, and a paced stream holds
  the limit over any window: at most `1 + rpm * T / 60` calls start in any T seconds.
- tokens: capacity one second's worth (`tpm / 60`, at least 1). A call may start when the bucket holds at least
  `min(estimate, capacity)`; it then takes its whole estimate, which may leave the bucket in debt. A call larger
  than the capacity therefore never deadlocks: the next one waits until the debt has refilled.

Tokens are estimated before a call (see `estimate_tokens`) and corrected after it with the usage the endpoint
reported (`Reservation.settle`): an underestimate deepens the debt, an overestimate gives tokens back.

Waiters are served first come, first served (one asyncio lock is held while sleeping). The clock and the sleep
function are injectable so tests can run minutes of traffic in milliseconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_EPSILON_S = 1e-6
CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text with OpenAI's tokenisers


def estimate_tokens(messages: Sequence[tuple[str, str]], completion_tokens: int) -> int:
    """A pre-call estimate: prompt characters / 4, plus a few tokens per message, plus the expected reply."""
    prompt_chars = sum(len(content) for _, content in messages)
    return math.ceil(prompt_chars / CHARS_PER_TOKEN) + 4 * len(messages) + completion_tokens


@dataclass
class TokenBucket:
    """`per_minute` units per minute, refilled continuously, holding at most `capacity` units."""

    per_minute: float
    capacity: float
    clock: Clock
    level: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.capacity <= 0:
            raise ValueError("a rate limit must be positive")
        self.level = self.capacity
        self.updated = self.clock()

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    def refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def wait_for(self, units: float) -> float:
        """Seconds until a call costing `units` may start (0 when it may start now)."""
        self.refill()
        need = min(units, self.capacity)
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    def take(self, units: float) -> None:
        self.refill()
        self.level -= units

    def give_back(self, units: float) -> None:
        """Correct an estimate: positive returns units, negative takes more (possibly into debt)."""
        self.refill()
        self.level = min(self.capacity, self.level + units)


@dataclass
class Reservation:
    """What one call took from the limiter; `settle` corrects the token estimate with the real usage."""

    limiter: RateLimiter | None
    estimated_tokens: int
    settled: bool = False

    def settle(self, actual_tokens: int | None) -> None:
        if self.settled:
            return
        self.settled = True
        if self.limiter is not None and self.limiter.tokens is not None and actual_tokens is not None:
            self.limiter.tokens.give_back(self.estimated_tokens - actual_tokens)


class RateLimiter:
    """Async limiter over requests and tokens per minute; either limit may be None (unlimited)."""

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.rpm, self.tpm = rpm, tpm
        self.requests = TokenBucket(rpm, 1.0, clock) if rpm else None
        self.tokens = TokenBucket(tpm, max(1.0, tpm / 60.0), clock) if tpm else None
        self._sleep = sleep
        self._lock: asyncio.Lock | None = None
        self.waited_s = 0.0  # total time callers spent waiting: reported in the batch summary

    @property
    def active(self) -> bool:
        return self.requests is not None or self.tokens is not None

    async def acquire(self, estimated_tokens: int = 0) -> Reservation:
        """Wait until one call of about `estimated_tokens` tokens may start, and reserve it."""
        if not self.active:
            return Reservation(None, estimated_tokens)
        if self._lock is None:  # created lazily: it must belong to the running event loop
            self._lock = asyncio.Lock()
        async with self._lock:
            while True:
                wait = max(
                    self.requests.wait_for(1) if self.requests else 0.0,
                    self.tokens.wait_for(estimated_tokens) if self.tokens else 0.0,
                )
                if wait <= _EPSILON_S:  # float rounding must not leave us sleeping for nanoseconds forever
                    break
                self.waited_s += wait
                await self._sleep(wait)
            if self.requests:
                self.requests.take(1)
            if self.tokens:
                self.tokens.take(estimated_tokens)
        return Reservation(self, estimated_tokens)
