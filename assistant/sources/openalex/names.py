"""Choosing one record by name, for authors and institutions alike.

One rule, because a wrong guess silently fills the store with a stranger's papers (or searches the wrong
university): a record is taken only when it is the sole search result, or the sole result whose name equals the
query once case, accents and punctuation are ignored (`ids.normalize_text`). Names are compared in tiers (an
institution's display name first, then its acronyms and alternative names); several exact matches in a tier
are ambiguous, and so are only partial matches. We deliberately do not pick the biggest record: the prolific
namesake is exactly the wrong person when the user means the junior one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from assistant.ids import normalize_text
from assistant.sources.openalex.parse import Json

Names = Callable[[Json], Iterable[str | None]]


def exact_matches(query: str, results: Sequence[Json], names: Names) -> list[Json]:
    wanted = normalize_text(query)
    return [r for r in results if wanted in {normalize_text(n) for n in names(r) if n}]


def sole_choice(query: str, results: Sequence[Json], tiers: Sequence[Names]) -> Json | None:
    """The record the rule above designates, or None when it designates none."""
    if len(results) == 1:
        return results[0]
    for names in tiers:
        exact = exact_matches(query, results, names)
        if len(exact) == 1:
            return exact[0]
        if exact:
            return None
    return None


def exact_first(query: str, results: Sequence[Json], names: Names) -> list[Json]:
    """How candidates are listed when the choice is refused: exact namesakes, then the partial matches."""
    exact = exact_matches(query, results, names)
    return exact + [r for r in results if r not in exact]
