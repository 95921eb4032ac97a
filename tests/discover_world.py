"""A mocked OpenAlex for the discover tests: respx routes answering from tests/fixtures/openalex/discover_*.json.

Three places (UCLA by name, Stanford by name, the University of Washington by ROR) and three topics; the works
have faculty, students, a postdoc, an external co-author at ETH Zurich, a professor who moved to a company, one
who stopped publishing, and an author merged into another since the works were indexed (a 301).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openalex"
BASE = "https://api.openalex.org"
SECRET = "oa-discover-key-7d1e5c"
ALLOWANCE = {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0.9871", "X-RateLimit-Credits-Used": "0.001"}
TEXT = (
    "Data selection and coresets for efficient training of large models.\n"
    "Synthetic data for training small language models.\n"
    "Multi-token prediction and reasoning in language models."
)
PLACES = ["--institution", "UCLA", "--institution", "Stanford University", "--institution", "https://ror.org/00cvxb145"]
MERGED_FROM, MERGED_INTO = "A5100000009", "A5100000010"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name: str) -> httpx.Response:
    return httpx.Response(200, json=load(name), headers=ALLOWANCE)


def works_topic(query: str) -> str:
    if "coresets" in query or "selection" in query:
        return "selection"
    return "synthetic" if "synthetic" in query else "reasoning"


def all_works() -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {}
    for topic in ("selection", "synthetic", "reasoning"):
        for work in load(f"discover_works_{topic}.json")["results"]:
            by_id[work["id"]] = work
    return list(by_id.values())


def works(request: httpx.Request) -> httpx.Response:
    """Searches answer by topic; `author.id:` filters (what --ingest asks) answer with that author's works."""
    params = request.url.params
    if "search" in params:
        return answer(f"discover_works_{works_topic(params['search'])}.json")
    author = params["filter"].removeprefix("author.id:")
    ids = {author, MERGED_FROM} if author == MERGED_INTO else {author}  # the merge moved the works too
    owned = [w for w in all_works() if any(a["author"]["id"].rsplit("/", 1)[-1] in ids for a in w["authorships"])]
    meta = {"count": len(owned), "db_response_time_ms": 12, "page": None, "per_page": 100, "next_cursor": None}
    return httpx.Response(200, json={"meta": meta, "results": owned, "group_by": []}, headers=ALLOWANCE)


def author(request: httpx.Request) -> httpx.Response:
    """A singleton author (as --ingest fetches them), from the batch fixture."""
    wanted = request.url.path.rsplit("/", 1)[-1]
    if wanted == MERGED_FROM:
        return httpx.Response(301, headers={"Location": f"{BASE}/authors/{MERGED_INTO}"})
    if wanted == MERGED_INTO:
        return answer("discover_author_A5100000010.json")
    for record in load("discover_authors_batch.json")["results"]:
        if record["id"].endswith(wanted):
            return httpx.Response(200, json=record, headers=ALLOWANCE)
    return httpx.Response(404, json={"error": "Not found", "message": wanted})


def route_world(api: respx.MockRouter) -> dict[str, respx.Route]:
    return {
        "ucla": api.get("/institutions", params={"search": "UCLA"}).mock(
            side_effect=lambda _: answer("discover_institutions_ucla.json")
        ),
        "stanford": api.get("/institutions", params={"search": "Stanford University"}).mock(
            side_effect=lambda _: answer("discover_institutions_stanford.json")
        ),
        "uw": api.get("/institutions/ror:00cvxb145").mock(
            side_effect=lambda _: answer("discover_institution_ror_00cvxb145.json")
        ),
        "works": api.get("/works").mock(side_effect=works),
        "authors": api.get("/authors").mock(side_effect=lambda _: answer("discover_authors_batch.json")),
        "author": api.get(path__regex=r"^/authors/A\d+$").mock(side_effect=author),
    }
