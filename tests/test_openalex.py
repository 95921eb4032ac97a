"""The OpenAlex source, against canned API responses (respx): no test touches the network."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import assistant.retry
from assistant.errors import AmbiguousError, NotFoundError, RemoteServiceError
from assistant.settings import Settings, reset_settings_cache
from assistant.sources.openalex import (
    OpenAlexSession,
    fetch_professor,
    openalex_client,
    rebuild_abstract,
    resolve_author,
    work_to_paper,
    works_to_papers,
)
from assistant.sources.openalex.parse import clean_title

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openalex"
ATTEMPTS = Settings.model_fields["openalex_max_attempts"].default  # tests set no OPENALEX_MAX_ATTEMPTS
AUTHOR_ID = "A5023888391"
ORCID = "0000-0002-1825-0097"
SECRET = "oa-test-key-5f0c9e21"
BASE = "https://api.openalex.org"  # the default, which the settings fixture keeps


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def works_of(*pages: str) -> list[dict[str, Any]]:
    return [work for page in pages for work in load(page)["results"]]


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One client for most tests: building one costs ~0.1 s (its TLS context), and respx mocks below it anyway."""
    with openalex_client(Settings(OPENALEX_BASE_URL=BASE)) as shared:
        yield shared


@pytest.fixture
def session(client: httpx.Client, settings: Settings) -> OpenAlexSession:
    return OpenAlexSession(settings, client=client)


