"""Searching OpenAlex works for each research item of the student, within the requested scope.

OpenAlex ANDs the words of a search (developers.openalex.org/guides/searching, checked 2026-12-01), so a CV
item of fifteen words would find almost nothing. We send the item's content words OR-ed instead and let the
search's relevance order put the works that share the most (and rarest) of them first; the match score then
re-reads every abstract. Words are lower-cased, so a CV cannot switch on OpenAlex's boolean syntax by accident.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from assistant.discover.models import Scope
from assistant.ids import normalize_text
from assistant.sources.openalex import OpenAlexSession, Request, search_works
from assistant.sources.openalex.parse import Json
from assistant.sources.openalex.works import search_requests
from assistant.text import SEARCH_STOPWORDS as STOPWORDS
from assistant.types import CVItem

MAX_QUERY_WORDS = 12  # a long project description keeps its opening words; the URL stays far below 4 KB
# Words of a CV's scaffolding, not of its research: dates, roles, kinds of venue. OR-ed, each would pull in works
# that merely say "student" or "workshop".
CV_NOISE = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec january february march april june july august september
    october november december present expected current graduate undergraduate student researcher research
    assistant intern internship group lab laboratory department university course project workshop poster
    track abstract archival non thesis
    """.split()
)
# "M. Chen, D. Okafor and L. Brandt. " opening a publication: the names would match strangers' full texts.
_AUTHOR_LIST = re.compile(r"^\s*(?:(?:[A-Z]\.\s*)+[\w'-]+(?:\s*,\s*|\s+and\s+|\s*&\s*)?)+\.\s+")


@dataclass(frozen=True)
class ItemSearch:
    """One search: the query, and the CV items it stands for (items that reduce to the same words share it)."""

    query: str
    items: tuple[str, ...]


@dataclass
class ItemHits:
    search: ItemSearch
    works: list[Json]


def search_query(text: str, exclude: Collection[str] = ()) -> str | None:
    """The item's distinct content words, OR-ed (no stopwords, CV scaffolding, numbers, or the `exclude`d
    words: the student's own name); None when nothing is left."""
    words = [
        w
        for w in normalize_text(_AUTHOR_LIST.sub("", text)).split()
        if len(w) > 1 and w not in STOPWORDS and w not in CV_NOISE and w not in exclude and not _has_digit(w)
    ]
    distinct = list(dict.fromkeys(words))[:MAX_QUERY_WORDS]
    return " OR ".join(distinct) or None


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def item_searches(items: Sequence[CVItem], student_name: str | None = None) -> list[ItemSearch]:
    own_name = set(normalize_text(student_name or "").split())
    by_query: dict[str, list[str]] = {}
    for item in items:
        if query := search_query(item.text, own_name):
            by_query.setdefault(query, []).append(item.text)
    return [ItemSearch(q, tuple(dict.fromkeys(texts))) for q, texts in by_query.items()]


def works_filter(scope: Scope) -> str:
    """Works with an author at one of the institutions (or in one of the countries), published since `since`."""
    parts = []
    if scope.institutions:
        parts.append("authorships.institutions.id:" + "|".join(i.id for i in scope.institutions))
    if scope.countries:
        parts.append("authorships.institutions.country_code:" + "|".join(c.lower() for c in scope.countries))
    parts.append(f"from_publication_date:{scope.since}-01-01")
    return ",".join(parts)


def planned_requests(searches: Sequence[ItemSearch], scope: Scope, limit: int) -> list[Request]:
    return [r for s in searches for r in search_requests(s.query, works_filter(scope), limit)]


def search_items(searches: Sequence[ItemSearch], scope: Scope, limit: int, session: OpenAlexSession) -> list[ItemHits]:
    filters = works_filter(scope)
    return [ItemHits(s, search_works(s.query, filters, limit, session)) for s in searches]
