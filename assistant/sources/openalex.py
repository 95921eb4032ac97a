"""OpenAlex: find an author by OpenAlex id, ORCID or name, and read their works as a `Professor` with `Paper`s.

This module is the one seam to the OpenAlex API: every request goes through `openalex_client` (or a client the
caller passes in, which is how tests and the web UI substitute their own) and through `_get_json`, which adds
the polite-pool / key parameters, retries transient faults via `assistant.retry`, and turns every failure into
an `OutreachError` a user can act on.

Choosing an author by name follows one rule, because a wrong guess silently fills the store with a stranger's
papers: we take a candidate only when it is the sole search result, or the sole result whose display name
equals the query once case, accents and punctuation are ignored (`ids.normalize_text`). Anything else —
several exact namesakes, or only partial matches — raises `AmbiguousError` listing the candidates, and the user
re-runs with the OpenAlex id or ORCID. We deliberately do not pick the author with the most works: the
prolific namesake is exactly the wrong person when the user means the junior one.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel

from assistant.errors import AmbiguousError, InputError, NotFoundError, RemoteServiceError
from assistant.ids import normalize_text, paper_id, professor_id
from assistant.retry import call_with_retries
from assistant.settings import Settings
from assistant.types import Paper, PaperSource, Professor

log = logging.getLogger(__name__)

USER_AGENT = "outreach/0.1"
# Not (yet) in Settings: see the module's report. One place to change them.

SEARCH_PAGE_SIZE = 10
WORKS_PAGE_SIZE = 200  # the API's maximum
MAX_TOPICS = 10
WORK_FIELDS = (
    "id,doi,title,display_name,publication_year,publication_date,primary_location,"
    "abstract_inverted_index,authorships,type,open_access"
)
KEY_HELP = "set OPENALEX_API_KEY (free at https://openalex.org/settings/api)"

Progress = Callable[[int, int | None], None]
Json = dict[str, Any]

_AUTHOR_ID = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:authors/)?)?(A\d+)/?$", re.IGNORECASE)
_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/|orcid:)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+", re.IGNORECASE)
# Inline markup OpenAlex keeps in some titles (from Crossref/JATS); a bare "<" as in "p < 0.05" is left alone.
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|scp|u|tt|mml:[a-z]+)(?:\s[^>]*)?>", re.IGNORECASE)


# ---------------------------------------------------------------- the seam


def openalex_client(settings: Settings) -> httpx.Client:
    """The HTTP client for OpenAlex. Merged authors answer with a 301 to their new id, so redirects are followed."""
    _hide_api_key_in_httpx_logs()
    agent = f"{USER_AGENT} (mailto:{settings.openalex_mailto})" if settings.openalex_mailto else USER_AGENT
    return httpx.Client(
        base_url=settings.openalex_base_url,
        timeout=httpx.Timeout(settings.openalex_timeout_s, connect=10.0),
        headers={"User-Agent": agent, "Accept": "application/json"},
        follow_redirects=True,
    )


class _RedactApiKey(logging.Filter):
    """httpx logs every request URL at INFO level, and OpenAlex takes the key in the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message.lower():
            record.msg = _API_KEY_IN_TEXT.sub(r"\1***", message)
            record.args = None
        return True


def _hide_api_key_in_httpx_logs() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactApiKey) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactApiKey())


@contextmanager
def _client_scope(settings: Settings, client: httpx.Client | None) -> Iterator[httpx.Client]:
    """Use the caller's client as is; close only a client we made."""
    if client is not None:
        _hide_api_key_in_httpx_logs()
        yield client
        return
    with openalex_client(settings) as own:
        yield own


def _auth_params(settings: Settings) -> dict[str, str]:
    params: dict[str, str] = {}
    if settings.openalex_mailto:
        params["mailto"] = settings.openalex_mailto
    if settings.openalex_api_key is not None and settings.openalex_api_key.get_secret_value():
        params["api_key"] = settings.openalex_api_key.get_secret_value()
    return params


