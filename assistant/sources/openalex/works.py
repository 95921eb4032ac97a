"""OpenAlex works: an author's works read into a `Professor` with `Paper`s, and full-text search of works."""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.errors import InputError
from assistant.ids import paper_id, professor_id
from assistant.settings import Settings
from assistant.sources.openalex.authors import AuthorCandidate, author_candidate, lookup_author
from assistant.sources.openalex.client import OpenAlexSession, Request, session_scope
from assistant.sources.openalex.parse import (
    Json,
    as_bool,
    as_dict,
    as_int,
    as_list,
    as_str,
    bare_doi,
    clean_title,
    results_of,
    short_id,
)
from assistant.types import Paper, PaperSource, Professor

log = logging.getLogger(__name__)

# The API's maximum per page since 2026 (it was 200): developers.openalex.org/guides/page-through-results,
# checked 2026-12-01.
PAGE_SIZE = 100
MAX_TOPICS = 10
WORK_FIELDS = (
    "id,doi,title,display_name,publication_year,publication_date,primary_location,"
    "abstract_inverted_index,authorships,type,open_access"
)

Progress = Callable[[int, int | None], None]


def fetch_professor(
    query: str,
    settings: Settings,
    *,
    session: OpenAlexSession | None = None,
    max_works: int | None = None,
    progress: Progress | None = None,
) -> Professor:
    """Resolve the author, then read up to `max_works` of their works, newest first, into a Professor."""
    limit = settings.openalex_max_works if max_works is None else max_works
    if limit < 1:
        raise InputError(f"--max-works must be at least 1 (got {limit})")
    with session_scope(settings, session) as api:
        author = lookup_author(query, api)
        candidate = author_candidate(author)
        works = _fetch_works(api, candidate.id, limit, progress)
    papers = works_to_papers(works, author_id=candidate.id)
    log.info("OpenAlex: %s (%s): %d works read, %d papers kept", candidate.name, candidate.id, len(works), len(papers))
    return _professor(author, candidate, papers)


