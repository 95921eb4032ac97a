"""Where `outreach match`'s fit labels (weak / moderate / strong) come from: the gold-standard expertise ratings.

Every rated (participant, submission) pair of the ten `d_20_x` sets is scored by `assistant.match.rank_professors`
exactly as benchmarks/goldstandard.py does (the submission's title + abstract stand in for a CV's interests, the
participant's profile papers for a professor's), and set beside the participant's own rating of their expertise
in that paper, 1 (none) to 5 (expert; some ratings are fractional).

Ratings skew high (57% of pairs are rated 4 or more: participants rated papers they knew), so "most pairs scoring
at least S are rated 4+" holds from S = 0 and cannot define a label. Instead, the chance that a pair is rated 4 or
more, and the chance that it is rated 2 or less, are each fitted against the score by logistic regression (smooth
and monotone, so a noisy stretch of scores cannot move a threshold), and:

- strong from where P(rated >= 4) reaches 1/2: from there, most pairs are rated 4 or more;
- moderate from where P(rated >= 4) overtakes P(rated <= 2);
- weak below: a rating of 2 or less is at least as likely as one of 4 or more.

Both are rounded to a multiple of 5: the same rule on two halves of the participants (split alternately by id)
puts them several points apart, so finer figures would be noise. Each half's thresholds are also applied to the
other half, to show what the labels say about people they were not chosen on. The scores are cached (`--cache`),
so re-analysing costs nothing; scoring takes about as long as goldstandard.py.

    python benchmarks/fit_labels.py [--data ../shared/data/goldstandard] [--cache benchmarks/out/fit_pairs.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from goldstandard import DEFAULT_DATA, load_ratings, score_set

from assistant.match import FIT_MODERATE_FROM, FIT_STRONG_FROM, MatchConfig

Pair = tuple[str, str, float, float]  # participant, submission, score, rating
ROUND_TO = 5


def scored_pairs(data: Path, sets: int) -> list[Pair]:
    refs = load_ratings(data)
    pairs: list[Pair] = []
    for x in range(1, sets + 1):
        preds = score_set(data / f"d_20_{x}", {"default": MatchConfig()})["default"]
        for participant, rated in refs.items():
            for submission, rating in rated.items():
                score = preds.get(participant, {}).get(submission)
                if score is not None:
                    pairs.append((participant, submission, score, rating))
        print(f"d_20_{x}: {len(pairs)} scored pairs so far", file=sys.stderr)
    return pairs


def logistic(scores: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """(a, b) of P(outcome | score) = 1 / (1 + exp(-(a + b * score / 100))), by Newton's method."""
    x = np.column_stack([np.ones_like(scores), scores / 100])
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        step = np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x, x.T @ (outcome - p))
        w += step
        if np.abs(step).max() < 1e-10:
            break
    return float(w[0]), float(w[1])


def thresholds(pairs: Sequence[Pair]) -> tuple[float, float]:
    """(moderate from, strong from), unrounded, by the rule in the module docstring."""
    scores = np.array([p[2] for p in pairs])
    ratings = np.array([p[3] for p in pairs])
    high_a, high_b = logistic(scores, (ratings >= 4).astype(float))
    low_a, low_b = logistic(scores, (ratings <= 2).astype(float))
    strong = -high_a / high_b * 100  # where a + b * s / 100 = 0, i.e. P = 1/2
    moderate = (low_a - high_a) / (high_b - low_b) * 100  # where the two curves cross
    return moderate, strong


def rounded(value: float) -> int:
    return int(ROUND_TO * round(value / ROUND_TO))


def label(score: float, moderate_from: float, strong_from: float) -> str:
    return "strong" if score >= strong_from else "moderate" if score >= moderate_from else "weak"


def distribution(pairs: Sequence[Pair], moderate_from: float, strong_from: float) -> list[str]:
    rows = ["| fit | pairs | rated ≤ 2 | between | rated ≥ 4 | mean rating |", "|---" * 6 + "|"]
    for name in ("weak", "moderate", "strong"):
        ratings = [r for _, _, s, r in pairs if label(s, moderate_from, strong_from) == name]
        if not ratings:
            rows.append(f"| {name} | 0 | | | | |")
            continue
        n = len(ratings)
        low, high = sum(1 for r in ratings if r <= 2) / n, sum(1 for r in ratings if r >= 4) / n
        rows.append(
            f"| {name} | {n} | {low:.0%} | {1 - low - high:.0%} | {high:.0%} | {statistics.mean(ratings):.2f} |"
        )
    return rows


def load_or_score(args: argparse.Namespace) -> list[Pair]:
    if args.cache.exists() and not args.rescore:
        return [(str(a), str(b), float(s), float(r)) for a, b, s, r in json.loads(args.cache.read_text())]
    pairs = scored_pairs(args.data, args.sets)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    args.cache.write_text(json.dumps(pairs))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=Path("benchmarks/out/fit_pairs.json"))
    parser.add_argument("--sets", type=int, default=10)
    parser.add_argument("--rescore", action="store_true", help="score again even when the cache exists")
    args = parser.parse_args()
    pairs = load_or_score(args)
    people = sorted({p[0] for p in pairs})
    distinct = len({(p[0], p[1]) for p in pairs})
    print(f"{len(pairs)} scored pairs ({distinct} rated pairs x {args.sets} profile samples), {len(people)} people")
    halves = [{p for p in people[i::2]} for i in (0, 1)]
    for i, half in enumerate(halves):
        chosen = thresholds([p for p in pairs if p[0] in half])
        other = [p for p in pairs if p[0] not in half]
        print(f"\nhalf {i + 1} ({len(half)} people): moderate from {chosen[0]:.1f}, strong from {chosen[1]:.1f};")
        print("applied (rounded) to the other half:")
        print("\n".join(distribution(other, rounded(chosen[0]), rounded(chosen[1]))))
    moderate, strong = thresholds(pairs)
    print(
        f"\neveryone: moderate from {moderate:.1f}, strong from {strong:.1f}; rounded: {rounded(moderate)}, "
        f"{rounded(strong)}"
    )
    print(f"in use (assistant/match.py): moderate from {FIT_MODERATE_FROM:g}, strong from {FIT_STRONG_FROM:g}")
    print("\n".join(distribution(pairs, FIT_MODERATE_FROM, FIT_STRONG_FROM)))


if __name__ == "__main__":
    main()
