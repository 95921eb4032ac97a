"""The batch's rate limiter holds requests and tokens per minute; prices are looked up, never guessed."""

from __future__ import annotations

import asyncio
import time

import pytest

from assistant.pricing import estimate_cost, price_of
from assistant.ratelimit import RateLimiter, estimate_tokens


class FakeClock:
    """Time that only moves when someone sleeps: minutes of traffic run in milliseconds."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def max_in_window(stamps: list[float], window: float) -> int:
    """The most events inside any `window` seconds (a sliding window starting at each event)."""
    stamps = sorted(stamps)
    best, j = 0, 0
    for i, start in enumerate(stamps):
        while j < len(stamps) and stamps[j] < start + window:
            j += 1
        best = max(best, j - i)
    return best


async def hammer(limiter: RateLimiter, clock: FakeClock, until: float, workers: int, tokens: int = 0) -> list[float]:
    stamps: list[float] = []

    async def worker() -> None:
        while clock() < until:
            await limiter.acquire(tokens)
            stamps.append(clock())

    await asyncio.gather(*(worker() for _ in range(workers)))
    return [s for s in stamps if s < until]


def test_rpm_holds_over_every_minute_with_many_callers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=600, clock=clock, sleep=clock.sleep)
    stamps = asyncio.run(hammer(limiter, clock, clock.now + 180, workers=16))
    assert max_in_window(stamps, 60) <= 600 * 1.1
    assert len(stamps) >= 0.9 * 600 * 3  # and the limit is used, not wasted
    # Paced, not bursty: no second sees more than its share (+1 for the window edge).
    assert max_in_window(stamps, 1) <= 600 / 60 + 1


def test_rpm_600_over_two_real_seconds() -> None:
    """The brief's short synthetic run on the real clock: 10 calls/s, counted per half-second window."""

    async def run() -> list[float]:
        limiter = RateLimiter(rpm=600)
        start = time.monotonic()
        stamps: list[float] = []

        async def worker() -> None:
            while time.monotonic() - start < 2.0:
                await limiter.acquire()
                stamps.append(time.monotonic() - start)

        await asyncio.gather(*(worker() for _ in range(8)))
        return [s for s in stamps if s < 2.0]

    stamps = asyncio.run(run())
    # Only the limit itself is asserted on the real clock: a loaded machine may start fewer calls (that the
    # limit is used, not wasted, is shown on the fake clock above), but never more.
    assert 1 <= len(stamps) <= 22  # 20 expected: at most 10% over
    per_window = [sum(1 for s in stamps if k / 2 <= s < (k + 1) / 2) for k in range(4)]
    assert all(n <= 6 for n in per_window), per_window


def test_tpm_is_corrected_by_real_usage() -> None:
    """Calls estimated at 100 tokens that really cost 300: the debt slows the stream to the true budget."""
    clock = FakeClock()
    limiter = RateLimiter(tpm=30_000, clock=clock, sleep=clock.sleep)
    spent: list[tuple[float, int]] = []

    async def worker() -> None:
        while clock() < 1000 + 180:
            reservation = await limiter.acquire(100)
            spent.append((clock(), 300))
            reservation.settle(300)

    async def run() -> None:
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(8))), timeout=10)

    asyncio.run(run())
    minutes = [sum(t for s, t in spent if 1000 + 60 * m <= s < 1000 + 60 * (m + 1)) for m in range(3)]
    assert all(t <= 30_000 * 1.1 for t in minutes), minutes
    assert sum(minutes) >= 0.85 * 30_000 * 3, minutes


def test_overestimates_are_given_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tpm=6_000, clock=clock, sleep=clock.sleep)

    async def run() -> int:
        calls = 0
        while clock() < 1000 + 60:
            reservation = await limiter.acquire(1_000)  # estimated high...
            reservation.settle(100)  # ...but cheap
            calls += 1
        return calls

    assert asyncio.run(run()) >= 50  # ~60 calls of 100 tokens fit in a 6,000-token minute, not 6


def test_a_call_bigger_than_the_bucket_does_not_deadlock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tpm=600, clock=clock, sleep=clock.sleep)  # capacity: 10 tokens

    async def run() -> float:
        await limiter.acquire(5_000)
        await limiter.acquire(5_000)
        return clock() - 1000

    waited = asyncio.run(asyncio.wait_for(run(), timeout=5))
    assert waited == pytest.approx(5_000 / 10, rel=0.01)  # the first call's debt, refilled at 10 tokens/s


def test_no_limits_never_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    async def run() -> None:
        for _ in range(1000):
            await limiter.acquire(10**6)

    asyncio.run(run())
    assert clock.now == 1000.0 and not limiter.active


def test_estimate_tokens() -> None:
    assert estimate_tokens([("system", "x" * 400), ("human", "y" * 400)], completion_tokens=500) == 200 + 8 + 500


def test_prices() -> None:
    assert price_of("gpt-4o-mini") == (0.15, 0.60)
    assert price_of("gpt-4o-mini-2024-07-18") == (0.15, 0.60)  # a dated snapshot is priced as its family
    assert price_of("gpt-4o-2024-08-06") == (2.50, 10.00)
    cost = estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000)
    assert cost.usd == pytest.approx(0.75) and cost.note is None
    unknown = estimate_cost("llama3.1:8b", 1000, 1000)
    assert unknown.usd is None and unknown.note and "PRICES" in unknown.note
    assert estimate_cost(None, 1000, 1000).usd == 0.0  # offline drafts cost nothing
