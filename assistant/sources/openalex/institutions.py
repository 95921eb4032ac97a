"""OpenAlex institutions: one institution by OpenAlex id (I…), ROR, or name (names.py states the rule)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from assistant.errors import AmbiguousError, InputError, NotFoundError, RemoteServiceError
from assistant.sources.openalex.client import OpenAlexSession, Request
from assistant.sources.openalex.names import exact_first, sole_choice
from assistant.sources.openalex.parse import Json, as_list, as_str, results_of, short_id

SEARCH_PAGE_SIZE = 10
INSTITUTION_FIELDS = "id,display_name,ror,country_code,type,display_name_acronyms,display_name_alternatives"

_INSTITUTION_ID = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:institutions/)?)?(I\d+)/?$", re.IGNORECASE)
# A ROR id is a 0, six Crockford base-32 characters and a two-digit checksum (https://ror.readme.io/docs/identifier).
_ROR = re.compile(r"^(?:https?://(?:www\.)?ror\.org/|ror:)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})/?$", re.IGNORECASE)


class Institution(BaseModel):
    id: str  # the short OpenAlex id, "I161318765"
    name: str
    country_code: str | None = None
    type: str | None = None  # education, company, facility, healthcare, government, nonprofit, archive, other
    ror: str | None = None

    def describe(self) -> str:
        """How the institution is listed when a name is ambiguous."""
        return f"{self.name} — {self.country_code or 'country unknown'} — {self.type or 'type unknown'} — {self.id}"


def institution_request(query: str, countries: Sequence[str] = ()) -> Request:
    """The one request that resolves `query`: a free singleton for an id or ROR, a search for a name (narrowed
    to `countries` when given, which often settles an ambiguous name)."""
    text = " ".join(query.split())
    if not text:
        raise InputError("give an institution's name, ROR (https://ror.org/…) or OpenAlex id (I…)")
    select: dict[str, str | int] = {"select": INSTITUTION_FIELDS}
    if match := _INSTITUTION_ID.match(text):
        return Request(f"/institutions/{match.group(1).upper()}", select)
    if match := _ROR.match(text):
        return Request(f"/institutions/ror:{match.group(1).lower()}", select)
    params: dict[str, str | int] = {"search": text, "per_page": SEARCH_PAGE_SIZE, **select}
    if countries:
        params["filter"] = "country_code:" + "|".join(c.lower() for c in countries)
    return Request("/institutions", params)


def resolve_institution(query: str, session: OpenAlexSession, countries: Sequence[str] = ()) -> Institution:
    request = institution_request(query, countries)
    data = session.get_json(request.path, request.params, not_found=f"no OpenAlex institution {query.strip()}")
    return institution_from_answer(query, request, data)


def institution_from_answer(query: str, request: Request, data: Json) -> Institution:
    """The institution an answer to `institution_request(query)` designates (also used on cached answers)."""
    if "search" not in request.params:
        return _institution(data)
    name = " ".join(query.split())
    results = results_of(data, request.path)
    if not results:
        where = f" in {request.params['filter']}" if "filter" in request.params else ""
        raise NotFoundError(f'no OpenAlex institution matches "{name}"{where}; check the spelling, or give its ROR')
    if (chosen := sole_choice(name, results, [_display_name, _other_names])) is not None:
        return _institution(chosen)
    listed = [_institution(r) for r in exact_first(name, results, _display_name)]
    raise AmbiguousError(
        f'"{name}" matches {len(results)} OpenAlex institutions, so we will not guess. Re-run with the OpenAlex id '
        f"or ROR of the one you mean, e.g. `--institution {listed[0].id}` (or add --country to narrow the search).",
        candidates=[i.describe() for i in listed],
    )


def _display_name(record: Json) -> list[str | None]:
    return [as_str(record.get("display_name"))]


def _other_names(record: Json) -> list[str | None]:
    names = as_list(record.get("display_name_acronyms")) + as_list(record.get("display_name_alternatives"))
    return [as_str(n) for n in names]


def _institution(record: Json) -> Institution:
    openalex_id = short_id(as_str(record.get("id")))
    if not openalex_id:
        raise RemoteServiceError("OpenAlex returned an institution record without an id; try later")
    country = as_str(record.get("country_code"))
    return Institution(
        id=openalex_id,
        name=as_str(record.get("display_name")) or openalex_id,
        country_code=country.upper() if country else None,
        type=as_str(record.get("type")),
        ror=short_id(as_str(record.get("ror"))),
    )


def institution_ids(record: Json) -> set[str]:
    """The institution of a (dehydrated) institution object and every parent in its lineage, as short ids."""
    ids = {short_id(as_str(record.get("id")))} | {short_id(as_str(p)) for p in as_list(record.get("lineage"))}
    return {i for i in ids if i}
