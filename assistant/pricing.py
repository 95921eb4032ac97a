"""Estimated cost of LLM calls, from a small table of list prices.

PRICES holds USD per one million tokens (input, output), as published on https://openai.com/api/pricing
(standard tier, no batch or cached-input discount; checked 2025). Prices change: treat the result as an
estimate, and add or fix a row here when you use another model. A dated snapshot name (`gpt-4o-mini-2024-07-18`)
is priced as its family (`gpt-4o-mini`). A model not in the table gets a cost of None and a note, never a guess;
a local server (Ollama, vLLM) serving a model under one of these names is priced as if it were OpenAI's.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


@dataclass(frozen=True)
class Cost:
    usd: float | None
    note: str | None = None


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens for `model` or its family; None when unknown."""
    name = model.strip().lower()
    if name in PRICES:
        return PRICES[name]
    family = max((k for k in PRICES if name.startswith(k + "-")), key=len, default=None)
    return PRICES[family] if family else None


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int) -> Cost:
    """The cost of these tokens on `model`; offline drafts (model None) cost nothing."""
    if model is None:
        return Cost(0.0)
    price = price_of(model)
    if price is None:
        return Cost(None, f"no price for model {model!r}: add it to PRICES in assistant/pricing.py")
    usd = (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
    return Cost(round(usd, 6))