def _get_json(
    client: httpx.Client,
    settings: Settings,
    path: str,
    params: dict[str, str | int] | None = None,
    *,
    not_found: str | None = None,
) -> Json:
    """GET `path` with retries; a JSON object back, or an OutreachError saying what to do."""
    shown = f"{path}?{urlencode(params)}" if params else path  # never includes the key
    log.debug("OpenAlex GET %s", shown)
    attempts = 0

    def once() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        response = client.get(path, params={**(params or {}), **_auth_params(settings)})
        response.raise_for_status()  # so retry.py sees the status (and Retry-After) of a failure
        return response

    try:
        response = call_with_retries(
            once, what="OpenAlex", attempts=settings.openalex_max_attempts, max_backoff=settings.openalex_max_backoff_s
        )
    except httpx.HTTPStatusError as exc:
        # `from None`: the httpx message carries the full URL, key included.
        raise _status_error(exc.response, path, attempts, settings, not_found) from None
    except httpx.HTTPError as exc:
        raise RemoteServiceError(
            f"could not reach OpenAlex at {settings.openalex_base_url}{path} after {attempts} attempt(s) "
            f"({type(exc).__name__}: {_redact(str(exc), settings)}); check your network and OPENALEX_BASE_URL, "
            "or try later",
            attempts=attempts,
        ) from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RemoteServiceError(
            f"OpenAlex returned malformed JSON for {path} (HTTP {response.status_code}); try later, "
            "or check OPENALEX_BASE_URL points at the OpenAlex API",
            status=response.status_code,
            attempts=attempts,
        )
    return data


def _status_error(
    response: httpx.Response, path: str, attempts: int, settings: Settings, not_found: str | None
) -> NotFoundError | RemoteServiceError:
    status = response.status_code
    if status == 404 and not_found:
        return NotFoundError(not_found)
    said = _server_message(response, settings)
    has_key = settings.openalex_api_key is not None
    if status == 429:
        hint = (
            "your OPENALEX_API_KEY's daily allowance may be spent; try later"
            if has_key
            else f"{KEY_HELP} and OPENALEX_MAILTO, or try later"
        )
        message = f"OpenAlex rate limit (HTTP 429) persisted after {attempts} attempts; {hint}"
    elif status in (401, 403):
        hint = "check OPENALEX_API_KEY" if has_key else KEY_HELP
        message = f"OpenAlex refused the request to {path} (HTTP {status}{said}); {hint}, or slow down and try later"
    elif attempts > 1:  # a transient status (5xx, 408...) that outlasted the retries
        kind = "server error" if status >= 500 else "error"
        message = f"OpenAlex {kind} (HTTP {status}{said}) persisted after {attempts} attempts on {path}; try later"
    else:
        message = f"OpenAlex rejected the request to {path} (HTTP {status}{said}); likely a bug, please report it"
    return RemoteServiceError(message, status=status, attempts=attempts)


