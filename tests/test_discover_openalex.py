"""The OpenAlex pieces discover stands on, against canned responses (respx): institutions, works search with
paging, author batches and merged authors, and the seam's cache, meter, redirects and daily-allowance 429."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from assistant.errors import AmbiguousError, NotFoundError, RemoteServiceError
from assistant.settings import Settings, reset_settings_cache
from assistant.sources.openalex import OpenAlexSession, lookup_authors, resolve_institution, search_works
from assistant.sources.openalex import works as works_module
from assistant.sources.openalex.cache import ResponseCache, request_url
from assistant.sources.openalex.meter import CallBudgetExceeded, Meter, classify
from tests.discover_world import ALLOWANCE, BASE, MERGED_FROM, MERGED_INTO, SECRET, load


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]) -> Settings:
    monkeypatch.setenv("OPENALEX_API_KEY", SECRET)
    reset_settings_cache()
    return Settings()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def session(keyed: Settings) -> Iterator[OpenAlexSession]:
    with OpenAlexSession(keyed) as own:
        yield own


# ---------------------------------------------------------------- institutions


@pytest.mark.parametrize("query", ["University of California, Los Angeles", "ucla", "UC Los Angeles"])
def test_an_institution_name_resolves_by_display_name_then_acronym_or_alternative(
    api: respx.MockRouter, session: OpenAlexSession, query: str
) -> None:
    route = api.get("/institutions").respond(json=load("discover_institutions_ucla.json"))

    institution = resolve_institution(query, session)

    assert (institution.id, institution.country_code, institution.type) == ("I161318765", "US", "education")
    assert institution.ror == "046rm7j60"
    params = route.calls.last.request.url.params
    assert (params["search"], params["per_page"]) == (query, "10")
    assert set(params["select"].split(",")) == {
        "id", "display_name", "ror", "country_code", "type", "display_name_acronyms", "display_name_alternatives"
    }  # fmt: skip


def test_an_ambiguous_institution_lists_country_and_type_and_refuses_to_guess(
    api: respx.MockRouter, session: OpenAlexSession
) -> None:
    api.get("/institutions").respond(json=load("discover_institutions_ambiguous.json"))

    with pytest.raises(AmbiguousError, match="so we will not guess") as caught:
        resolve_institution("Trinity College", session)

    assert caught.value.candidates == [
        "Trinity College — US — education — I35777872",
        "Trinity College — AU — other — I4210148453",
        "Trinity College Dublin — IE — education — I205274468",
    ]
    assert "--institution I35777872" in str(caught.value)


def test_a_country_narrows_the_institution_search(api: respx.MockRouter, session: OpenAlexSession) -> None:
    route = api.get("/institutions").respond(json=load("discover_institutions_stanford.json"))

    assert resolve_institution("Stanford University", session, ["US", "gb"]).id == "I97018004"
    assert route.calls.last.request.url.params["filter"] == "country_code:us|gb"


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("https://ror.org/00cvxb145", "/institutions/ror:00cvxb145"),
        ("00CVXB145", "/institutions/ror:00cvxb145"),
        ("I201448701", "/institutions/I201448701"),
        ("https://openalex.org/i201448701", "/institutions/I201448701"),
    ],
)
def test_a_ror_or_an_openalex_id_is_a_free_singleton(
    api: respx.MockRouter, session: OpenAlexSession, query: str, path: str
) -> None:
    route = api.get(path).respond(json=load("discover_institution_ror_00cvxb145.json"))

    assert resolve_institution(query, session).name == "University of Washington"
    assert route.call_count == 1
    assert session.meter.made == {"singleton": 1}


def test_no_institution_found_says_so(api: respx.MockRouter, session: OpenAlexSession) -> None:
    api.get("/institutions").respond(json={"meta": {"count": 0, "per_page": 10, "page": 1}, "results": []})

    with pytest.raises(NotFoundError, match='no OpenAlex institution matches "Hogwarts" in country_code:gb'):
        resolve_institution("Hogwarts", session, ["GB"])


# ---------------------------------------------------------------- works search and authors


def test_works_search_pages_until_a_short_page(
    api: respx.MockRouter, session: OpenAlexSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(works_module, "PAGE_SIZE", 2)  # the fixtures are small; the API's pages hold 100
    works = load("discover_works_selection.json")["results"]
    full = {"meta": {"count": 3, "page": 1, "per_page": 2}, "results": works[:2], "group_by": []}
    short = {"meta": {"count": 3, "page": 2, "per_page": 2}, "results": works[2:], "group_by": []}
    route = api.get("/works").mock(side_effect=[httpx.Response(200, json=full), httpx.Response(200, json=short)])

    found = search_works("coresets OR pruning", "from_publication_date:2021-01-01", 6, session)

    assert [w["id"][-11:] for w in found] == ["W4400000001", "W4400000002", "W4400000003"]
    assert [c.request.url.params["page"] for c in route.calls] == ["1", "2"]  # no third page after a short one
    assert session.meter.made == {"search": 2}


def test_authors_come_fifty_to_a_list_call_and_a_merged_one_follows_its_301_with_the_key(
    api: respx.MockRouter, session: OpenAlexSession
) -> None:
    batch = api.get("/authors").respond(json=load("discover_authors_batch.json"))
    moved = api.get(f"/authors/{MERGED_FROM}").respond(301, headers={"Location": f"/authors/{MERGED_INTO}"})
    target = api.get(f"/authors/{MERGED_INTO}").respond(json=load("discover_author_A5100000010.json"))
    gone = api.get(path__regex=r"^/authors/A6\d+$").respond(404, json={"error": "Not found", "message": "gone"})
    ids = [f"A50000000{n:02d}" for n in range(1, 9)] + [MERGED_FROM] + [f"A6{n:010d}" for n in range(51)]

    records = lookup_authors(ids, session)

    assert batch.call_count == 2  # 60 ids: 50 + 10
    first = batch.calls[0].request.url.params
    assert len(first["filter"].removeprefix("ids.openalex:").split("|")) == 50 and first["per_page"] == "50"
    assert records[MERGED_FROM]["display_name"] == "Daniel Ortiz"  # under the id that was asked for
    assert target.calls.last.request.url.params["api_key"] == SECRET  # the key went along with the redirect
    assert moved.call_count == 1
    assert len(records) == 9 and gone.call_count == 51  # ids OpenAlex no longer knows are left out


def test_a_redirect_to_another_host_is_not_followed(api: respx.MockRouter, session: OpenAlexSession) -> None:
    api.get(f"/authors/{MERGED_FROM}").respond(301, headers={"Location": "https://evil.example/authors/A1"})

    with pytest.raises(RemoteServiceError, match=r"redirected .* to another host") as caught:
        session.get_json(f"/authors/{MERGED_FROM}")

    assert SECRET not in str(caught.value)


# ---------------------------------------------------------------- the daily allowance


def test_a_429_that_spends_the_allowance_is_not_retried(
    api: respx.MockRouter, session: OpenAlexSession, no_sleep: list[float]
) -> None:
    route = api.get("/works").respond(429, headers={**ALLOWANCE, "X-RateLimit-Remaining": "0", "Retry-After": "60"})

    with pytest.raises(RemoteServiceError, match="daily allowance is spent") as caught:
        session.get_json("/works", {"search": "coresets"})

    assert route.call_count == 1 and not no_sleep
    assert (caught.value.status, session.meter.remaining) == (429, 0.0)


def test_rate_limit_headers_are_read_defensively() -> None:
    meter = Meter()
    meter.observe(httpx.Headers({"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99990"}))
    meter.observe(httpx.Headers({"X-RateLimit-Remaining": "not a number"}))
    meter.observe(httpx.Headers({}))

    assert (meter.limit, meter.remaining) == (100000.0, 99990.0)
    assert "allowance left today: 99990 of 100000" in meter.summary()


def test_the_meter_refuses_a_call_beyond_the_budget() -> None:
    meter = Meter(max_calls=2)
    meter.admit("search", "/works?search=a")
    meter.admit("list", "/authors?filter=…")

    with pytest.raises(CallBudgetExceeded, match="--max-calls 2 reached"):
        meter.admit("singleton", "/authors/A1")
    assert meter.made == {"search": 1, "list": 1}


@pytest.mark.parametrize(
    ("path", "params", "tier"),
    [
        ("/works", {"search": "dna", "filter": "x:y"}, "search"),
        ("/institutions", {"search": "ucla"}, "search"),
        ("/authors", {"filter": "ids.openalex:A1|A2"}, "list"),
        ("/works", {"filter": "author.id:A1", "cursor": "*"}, "list"),
        ("/authors/A1", {}, "singleton"),
        ("/institutions/ror:00cvxb145", {"select": "id"}, "singleton"),
    ],
)
def test_calls_are_priced_by_tier(path: str, params: dict[str, str], tier: str) -> None:
    assert classify(path, params) == tier


# ---------------------------------------------------------------- the cache


def test_the_cache_answers_until_its_time_to_live_and_refresh_bypasses_it(
    api: respx.MockRouter, keyed: Settings, tmp_path: Path
) -> None:
    route = api.get("/institutions/I201448701").respond(json=load("discover_institution_ror_00cvxb145.json"))
    now = [1_000_000.0]
    cache = ResponseCache(tmp_path / "cache", ttl_s=3600, clock=lambda: now[0])
    with OpenAlexSession(keyed, cache=cache) as session:
        session.get_json("/institutions/I201448701")
        session.get_json("/institutions/I201448701")
        now[0] += 3601
        session.get_json("/institutions/I201448701")
    assert route.call_count == 2 and session.meter.cached == 1

    refreshing = ResponseCache(tmp_path / "cache", ttl_s=3600, refresh=True, clock=lambda: now[0])
    with OpenAlexSession(keyed, cache=refreshing) as session:
        session.get_json("/institutions/I201448701")
    assert route.call_count == 3


def test_failed_calls_leave_no_cache_entry_and_entries_hold_no_key(
    api: respx.MockRouter, keyed: Settings, tmp_path: Path
) -> None:
    api.get("/institutions/I1").respond(500)
    api.get("/institutions/I201448701").respond(json=load("discover_institution_ror_00cvxb145.json"))
    with OpenAlexSession(keyed, cache=ResponseCache(tmp_path, ttl_s=60)) as session:
        with pytest.raises(RemoteServiceError):
            session.get_json("/institutions/I1")
        session.get_json("/institutions/I201448701", {"select": "id,display_name"})

    (entry,) = tmp_path.glob("*.json")
    stored = json.loads(entry.read_text(encoding="utf-8"))
    assert stored["url"] == f"{BASE}/institutions/I201448701?select=id%2Cdisplay_name"
    assert SECRET not in entry.read_text(encoding="utf-8")


def test_the_cache_key_leaves_out_the_credentials() -> None:
    bare = request_url(BASE, "/works", {"search": "x", "page": 1})
    assert request_url(BASE, "/works", {"page": 1, "search": "x", "api_key": SECRET, "mailto": "a@b.c"}) == bare


def test_an_unreadable_cache_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path, ttl_s=60)
    cache.put("https://api.openalex.org/authors/A1", {"id": "A1"})
    (entry,) = tmp_path.glob("*.json")
    entry.write_text("{not json", encoding="utf-8")

    assert cache.get("https://api.openalex.org/authors/A1") is None
