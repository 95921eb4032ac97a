"""OpenAlex (https://api.openalex.org): authors, their works, institutions and works search.

`client.py` is the one seam to the API: every request goes through `OpenAlexSession.get_json` (key, optional
cache, call meter, merged-entity redirects, retries, errors a user can act on). The other modules read entities:
`authors.py` (one author by id, ORCID or name; many by id), `works.py` (an author's works as a `Professor`;
works search), `institutions.py` (one institution by id, ROR or name). API facts relied on here were checked on
2026-12-01 against developers.openalex.org: a key is required since 2026-02-13, calls are priced by tier against
a daily allowance (meter.py), pages hold at most 100 results.
"""

from assistant.sources.openalex.authors import AuthorCandidate, lookup_authors, resolve_author
from assistant.sources.openalex.client import OpenAlexSession, Request, openalex_client, require_key
from assistant.sources.openalex.institutions import Institution, resolve_institution
from assistant.sources.openalex.works import (
    fetch_professor,
    rebuild_abstract,
    search_works,
    work_to_paper,
    works_to_papers,
)

__all__ = [
    "AuthorCandidate",
    "Institution",
    "OpenAlexSession",
    "Request",
    "fetch_professor",
    "lookup_authors",
    "openalex_client",
    "rebuild_abstract",
    "require_key",
    "resolve_author",
    "resolve_institution",
    "search_works",
    "work_to_paper",
    "works_to_papers",
]
