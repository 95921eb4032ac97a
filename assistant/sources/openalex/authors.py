"""OpenAlex authors: one author by OpenAlex id, ORCID or name (names.py states the rule for names), and many
authors by id in batched list calls."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from assistant.errors import AmbiguousError, InputError, NotFoundError, RemoteServiceError
from assistant.settings import Settings
from assistant.sources.openalex.client import OpenAlexSession, session_scope
from assistant.sources.openalex.names import exact_first, exact_matches, sole_choice
from assistant.sources.openalex.parse import Json, as_dict, as_int, as_list, as_str, results_of, short_id

log = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 10
# OR-ed values in one filter: the documented batch size ("squish 50 requests into one").
IDS_PER_CALL = 50
AUTHOR_FIELDS = (
    "id,display_name,orcid,works_count,cited_by_count,summary_stats,last_known_institutions,affiliations,counts_by_year"
)

_AUTHOR_ID = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:authors/)?)?(A\d+)/?$", re.IGNORECASE)
_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/|orcid:)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.IGNORECASE)


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


def resolve_author(query: str, settings: Settings, *, session: OpenAlexSession | None = None) -> AuthorCandidate:
    """The one OpenAlex author `query` (an OpenAlex id or URL, an ORCID, or a name) designates."""
    with session_scope(settings, session) as api:
        return author_candidate(lookup_author(query, api))


def lookup_author(query: str, session: OpenAlexSession) -> Json:
    parsed = _parse_query(query)
    if parsed.kind == "id":
        return session.get_json(f"/authors/{parsed.value}", not_found=f"no OpenAlex author {parsed.value}")
    if parsed.kind == "orcid":
        return session.get_json(
            f"/authors/orcid:{parsed.value}",
            not_found=f"no OpenAlex author with ORCID {parsed.value}; check the ORCID, or search by name",
        )
    page = session.get_json("/authors", {"search": parsed.value, "per_page": SEARCH_PAGE_SIZE})
    return _pick_by_name(parsed.value, results_of(page, "/authors"), as_dict(page.get("meta")).get("count"))


def _display_name(record: Json) -> list[str | None]:
    return [as_str(record.get("display_name"))]


def _pick_by_name(name: str, results: list[Json], total: object) -> Json:
    if not results:
        raise NotFoundError(
            f'no OpenAlex author matches "{name}"; check the spelling, or use their ORCID or OpenAlex id'
        )
    if (chosen := sole_choice(name, results, [_display_name])) is not None:
        return chosen
    listed = [author_candidate(r) for r in exact_first(name, results, _display_name)]
    exact = len(exact_matches(name, results, _display_name))
    truncated = isinstance(total, int) and total > len(results)
    shown = f"the first {len(results)} of {total}" if truncated else f"the {len(results)}"
    raise AmbiguousError(
        f'{exact or "no"} OpenAlex authors are named exactly "{name}" among {shown} matches, '
        "so we will not guess. Re-run with the OpenAlex id or ORCID of the one you mean, "
        f"e.g. `outreach ingest openalex {listed[0].id}`.",
        candidates=[c.describe() for c in listed],
    )


def author_candidate(author: Json) -> AuthorCandidate:
    openalex_id = short_id(as_str(author.get("id")))
    if not openalex_id:
        raise RemoteServiceError("OpenAlex returned an author record without an id; try later")
    return AuthorCandidate(
        id=openalex_id,
        name=as_str(author.get("display_name")) or openalex_id,
        institution=last_institution_name(author),
        works_count=as_int(author.get("works_count")) or 0,
        cited_by_count=as_int(author.get("cited_by_count")) or 0,
        orcid=short_id(as_str(author.get("orcid"))),
    )


def last_known_institutions(author: Json) -> list[Json]:
    institutions = [as_dict(i) for i in as_list(author.get("last_known_institutions"))]
    legacy = as_dict(author.get("last_known_institution"))  # the field before 2024
    return [i for i in institutions if i] or ([legacy] if legacy else [])


def last_institution_name(author: Json) -> str | None:
    for institution in last_known_institutions(author):
        if name := as_str(institution.get("display_name")):
            return name
    return None


# ---------------------------------------------------------------- many authors by id


def lookup_authors(ids: Sequence[str], session: OpenAlexSession) -> dict[str, Json]:
    """Author records by OpenAlex id, up to 50 per list call. An id the batch does not answer for — typically an
    author merged into another — is then looked up alone (a free singleton), which follows the 301 to the record
    it now belongs to; the record is returned under the id that was asked for."""
    found: dict[str, Json] = {}
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), IDS_PER_CALL):
        chunk = wanted[start : start + IDS_PER_CALL]
        params: dict[str, str | int] = {
            "filter": "ids.openalex:" + "|".join(chunk),
            "per_page": len(chunk),
            "select": AUTHOR_FIELDS,
        }
        for record in results_of(session.get_json("/authors", params), "/authors"):
            if (author_id := short_id(as_str(record.get("id")))) in chunk:
                found[author_id] = record
        for missing in [i for i in chunk if i not in found]:
            try:
                found[missing] = session.get_json(f"/authors/{missing}", {"select": AUTHOR_FIELDS}, not_found="gone")
            except NotFoundError:
                log.info("OpenAlex: author %s no longer exists; left out", missing)
    return found


def batch_count(n_ids: int) -> int:
    """List calls `lookup_authors` makes for `n_ids` ids (merged authors add free singletons)."""
    return -(-n_ids // IDS_PER_CALL)
