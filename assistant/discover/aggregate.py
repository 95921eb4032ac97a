"""From the works each CV item's search found to candidates: the authors who wrote them at the requested places.

A work found by a search has authors everywhere; only an authorship at a requested institution (the institution
itself or one of its children, by OpenAlex's lineage) or, with --country alone, in a requested country makes its
author a candidate. External co-authors are left out. Per candidate we keep which CV items found them, their
matching works (with their author position on each) and the institutions named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.discover.models import Candidate, MatchedWork, Scope
from assistant.discover.search import ItemHits
from assistant.sources.openalex.institutions import institution_ids
from assistant.sources.openalex.parse import Json, as_dict, as_int, as_list, as_str, short_id
from assistant.sources.openalex.works import work_to_paper


@dataclass
class Pool:
    """Every candidate, and the works they are candidates by (OpenAlex JSON, by short id)."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    works: dict[str, Json] = field(default_factory=dict)


def in_scope(institution: Json, scope: Scope) -> bool:
    """An institution of an authorship (or an author's last known one) counts when it, or a parent in its
    lineage, is requested, and when it is in a requested country."""
    if scope.institutions and not institution_ids(institution) & {i.id for i in scope.institutions}:
        return False
    if scope.countries:
        country = (as_str(institution.get("country_code")) or "").upper()
        return country in scope.countries
    return True


def collect_candidates(hits: Sequence[ItemHits], scope: Scope) -> Pool:
    pool = Pool()
    for hit in hits:
        for work in hit.works:
            work_id = short_id(as_str(work.get("id")))
            if work_id:
                _add_work(pool, work_id, work, hit.search.items, scope)
    return pool


def _add_work(pool: Pool, work_id: str, work: Json, items: Sequence[str], scope: Scope) -> None:
    authorships = [as_dict(a) for a in as_list(work.get("authorships"))]
    for authorship in authorships:
        author = as_dict(authorship.get("author"))
        author_id = short_id(as_str(author.get("id")))
        here = [i for i in (as_dict(x) for x in as_list(authorship.get("institutions"))) if in_scope(i, scope)]
        if not author_id or not here:
            continue
        candidate = pool.candidates.setdefault(
            author_id, Candidate(id=author_id, name=as_str(author.get("display_name")) or author_id)
        )
        _merge(candidate, work_id, work, authorship, len(authorships), items)
        for name in (as_str(i.get("display_name")) for i in here):
            if name and name not in candidate.institutions:
                candidate.institutions.append(name)
        pool.works.setdefault(work_id, work)


def _merge(
    candidate: Candidate, work_id: str, work: Json, authorship: Json, n_authors: int, items: Sequence[str]
) -> None:
    matched = next((w for w in candidate.works if w.id == work_id), None)
    if matched is None:
        paper = work_to_paper(work)
        matched = MatchedWork(
            id=work_id,
            title=paper.label() if paper else work_id,
            year=as_int(work.get("publication_year")),
            position=as_str(authorship.get("author_position")),
            author_count=n_authors,
        )
        candidate.works.append(matched)
    for item in items:
        if item not in matched.cv_items:
            matched.cv_items.append(item)
        if item not in candidate.cv_items:
            candidate.cv_items.append(item)
