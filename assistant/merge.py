"""De-duplication: fold several listings of the same paper into one, and one professor's records into one.

Two papers are the same when
- they have the same id (ids.paper_id hashes the normalised abstract's opening, else the title: equal ids
  must never reach the index as two papers), or
- both have titles and the normalised titles are equal, or
- their normalised abstracts are equal, or one is a prefix of the other sharing at least
  `PREFIX_CHARS` characters (listings often truncate abstracts), or
- the first `FUZZY_CHARS` normalised characters of both abstracts have a rapidfuzz ratio of at least
  `FUZZY_RATIO` (light edits between a preprint and its published version).

A merged paper keeps the id of the paper we already had, gains a title if it had none, keeps the longer
abstract, the earliest full date and the union of its listings (sources); a listing folded in under another title
keeps that title (`PaperSource.title`), so a version's title still names the paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from assistant.ids import normalize_content, normalize_text
from assistant.types import Coauthor, Paper, PaperSource, Professor

PREFIX_CHARS = 200
FUZZY_CHARS = 400
FUZZY_RATIO = 95.0
# Below this many normalised characters an abstract is too short for a fuzzy comparison to mean anything.
FUZZY_MIN_CHARS = 100


class MergeStats(BaseModel):
    new: int = 0  # papers added
    merged: int = 0  # incoming papers folded into a paper already there


def year_of(date: str | None) -> int | None:
    """The year of an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)."""
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def earliest_date(*dates: str | None) -> str | None:
    """The earliest full date (YYYY-MM-DD); a partial date only when no full date is known."""
    known = [d for d in dates if d]
    full = [d for d in known if len(d) == 10]
    return min(full or known) if known else None


@lru_cache(maxsize=8192)
def _norm(text: str | None) -> str:
    """normalize_content, remembered: each abstract is looked up and indexed several times during a merge."""
    return normalize_content(text or "")


class _PaperIndex:
    """Finds the paper in a list that an incoming paper duplicates, without comparing every pair by hand."""

    def __init__(self) -> None:
        self.papers: list[Paper] = []
        self._by_id: dict[str, int] = {}
        self._by_title: dict[str, int] = {}
        self._by_abstract: dict[str, int] = {}
        self._by_opening: dict[str, list[int]] = {}
        self._openings: list[str] = []  # first FUZZY_CHARS of each abstract, for rapidfuzz
        self._opening_owner: list[int] = []

    def add(self, paper: Paper) -> None:
        self.papers.append(paper)
        self.reindex(len(self.papers) - 1)

    def reindex(self, pos: int) -> None:
        """Record the keys of the paper at `pos` (old keys stay: they still identify the same paper)."""
        paper = self.papers[pos]
        self._by_id.setdefault(paper.id, pos)
        title = _norm(paper.title)
        if title:
            self._by_title.setdefault(title, pos)
        abstract = _norm(paper.abstract)
        if not abstract:
            return
        if abstract not in self._by_abstract:
            self._by_abstract[abstract] = pos
            if len(abstract) >= PREFIX_CHARS:
                self._by_opening.setdefault(abstract[:PREFIX_CHARS], []).append(pos)
            if len(abstract) >= FUZZY_MIN_CHARS:
                self._openings.append(abstract[:FUZZY_CHARS])
                self._opening_owner.append(pos)

    def alias(self, paper_id: str, pos: int) -> None:
        """A paper folded into the one at `pos` keeps answering to its own id."""
        self._by_id.setdefault(paper_id, pos)

    def find(self, paper: Paper) -> int | None:
        if paper.id in self._by_id:
            return self._by_id[paper.id]
        title = _norm(paper.title)
        if title and title in self._by_title:
            return self._by_title[title]
        abstract = _norm(paper.abstract)
        if not abstract:
            return None
        if abstract in self._by_abstract:
            return self._by_abstract[abstract]
        if len(abstract) >= PREFIX_CHARS:
            for pos in self._by_opening.get(abstract[:PREFIX_CHARS], []):
                other = _norm(self.papers[pos].abstract)
                if other.startswith(abstract) or abstract.startswith(other):
                    return pos
        if len(abstract) >= FUZZY_MIN_CHARS and self._openings:
            best = process.extractOne(
                abstract[:FUZZY_CHARS], self._openings, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO
            )
            if best is not None:
                return self._opening_owner[best[2]]
        return None


def combine_papers(kept: Paper, other: Paper) -> Paper:
    """`kept` absorbs `other`: kept's id and venue stay; missing fields are filled; the earliest date wins."""
    abstract = kept.abstract
    if other.abstract and len(other.abstract) > len(abstract or ""):
        abstract = other.abstract
    date = earliest_date(kept.date, other.date)
    years = [y for y in (kept.year, other.year) if y is not None]
    year = year_of(date) or (min(years) if years else None)
    title = kept.title or other.title
    sources = list(kept.sources)
    sources.extend(s for s in _titled(other, title) if s not in sources)
    return kept.model_copy(
        update={
            "title": title,
            "abstract": abstract,
            "date": date,
            "year": year,
            "venue": kept.venue or other.venue,
            "authors": kept.authors or list(other.authors),
            "author_count": kept.author_count if kept.author_count is not None else other.author_count,
            "senior_author": kept.senior_author or other.senior_author,
            "doi": kept.doi or other.doi,
            "url": kept.url or other.url,
            "sources": _unique_sources(sources),
        }
    )