def works_pages(works_count: int, limit: int) -> int:
    """List calls `fetch_professor` needs for an author with `works_count` works (besides the free lookup)."""
    return max(1, -(-min(works_count, limit) // PAGE_SIZE))


def _fetch_works(session: OpenAlexSession, author_id: str, limit: int, progress: Progress | None) -> list[Json]:
    """Follow the cursor until it runs out, a page comes back empty, or we hold `limit` works."""
    works: list[Json] = []
    cursor: str | None = "*"
    total: int | None = None
    while cursor and len(works) < limit:
        params: dict[str, str | int] = {
            "filter": f"author.id:{author_id}",
            "per_page": min(PAGE_SIZE, limit),
            "cursor": cursor,
            "sort": "publication_date:desc",
            "select": WORK_FIELDS,
        }
        page = session.get_json("/works", params)
        results = results_of(page, "/works")
        if not results:
            break
        works.extend(results)
        meta = as_dict(page.get("meta"))
        count = as_int(meta.get("count"))
        total = min(count, limit) if count is not None else total
        if progress:
            progress(min(len(works), limit), total)
        next_cursor = as_str(meta.get("next_cursor"))
        cursor = None if next_cursor == cursor else next_cursor  # a server repeating a cursor must not loop us
    return works[:limit]


# ---------------------------------------------------------------- search


def search_pages(limit: int) -> int:
    """Calls a works search needs for its `limit` most relevant works, at most."""
    return -(-limit // min(PAGE_SIZE, limit))


def search_requests(query: str, filters: str, limit: int) -> list[Request]:
    """The pages of `/works?search=` that hold the `limit` most relevant works (relevance is the default order
    of a search). Basic paging, so every page's URL is known before the first call: the plan can count them and
    the cache can answer them."""
    per_page = min(PAGE_SIZE, limit)
    pages = search_pages(limit)
    return [
        Request(
            "/works",
            {"search": query, "filter": filters, "per_page": per_page, "page": page, "select": WORK_FIELDS},
        )
        for page in range(1, pages + 1)
    ]


def search_works(query: str, filters: str, limit: int, session: OpenAlexSession) -> list[Json]:
    """Up to `limit` works matching `query` (title, abstract, full text) under `filters`, most relevant first."""
    works: list[Json] = []
    for request in search_requests(query, filters, limit):
        results = results_of(session.get_json(request.path, request.params), request.path)
        works.extend(results)
        if len(results) < int(request.params["per_page"]):  # the last page: asking for the next costs a call
            break
    return works[:limit]


# ---------------------------------------------------------------- works as papers


def works_to_papers(works: list[Json], *, author_id: str | None = None) -> list[Paper]:
    """Papers from OpenAlex works, first listing wins; a repeat (a preprint of the same abstract) adds its source."""
    papers: dict[str, Paper] = {}
    for work in works:
        paper = work_to_paper(work, author_id=author_id)
        if paper is None:
            log.debug("OpenAlex: skipped %s: no title or abstract", work.get("id"))
            continue
        kept = papers.setdefault(paper.id, paper)
        if kept is not paper and paper.sources[0] not in kept.sources:
            kept.sources.append(paper.sources[0])
    return list(papers.values())


def work_to_paper(work: Json, *, author_id: str | None = None) -> Paper | None:
    """One OpenAlex work as a Paper, or None when it has neither a title nor an abstract."""
    title = clean_title(as_str(work.get("title")) or as_str(work.get("display_name")))
    index = work.get("abstract_inverted_index")
    abstract = rebuild_abstract(index if isinstance(index, dict) else None)
    try:
        pid = paper_id(title, abstract)
    except ValueError:  # nothing usable once normalised
        return None
    location = as_dict(work.get("primary_location"))
    venue = as_str(as_dict(location.get("source")).get("display_name"))
    doi = bare_doi(as_str(work.get("doi")))
    url = as_str(location.get("landing_page_url")) or (f"https://doi.org/{doi}" if doi else None)
    date = as_str(work.get("publication_date"))
    authorships = [as_dict(a) for a in as_list(work.get("authorships"))]
    authors = [name for a in authorships if (name := as_str(as_dict(a.get("author")).get("display_name")))]
    openalex = short_id(as_str(work.get("id")))
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        year=as_int(work.get("publication_year")),
        date=date,
        venue=venue,
        authors=authors,
        # List responses cut authorships at 100; then the true count is unknown.
        author_count=None if work.get("is_authors_truncated") else len(authorships),
        senior_author=_is_last_author(authorships, author_id),
        doi=doi,
        url=url,
        external_ids={"openalex": openalex} if openalex else {},
        sources=[
            PaperSource(
                origin="openalex",
                venue=venue,
                date=date,
                kind=as_str(work.get("type")),
                open_access=as_bool(as_dict(work.get("open_access")).get("is_oa")),
                url=url,
                doi=doi,
            )
        ],
    )


def _is_last_author(authorships: list[Json], author_id: str | None) -> bool:
    """Senior authorship as most fields mark it: last place on a paper with co-authors."""
    if not author_id or len(authorships) < 2:
        return False
    return any(
        a.get("author_position") == "last" and short_id(as_str(as_dict(a.get("author")).get("id"))) == author_id
        for a in authorships
    )


def rebuild_abstract(inverted_index: dict[str, list[int]] | None) -> str | None:
    """OpenAlex ships abstracts as {word: [positions]}; put each word back at its positions."""
    if not inverted_index:
        return None
    at: dict[int, str] = {}
    for word, positions in inverted_index.items():
        for position in positions or []:
            if isinstance(position, int) and position >= 0:
                at[position] = word
    text = " ".join(at[p] for p in sorted(at)).strip()
    return text or None


def _professor(author: Json, candidate: AuthorCandidate, papers: list[Paper]) -> Professor:
    try:
        pid = professor_id(candidate.name)
    except ValueError:  # a name with no Latin letters: fall back on the OpenAlex id
        pid = professor_id(f"openalex {candidate.id}")
    external_ids = {"openalex": candidate.id}
    if candidate.orcid:
        external_ids["orcid"] = candidate.orcid
    return Professor(
        id=pid,
        name=candidate.name,
        affiliation=candidate.institution,
        topics=_topics(author),
        external_ids=external_ids,
        papers=papers,
    )


def _topics(author: Json) -> list[str]:
    names = [as_str(as_dict(t).get("display_name")) for t in as_list(author.get("topics"))]
    if not any(names):  # records from before topics existed carry concepts
        names = [as_str(as_dict(c).get("display_name")) for c in as_list(author.get("x_concepts"))]
    return list(dict.fromkeys(n for n in names if n))[:MAX_TOPICS]
