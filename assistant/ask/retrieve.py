"""Whose papers a question searches (one professor, one collection, or every professor) and the retrieved papers
as the answer cites them: each gets a marker `[n]`, stable for a whole conversation."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import InputError
from assistant.index import PaperIndex
from assistant.types import Paper, Professor


@dataclass
class Source:
    """A retrieved paper as the answer cites it: `[marker]`."""

    marker: int
    paper: Paper
    professor_id: str
    professor_name: str
    score: float = 0.0  # the hybrid search score (1.0 = ranked first by vector and BM25)

    def where(self) -> str:
        return self.paper.where()


@dataclass
class Scope:
    """Whose papers to search: one professor, one collection, or every professor (collections excluded)."""

    professor_ids: list[str]
    names: dict[str, str]  # professor id -> name, for every record in the store
    professor: Professor | None = None

    @property
    def across_professors(self) -> bool:
        return self.professor is None and len(self.professor_ids) > 1


def make_scope(index: PaperIndex, professor: str | None = None, collection: str | None = None) -> Scope:
    catalog = index.catalog
    names = {p.id: p.name for p in catalog.professors(kind=None)}
    if professor and collection:
        raise InputError("give --professor or --collection, not both")
    if professor:
        prof = catalog.resolve(professor, kind="professor")
        return Scope([prof.id], names, prof)
    if collection:
        coll = catalog.resolve(collection, kind="collection")
        return Scope([coll.id], names, coll)
    return Scope(catalog.professor_ids(kind="professor"), names)


class MarkerRegistry:
    """Paper id -> marker, stable for a conversation: a paper keeps its number across turns."""

    def __init__(self) -> None:
        self.markers: dict[str, int] = {}

    def number(self, paper_id: str) -> int:
        if paper_id not in self.markers:
            self.markers[paper_id] = len(self.markers) + 1
        return self.markers[paper_id]


def retrieve(
    index: PaperIndex, query: str, scope: Scope, k: int, registry: MarkerRegistry, *, per_professor: int | None = None
) -> list[Source]:
    """The k best papers for `query` in scope (at most `per_professor` from one professor), numbered."""
    if not scope.professor_ids:
        return []
    hits = index.search(query, professor_ids=scope.professor_ids, k=k * 3 if per_professor else k)
    taken: dict[str, int] = {}
    sources: list[Source] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.paper is None or hit.paper_id in seen:
            continue
        if per_professor and taken.get(hit.professor_id, 0) >= per_professor:
            continue
        taken[hit.professor_id] = taken.get(hit.professor_id, 0) + 1
        seen.add(hit.paper_id)
        name = scope.names.get(hit.professor_id, hit.professor_id)
        sources.append(Source(registry.number(hit.paper_id), hit.paper, hit.professor_id, name, hit.score))
        if len(sources) == k:
            break
    return sources