@pytest.fixture
def api(settings: Settings) -> Iterator[respx.MockRouter]:
    """Every request must match a route; an unmatched one fails the test instead of reaching the network."""
    with respx.mock(base_url=settings.openalex_base_url, assert_all_called=False) as router:
        yield router


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries record their back-off here instead of sleeping."""
    slept: list[float] = []
    monkeypatch.setattr(assistant.retry, "sleep", slept.append)
    return slept


@pytest.fixture
def keyed_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENALEX_MAILTO", "student@example.edu")
    monkeypatch.setenv("OPENALEX_API_KEY", SECRET)
    reset_settings_cache()
    return Settings()


def route_works(api: respx.MockRouter) -> tuple[respx.Route, respx.Route]:
    first = api.get("/works", params={"cursor": "*"}).respond(json=load("works_page1.json"))
    cursor = load("works_page1.json")["meta"]["next_cursor"]
    second = api.get("/works", params={"cursor": cursor}).respond(json=load("works_page2.json"))
    return first, second


# ---------------------------------------------------------------- resolving the author


def test_a_name_with_one_exact_match_resolves_ignoring_case_and_accents(
    api: respx.MockRouter, settings: Settings
) -> None:
    search = api.get("/authors").respond(json=load("authors_search_clear.json"))

    author = resolve_author("jose garcia-lopez", settings)

    assert author.id == AUTHOR_ID
    assert author.name == "José García-López"
    assert author.institution == "University of California, Los Angeles"
    assert (author.works_count, author.cited_by_count, author.orcid) == (87, 4210, ORCID)
    params = search.calls.last.request.url.params
    assert params["search"] == "jose garcia-lopez"
    assert params["per_page"] == "10"


def test_an_ambiguous_name_lists_every_namesake_and_asks_for_an_id(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get("/authors", params={"search": "J. Smith"}).respond(json=load("authors_search_ambiguous.json"))

    with pytest.raises(AmbiguousError) as caught:
        resolve_author("J. Smith", settings, session=session)

    message = str(caught.value)
    assert "J. Smith — University of Edinburgh — 143 works — A5001234567" in message
    assert "J. Smith — Monash University — 38 works — A5009876543" in message
    assert "OpenAlex id or ORCID" in message
    # The exact namesakes come first; the partial match is listed after them.
    assert [c.rsplit(" — ", 1)[-1] for c in caught.value.candidates] == ["A5001234567", "A5009876543", "A5011112223"]


def test_several_partial_matches_are_ambiguous_too(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get("/authors").respond(json=load("authors_search_clear.json"))

    with pytest.raises(AmbiguousError, match="no OpenAlex authors are named exactly"):
        resolve_author("Garcia", settings, session=session)


def test_a_sole_search_result_is_taken(session: OpenAlexSession, api: respx.MockRouter, settings: Settings) -> None:
    page = load("authors_search_clear.json")
    page["results"] = page["results"][:1]
    page["meta"]["count"] = 1
    api.get("/authors").respond(json=page)

    assert resolve_author("J. Garcia Lopez", settings, session=session).id == AUTHOR_ID


def test_a_name_with_no_results_is_not_found(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get("/authors").respond(json={"meta": {"count": 0, "per_page": 10, "page": 1}, "results": [], "group_by": []})

    with pytest.raises(NotFoundError, match='no OpenAlex author matches "Nobody Atall"') as caught:
        resolve_author("Nobody  Atall", settings, session=session)
    assert not isinstance(caught.value, AmbiguousError)


@pytest.mark.parametrize("query", [ORCID, f"https://orcid.org/{ORCID}", f"orcid:{ORCID}"])
def test_an_orcid_is_looked_up_directly(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings, query: str
) -> None:
    route = api.get(f"/authors/orcid:{ORCID}").respond(json=load("author_A5023888391.json"))

    assert resolve_author(query, settings, session=session).id == AUTHOR_ID
    assert route.call_count == 1


@pytest.mark.parametrize("query", [AUTHOR_ID, f"https://openalex.org/{AUTHOR_ID}", AUTHOR_ID.lower()])
def test_an_openalex_id_is_looked_up_directly(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings, query: str
) -> None:
    route = api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))

    author = resolve_author(query, settings, session=session)

    assert (author.id, author.orcid) == (AUTHOR_ID, ORCID)
    assert route.call_count == 1


def test_a_merged_author_is_followed_to_its_new_id(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get("/authors/A5000000001").respond(301, headers={"Location": f"/authors/{AUTHOR_ID}"})
    api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))

    assert resolve_author("A5000000001", settings, session=session).id == AUTHOR_ID


def test_an_unknown_author_id_is_not_found_at_once(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    route = api.get("/authors/A5000000000").respond(404, json={"error": "Not found", "message": "A5000000000"})

    with pytest.raises(NotFoundError, match="no OpenAlex author A5000000000"):
        resolve_author("A5000000000", settings, session=session)
    assert route.call_count == 1


# ---------------------------------------------------------------- works and the professor


def test_fetch_professor_follows_the_cursor_through_every_page(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))
    first, second = route_works(api)
    seen: list[tuple[int, int | None]] = []

    professor = fetch_professor(
        AUTHOR_ID, settings, session=session, progress=lambda done, total: seen.append((done, total))
    )

    assert (first.call_count, second.call_count) == (1, 1)
    params = second.calls.last.request.url.params
    assert params["cursor"] == load("works_page1.json")["meta"]["next_cursor"]
    assert params["filter"] == f"author.id:{AUTHOR_ID}"
    assert params["sort"] == "publication_date:desc"
    assert params["per_page"] == "100"  # the API's maximum since 2026
    assert set(params["select"].split(",")) >= {"id", "title", "abstract_inverted_index", "authorships", "open_access"}
    wanted = [clean_title(w["title"]) for w in works_of("works_page1.json", "works_page2.json")]
    assert [p.title for p in professor.papers] == wanted
    assert seen == [(3, 5), (5, 5)]


def test_the_professor_carries_name_affiliation_topics_and_ids(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get(f"/authors/orcid:{ORCID}").respond(json=load("author_A5023888391.json"))
    route_works(api)

    professor = fetch_professor(ORCID, settings, session=session)

    assert professor.id == "jose-garcia-lopez"
    assert professor.name == "José García-López"
    assert professor.affiliation == "University of California, Los Angeles"
    assert professor.topics[:2] == ["Topic Modeling", "Domain Adaptation and Few-Shot Learning"]
    assert professor.external_ids == {"openalex": AUTHOR_ID, "orcid": ORCID}


def test_max_works_stops_paging_early(session: OpenAlexSession, api: respx.MockRouter, settings: Settings) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))
    first, second = route_works(api)

    professor = fetch_professor(AUTHOR_ID, settings, session=session, max_works=2)

    assert len(professor.papers) == 2
    assert (first.call_count, second.call_count) == (1, 0)
    assert first.calls.last.request.url.params["per_page"] == "2"


def test_a_work_maps_to_a_paper_with_its_source() -> None:
    work = works_of("works_page1.json")[0]

    paper = work_to_paper(work, author_id=AUTHOR_ID)

    assert paper is not None
    assert paper.title == "Gradient-matched coresets for data-efficient training"  # inline markup dropped
    assert paper.abstract == load("abstracts.json")["W4391027453"]
    assert (paper.year, paper.date) == (2024, "2024-03-18")
    assert paper.venue == "Nature Machine Intelligence"
    assert paper.authors == ["Priya Raman", "Wei Zhang", "Léa Moreau", "José García-López"]
    assert paper.author_count == 4
    assert paper.senior_author  # last of four
    assert paper.doi == "10.1038/s42256-024-00812-7"
    assert paper.url == "https://doi.org/10.1038/s42256-024-00812-7"
    (source,) = paper.sources
    assert source.model_dump() == {
        "origin": "openalex",
        "venue": "Nature Machine Intelligence",
        "date": "2024-03-18",
        "kind": "article",
        "open_access": False,
        "url": "https://doi.org/10.1038/s42256-024-00812-7",
        "doi": "10.1038/s42256-024-00812-7",
        "title": None,  # set only when a merge folds this listing into a paper under another title
    }


def test_missing_pieces_stay_missing() -> None:
    preprint, conference = works_of("works_page1.json")[1:]
    no_abstract, no_location = works_of("works_page2.json")

    p = work_to_paper(preprint, author_id=AUTHOR_ID)
    c = work_to_paper(conference, author_id=AUTHOR_ID)
    a = work_to_paper(no_abstract, author_id=AUTHOR_ID)
    n = work_to_paper(no_location, author_id=AUTHOR_ID)

    assert p is not None and c is not None and a is not None and n is not None
    assert (p.sources[0].kind, p.sources[0].open_access, p.senior_author) == ("preprint", True, False)
    assert (c.doi, c.url) == (None, "https://proceedings.neurips.cc/paper/2023/hash/5f1c2e.html")
    assert a.abstract is None and a.title == "Active learning under label noise"
    assert not a.senior_author  # sole author
    assert (n.venue, n.url) == (None, "https://doi.org/10.1007/978-3-030-89010-0_4")


def test_works_without_title_or_abstract_are_skipped_and_repeats_fold_into_one_paper() -> None:
    article, preprint, _ = works_of("works_page1.json")
    blank = copy.deepcopy(article) | {"title": None, "display_name": None, "abstract_inverted_index": None}
    repeat = copy.deepcopy(preprint) | {"id": "https://openalex.org/W9", "type": "article", "open_access": None}
    repeat["primary_location"]["source"]["display_name"] = "ICML"

    papers = works_to_papers([blank, preprint, repeat], author_id=AUTHOR_ID)

    (paper,) = papers
    assert paper.venue == "arXiv (Cornell University)"  # the first listing wins
    assert [s.venue for s in paper.sources] == ["arXiv (Cornell University)", "ICML"]


def test_abstracts_are_rebuilt_exactly() -> None:
    expected = load("abstracts.json")
    for work in works_of("works_page1.json", "works_page2.json"):
        key = work["id"].rsplit("/", 1)[-1]
        assert rebuild_abstract(work["abstract_inverted_index"]) == expected.get(key)

    assert rebuild_abstract({"the": [0, 3], "cat": [4], "saw": [2], "Once": [1]}) == "the Once saw the cat"
    assert rebuild_abstract({}) is None
    assert rebuild_abstract(None) is None


# ---------------------------------------------------------------- failures and retries


def test_a_429_with_retry_after_is_waited_out(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings, sleeps: list[float]
) -> None:
    route = api.get(f"/authors/{AUTHOR_ID}").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "Rate limit exceeded"}),
            httpx.Response(200, json=load("author_A5023888391.json")),
        ]
    )

    assert resolve_author(AUTHOR_ID, settings, session=session).id == AUTHOR_ID
    assert route.call_count == 2
    assert sleeps == [7.0]


def test_a_persistent_429_says_how_to_get_more_allowance(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings, sleeps: list[float]
) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(429, headers={"Retry-After": "1"})

    with pytest.raises(RemoteServiceError) as caught:
        resolve_author(AUTHOR_ID, settings, session=session)

    message = str(caught.value)
    assert f"OpenAlex rate limit (HTTP 429) persisted after {ATTEMPTS} attempts" in message
    assert "OPENALEX_API_KEY" in message
    assert sleeps == [1.0] * (ATTEMPTS - 1)


def test_server_errors_are_retried_then_reported(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings, sleeps: list[float]
) -> None:
    route = api.get(f"/authors/{AUTHOR_ID}").respond(500, text="<html>Internal Server Error</html>")

    with pytest.raises(RemoteServiceError) as caught:
        resolve_author(AUTHOR_ID, settings, session=session)

    assert route.call_count == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1
    assert (caught.value.status, caught.value.attempts) == (500, ATTEMPTS)
    assert f"persisted after {ATTEMPTS} attempts on /authors/{AUTHOR_ID}" in str(caught.value)


def test_a_flaky_server_recovers(session: OpenAlexSession, api: respx.MockRouter, settings: Settings) -> None:
    route = api.get(f"/authors/{AUTHOR_ID}").mock(
        side_effect=[
            httpx.Response(502),
            httpx.ConnectTimeout("slow"),
            httpx.Response(200, json=load("author_A5023888391.json")),
        ]
    )

    assert resolve_author(AUTHOR_ID, settings, session=session).id == AUTHOR_ID
    assert route.call_count == 3


def test_an_unreachable_server_is_reported(session: OpenAlexSession, api: respx.MockRouter, settings: Settings) -> None:
    api.get(f"/authors/{AUTHOR_ID}").mock(side_effect=httpx.ConnectError("Name or service not known"))

    with pytest.raises(RemoteServiceError, match=rf"could not reach OpenAlex .* after {ATTEMPTS} attempt"):
        resolve_author(AUTHOR_ID, settings, session=session)


def test_a_bad_request_fails_at_once_quoting_the_server(
    session: OpenAlexSession, api: respx.MockRouter, settings: Settings
) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))
    route = api.get("/works").respond(
        400, json={"error": "Invalid query parameters error.", "message": "select: unknown field 'title2'"}
    )

    with pytest.raises(RemoteServiceError, match="HTTP 400: select: unknown field") as caught:
        fetch_professor(AUTHOR_ID, settings, session=session)
    assert route.call_count == 1
    assert caught.value.status == 400


def test_malformed_json_names_the_path(session: OpenAlexSession, api: respx.MockRouter, settings: Settings) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(
        200, text='{"id": "https://openalex.org/A50', headers={"Content-Type": "application/json"}
    )

    with pytest.raises(RemoteServiceError, match=f"malformed JSON for /authors/{AUTHOR_ID}"):
        resolve_author(AUTHOR_ID, settings, session=session)


# ---------------------------------------------------------------- the polite pool and the key


def test_every_request_carries_mailto_and_key_but_no_log_shows_the_key(
    api: respx.MockRouter, keyed_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.get("/authors").respond(json=load("authors_search_clear.json"))
    route_works(api)

    fetch_professor("José García-López", keyed_settings)

    assert len(api.calls) == 3
    for call in api.calls:
        assert call.request.url.params["mailto"] == "student@example.edu"
        assert call.request.url.params["api_key"] == SECRET
        assert call.request.headers["User-Agent"] == "outreach/0.1 (mailto:student@example.edu)"
    assert "HTTP Request: GET" in caplog.text  # httpx's own request log was captured, and redacted
    assert "api_key=***" in caplog.text
    assert SECRET not in caplog.text


def test_errors_never_show_the_key(
    client: httpx.Client, api: respx.MockRouter, keyed_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.get(f"/authors/{AUTHOR_ID}").respond(403, json={"error": "Forbidden", "message": f"bad api_key={SECRET}"})

    with pytest.raises(RemoteServiceError) as caught:
        resolve_author(AUTHOR_ID, keyed_settings, session=OpenAlexSession(keyed_settings, client=client))

    assert "check OPENALEX_API_KEY" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no httpx URL in a traceback
    assert SECRET not in caplog.text


def test_the_client_is_configured_from_settings(settings: Settings, keyed_settings: Settings) -> None:
    with openalex_client(settings) as plain, openalex_client(keyed_settings) as polite:
        assert str(plain.base_url).rstrip("/") == settings.openalex_base_url
        assert plain.headers["User-Agent"] == "outreach/0.1"
        assert polite.headers["User-Agent"] == "outreach/0.1 (mailto:student@example.edu)"
        assert not plain.follow_redirects  # the session follows merged entities itself, key and host checked
        assert plain.timeout.read == 30.0


def test_a_caller_supplied_client_is_used_and_left_open(api: respx.MockRouter, settings: Settings) -> None:
    api.get(f"/authors/{AUTHOR_ID}").respond(json=load("author_A5023888391.json"))

    with openalex_client(settings) as client:
        with OpenAlexSession(settings, client=client) as session:
            assert resolve_author(AUTHOR_ID, settings, session=session).id == AUTHOR_ID
        assert not client.is_closed