def _server_message(response: httpx.Response, settings: Settings) -> str:
    """OpenAlex explains errors as {"error": ..., "message": ...}; quote it briefly, key-free."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = _str(body.get("message")) or _str(body.get("error"))
    return f": {_redact(text, settings)[:200]}" if text else ""


def _redact(text: str, settings: Settings) -> str:
    key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else ""
    text = _API_KEY_IN_TEXT.sub(r"\1***", text)
    return text.replace(key, "***") if key else text


# ---------------------------------------------------------------- authors


class AuthorCandidate(BaseModel):
    id: str  # the short OpenAlex id, "A5023888391"
    name: str
    institution: str | None = None
    works_count: int = 0
    cited_by_count: int = 0
    orcid: str | None = None  # bare, "0000-0002-1825-0097"

    def describe(self) -> str:
        """How the candidate is listed when a name is ambiguous."""
        return f"{self.name} — {self.institution or 'institution unknown'} — {self.works_count} works — {self.id}"


@dataclass(frozen=True)
class _Query:
    kind: Literal["id", "orcid", "name"]
    value: str


def _parse_query(query: str) -> _Query:
    text = " ".join(query.split())
    if not text:
        raise InputError("give an author's name, ORCID or OpenAlex id (e.g. A5023888391)")
    if match := _AUTHOR_ID.match(text):
        return _Query("id", match.group(1).upper())
    if match := _ORCID.match(text):
        return _Query("orcid", match.group(1).upper())
    return _Query("name", text)


def resolve_author(query: str, settings: Settings, *, client: httpx.Client | None = None) -> AuthorCandidate:
    """The one OpenAlex author `query` (an OpenAlex id or URL, an ORCID, or a name) designates."""
    with _client_scope(settings, client) as http:
        return _candidate(_lookup_author(query, settings, http))


def _lookup_author(query: str, settings: Settings, client: httpx.Client) -> Json:
    parsed = _parse_query(query)
    if parsed.kind == "id":
        return _get_json(client, settings, f"/authors/{parsed.value}", not_found=f"no OpenAlex author {parsed.value}")
    if parsed.kind == "orcid":
        return _get_json(
            client,
            settings,
            f"/authors/orcid:{parsed.value}",
            not_found=f"no OpenAlex author with ORCID {parsed.value}; check the ORCID, or search by name",
        )
    page = _get_json(client, settings, "/authors", {"search": parsed.value, "per-page": SEARCH_PAGE_SIZE})
    return _pick_by_name(parsed.value, _results(page, "/authors"), _dict(page.get("meta")).get("count"))


def _pick_by_name(name: str, results: list[Json], total: object) -> Json:
    """The module docstring states the rule; this is it."""
    if not results:
        raise NotFoundError(
            f'no OpenAlex author matches "{name}"; check the spelling, or use their ORCID or OpenAlex id'
        )
    if len(results) == 1:
        return results[0]
    wanted = normalize_text(name)
    exact = [r for r in results if normalize_text(_str(r.get("display_name")) or "") == wanted]
    if len(exact) == 1:
        return exact[0]
    listed = [_candidate(r) for r in exact + [r for r in results if r not in exact]]
    truncated = isinstance(total, int) and total > len(results)
    shown = f"the first {len(results)} of {total}" if truncated else f"the {len(results)}"
    raise AmbiguousError(
        f'{len(exact) or "no"} OpenAlex authors are named exactly "{name}" among {shown} matches, '
        "so we will not guess. Re-run with the OpenAlex id or ORCID of the one you mean, "
        f"e.g. `outreach ingest openalex {listed[0].id}`.",
        candidates=[c.describe() for c in listed],
    )


def _candidate(author: Json) -> AuthorCandidate:
    openalex_id = _short_id(_str(author.get("id")))
    if not openalex_id:
        raise RemoteServiceError("OpenAlex returned an author record without an id; try later")
    return AuthorCandidate(
        id=openalex_id,
        name=_str(author.get("display_name")) or openalex_id,
        institution=_institution(author),
        works_count=_int(author.get("works_count")) or 0,
        cited_by_count=_int(author.get("cited_by_count")) or 0,
        orcid=_short_id(_str(author.get("orcid"))),
    )


def _institution(author: Json) -> str | None:
    for institution in _list(author.get("last_known_institutions")):
        if name := _str(_dict(institution).get("display_name")):
            return name
    return _str(_dict(author.get("last_known_institution")).get("display_name"))  # the field before 2024


def _topics(author: Json) -> list[str]:
    names = [_str(_dict(t).get("display_name")) for t in _list(author.get("topics"))]
    if not any(names):  # records from before topics existed carry concepts
        names = [_str(_dict(c).get("display_name")) for c in _list(author.get("x_concepts"))]
    return list(dict.fromkeys(n for n in names if n))[:MAX_TOPICS]


# ---------------------------------------------------------------- works


def fetch_professor(
    query: str,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    max_works: int | None = None,
    progress: Progress | None = None,
) -> Professor:
    """Resolve the author, then read up to `max_works` of their works, newest first, into a Professor."""
    limit = settings.openalex_max_works if max_works is None else max_works
    if limit < 1:
        raise InputError(f"--max-works must be at least 1 (got {limit})")
    with _client_scope(settings, client) as http:
        author = _lookup_author(query, settings, http)
        candidate = _candidate(author)
        works = _fetch_works(http, settings, candidate.id, limit, progress)
    papers = works_to_papers(works, author_id=candidate.id)
    log.info("OpenAlex: %s (%s): %d works read, %d papers kept", candidate.name, candidate.id, len(works), len(papers))
    return _professor(author, candidate, papers)


def _fetch_works(
    client: httpx.Client, settings: Settings, author_id: str, limit: int, progress: Progress | None
) -> list[Json]:
    """Follow the cursor until it runs out, a page comes back empty, or we hold `limit` works."""
    works: list[Json] = []
    cursor: str | None = "*"
    total: int | None = None
    while cursor and len(works) < limit:
        params: dict[str, str | int] = {
            "filter": f"author.id:{author_id}",
            "per-page": min(WORKS_PAGE_SIZE, limit),
            "cursor": cursor,
            "sort": "publication_date:desc",
            "select": WORK_FIELDS,
        }
        page = _get_json(client, settings, "/works", params)
        results = _results(page, "/works")
        if not results:
            break
        works.extend(results)
        meta = _dict(page.get("meta"))
        count = _int(meta.get("count"))
        total = min(count, limit) if count is not None else total
        if progress:
            progress(min(len(works), limit), total)
        next_cursor = _str(meta.get("next_cursor"))
        cursor = None if next_cursor == cursor else next_cursor  # a server repeating a cursor must not loop us
    return works[:limit]


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
    title = _clean_title(_str(work.get("title")) or _str(work.get("display_name")))
    index = work.get("abstract_inverted_index")
    abstract = rebuild_abstract(index if isinstance(index, dict) else None)
    try:
        pid = paper_id(title, abstract)
    except ValueError:  # nothing usable once normalised
        return None
    location = _dict(work.get("primary_location"))
    venue = _str(_dict(location.get("source")).get("display_name"))
    doi = _bare_doi(_str(work.get("doi")))
    url = _str(location.get("landing_page_url")) or (f"https://doi.org/{doi}" if doi else None)
    date = _str(work.get("publication_date"))
    authorships = [_dict(a) for a in _list(work.get("authorships"))]
    authors = [name for a in authorships if (name := _str(_dict(a.get("author")).get("display_name")))]
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        year=_int(work.get("publication_year")),
        date=date,
        venue=venue,
        authors=authors,
        # List responses cut authorships at 100; then the true count is unknown.
        author_count=None if work.get("is_authors_truncated") else len(authorships),
        senior_author=_is_last_author(authorships, author_id),
        doi=doi,
        url=url,
        sources=[
            PaperSource(
                origin="openalex",
                venue=venue,
                date=date,
                kind=_str(work.get("type")),
                open_access=_bool(_dict(work.get("open_access")).get("is_oa")),
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
        a.get("author_position") == "last" and _short_id(_str(_dict(a.get("author")).get("id"))) == author_id
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


# ---------------------------------------------------------------- reading untrusted JSON


def _results(page: Json, path: str) -> list[Json]:
    results = page.get("results")
    if not isinstance(results, list):
        raise RemoteServiceError(f"OpenAlex returned malformed JSON for {path}: no results list; try later")
    return [r for r in results if isinstance(r, dict)]


def _dict(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _short_id(url: str | None) -> str | None:
    """The last path segment: https://openalex.org/A123 -> A123, https://orcid.org/0000-… -> 0000-…"""
    return (url.rstrip("/").rsplit("/", 1)[-1] or None) if url else None


def _bare_doi(doi: str | None) -> str | None:
    return (_DOI_PREFIX.sub("", doi) or None) if doi else None


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    return " ".join(_INLINE_TAG.sub("", html.unescape(title)).split()) or None