def _titled(other: Paper, kept_title: str | None) -> list[PaperSource]:
    """`other`'s listings, each remembering the title it gave when the merged paper keeps another one."""
    if not other.title or _norm(other.title) == _norm(kept_title):
        return list(other.sources)
    listings = other.sources or [PaperSource(origin="merged listing")]
    return [s if s.title else s.model_copy(update={"title": other.title}) for s in listings]


def _unique_sources(sources: Iterable[PaperSource]) -> list[PaperSource]:
    unique: list[PaperSource] = []
    for source in sources:
        if source not in unique:
            unique.append(source)
    return unique


def merge_papers(existing: list[Paper], incoming: list[Paper]) -> tuple[list[Paper], MergeStats]:
    """Add `incoming` to `existing`, folding duplicates (also duplicates within `incoming`) into one paper."""
    index = _PaperIndex()
    for paper in existing:
        index.add(paper)
    stats = MergeStats()
    for paper in incoming:
        pos = index.find(paper)
        if pos is None:
            index.add(paper)
            stats.new += 1
        else:
            index.papers[pos] = combine_papers(index.papers[pos], paper)
            index.reindex(pos)
            index.alias(paper.id, pos)
            stats.merged += 1
    return index.papers, stats


_SCALARS = ("position", "affiliation", "department", "email", "active_from", "active_to", "about")


def merge_professor(existing: Professor | None, incoming: Professor) -> tuple[Professor, MergeStats]:
    """Fold `incoming` into `existing`: non-empty incoming fields win, lists are unioned, papers de-duplicated."""
    if existing is None:
        papers, stats = merge_papers([], incoming.papers)
        return incoming.model_copy(update={"papers": papers}), stats
    update: dict[str, object] = {
        field: getattr(incoming, field) for field in _SCALARS if getattr(incoming, field) not in (None, "")
    }
    if incoming.kind == "professor":  # a listing attached to a real person makes it a person
        update["kind"] = "professor"
    for field in ("topics", "labs", "education", "awards"):
        update[field] = _union_text(getattr(existing, field), getattr(incoming, field))
    update["coauthors"] = _union_coauthors(existing.coauthors, incoming.coauthors)
    update["external_ids"] = {**existing.external_ids, **incoming.external_ids}
    papers, stats = merge_papers(existing.papers, incoming.papers)
    update["papers"] = papers
    return existing.model_copy(update=update), stats


def _union_text(first: list[str], second: list[str]) -> list[str]:
    seen = {normalize_text(x) for x in first}
    result = list(first)
    for item in second:
        key = normalize_text(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _union_coauthors(first: list[Coauthor], second: list[Coauthor]) -> list[Coauthor]:
    """Same coauthor = same normalised name; the newer record's counts and affiliation win when present."""
    by_name = {normalize_text(c.name): c for c in first}
    order = [normalize_text(c.name) for c in first]
    for coauthor in second:
        key = normalize_text(coauthor.name)
        old = by_name.get(key)
        if old is None:
            order.append(key)
            by_name[key] = coauthor
        else:
            by_name[key] = old.model_copy(
                update={
                    "shared": coauthor.shared if coauthor.shared is not None else old.shared,
                    "affiliation": coauthor.affiliation or old.affiliation,
                }
            )
    return [by_name[key] for key in order]
