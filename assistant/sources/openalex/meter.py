"""What OpenAlex calls cost, and a meter that counts them, enforces a budget and reads the allowance headers.

Since 2026-02-13 OpenAlex meters every key against a daily allowance, and prices calls by tier. The table below
was checked on 2026-12-01 at https://developers.openalex.org/api-reference/authentication (older pages priced
in "credits"; the figures are the dollar ones of the newest page). A free key gets $1 a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistant.errors import OutreachError

Tier = Literal["singleton", "list", "search"]
TIERS: tuple[Tier, ...] = ("singleton", "list", "search")

PRICES_CHECKED = "2026-12-01"
PRICES_URL = "https://developers.openalex.org/api-reference/authentication"
USD_PER_CALL: dict[Tier, float] = {
    "singleton": 0.0,  # /authors/A123, /institutions/ror:…: free
    "list": 0.10 / 1000,  # /authors?filter=…
    "search": 1.00 / 1000,  # any request with search=
}
FREE_KEY_DAILY_USD = 1.0
_SEARCH_PARAMS = ("search", "search.exact", "search.semantic")


def classify(path: str, params: Mapping[str, object]) -> Tier:
    """The price tier of a request: a search parameter makes it a search, one entity by id is a singleton."""
    if any(p in params for p in _SEARCH_PARAMS):
        return "search"
    return "singleton" if len([s for s in path.split("/") if s]) >= 2 else "list"


def estimate_usd(counts: Mapping[Tier, int]) -> float:
    return sum(USD_PER_CALL[tier] * n for tier, n in counts.items())


def price_note() -> str:
    per_1000 = {tier: USD_PER_CALL[tier] * 1000 for tier in TIERS}
    return (
        f"prices of {PRICES_CHECKED}: search ${per_1000['search']:.2f}, list ${per_1000['list']:.2f} per 1,000 calls; "
        "singletons free"
    )


def describe_counts(counts: Mapping[Tier, int]) -> str:
    parts = [f"{counts[t]} {t}" for t in TIERS if counts.get(t)]
    return ", ".join(parts) if parts else "none"


class CallBudgetExceeded(OutreachError):
    """The run would need more OpenAlex calls than the user allowed (--max-calls)."""


@dataclass
class Meter:
    """Counts the requests that reach the network (retries and redirects included; cache hits apart), refuses
    one beyond `max_calls`, and keeps the last allowance OpenAlex reported in its X-RateLimit-* headers."""

    max_calls: int | None = None
    made: Counter[Tier] = field(default_factory=Counter)
    cached: int = 0
    limit: float | None = None  # X-RateLimit-Limit: the daily allowance (dollars or credits: OpenAlex's unit)
    remaining: float | None = None  # X-RateLimit-Remaining

    @property
    def total(self) -> int:
        return sum(self.made.values())

    def admit(self, tier: Tier, what: str) -> None:
        """Count a request about to be sent, or refuse it when the budget is spent."""
        if self.max_calls is not None and self.total >= self.max_calls:
            raise CallBudgetExceeded(
                f"stopped before {what}: --max-calls {self.max_calls} reached "
                f"({describe_counts(self.made)} calls made). The answers so far are cached, so re-running with a "
                "higher --max-calls pays only for the rest."
            )
        self.made[tier] += 1

    def observe(self, headers: Mapping[str, str]) -> None:
        """Headers are optional and their unit has changed before: parse what is there, ignore the rest."""
        limit, remaining = _number(headers.get("x-ratelimit-limit")), _number(headers.get("x-ratelimit-remaining"))
        if limit is not None:
            self.limit = limit
        if remaining is not None:
            self.remaining = remaining

    def summary(self) -> str:
        cost = estimate_usd(self.made)
        line = (
            f"OpenAlex: {self.total} call(s) made ({describe_counts(self.made)}), {self.cached} answered from the "
            f"cache; estimated cost ${cost:.4f} at the prices of {PRICES_CHECKED}"
        )
        if self.remaining is not None:
            of = f" of {_show(self.limit)}" if self.limit is not None else ""
            line += f"; allowance left today: {_show(self.remaining)}{of} (as OpenAlex reports it)"
        return line


def allowance_spent(headers: Mapping[str, str]) -> bool:
    """A 429 is the daily allowance running out when OpenAlex also says nothing remains; without that header
    it may be a burst limit, which a retry after Retry-After can cure."""
    remaining = _number(headers.get("x-ratelimit-remaining"))
    return remaining is not None and remaining <= 0


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip().lstrip("$"))
    except ValueError:
        return None


def _show(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"
