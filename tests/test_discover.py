"""`outreach discover` end to end, against a mocked OpenAlex (respx; tests/discover_world.py): the ranking, the
faculty marks, the plan and its cost, the cache, the budget, --ingest / --add-to-shortlist, and every failure
exiting 1 with nothing written. Chroma and the embedding model are real."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import assistant.discover.run
import assistant.render
from assistant import shortlist
from assistant.catalog import Catalog
from assistant.cli import run
from assistant.ingest import ingest_professors
from assistant.settings import Settings, reset_settings_cache
from assistant.sources.openalex.cache import CACHE_DIRNAME
from assistant.sources.openalex.works import works_to_papers
from assistant.types import Professor
from tests.conftest import FIXTURES, store_fingerprint
from tests.discover_world import (
    ALLOWANCE,
    BASE,
    MERGED_FROM,
    MERGED_INTO,
    PLACES,
    SECRET,
    TEXT,
    all_works,
    load,
    route_world,
)

STUDENT = "likely student or postdoc"
LISTED = {"Elena Vasquez", "Rahul Mehta", "Daniel Ortiz", "Howard Lim", "Grace Okonkwo", "Sofia Lindqvist"}
STUDENTS = {"Kai Nakamura", "Mei Tanaka", "Lucas Moreau"}


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Every request must match a route; an unmatched one fails the test instead of reaching the network."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]) -> Settings:
    monkeypatch.setenv("OPENALEX_API_KEY", SECRET)
    monkeypatch.setattr(assistant.discover.run, "_today", lambda: date(2026, 12, 1))
    reset_settings_cache()
    return Settings()


def discover(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict[str, Any], str]:
    assert run(["discover", "--text", TEXT, *PLACES, "--since", "2021", "--json", *extra]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def cache_files(settings: Settings) -> list[Path]:
    folder = settings.store_dir / CACHE_DIRNAME
    return sorted(folder.glob("*.json")) if folder.exists() else []


# ---------------------------------------------------------------- the ranking and the marks


def test_discover_lists_likely_faculty_and_unclear_and_names_the_students_it_leaves_out(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = route_world(api)

    result, _ = discover(capsys)

    rows = {p["name"]: p for p in result["professors"]}
    assert set(rows) == LISTED
    assert {p["name"] for p in result["students_not_listed"]} == STUDENTS
    assert {p["status"] for p in result["students_not_listed"]} == {STUDENT}
    assert rows["Elena Vasquez"]["status"] == rows["Rahul Mehta"]["status"] == "likely faculty"
    assert rows["Grace Okonkwo"]["status"] == "unclear"  # moved to a company since: shown, with the reason
    assert rows["Grace Okonkwo"]["reasons"][0] == "last known at Google DeepMind, not a requested place"
    assert rows["Sofia Lindqvist"]["status"] == "unclear"
    assert rows["Howard Lim"]["inactive"] and rows["Howard Lim"]["reasons"][0] == "no publications since 2023"
    everyone = [p["name"] for p in result["professors"] + result["students_not_listed"]]
    assert "Thomas Becker" not in everyone  # the external co-author at ETH Zurich
    scores = [p["score"] for p in result["professors"]]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    vasquez = rows["Elena Vasquez"]
    assert vasquez["institutions"] == ["University of California, Los Angeles"]
    assert {w["title"]: w["position"] for w in vasquez["works"]} == {
        "Gradient-matched coresets for instruction tuning": "last",
        "Filtering synthetic instruction data with influence estimates": "last",
    }
    assert len(vasquez["matched_cv_items"]) == 2
    # A merged author is listed under the id OpenAlex now uses (what --ingest asks for).
    assert (rows["Daniel Ortiz"]["openalex_id"], rows["Daniel Ortiz"]["status"]) == (MERGED_INTO, "likely faculty")
    search = routes["works"].calls[0].request.url.params
    assert search["filter"] == (
        "authorships.institutions.id:I161318765|I97018004|I201448701,from_publication_date:2021-01-01"
    )
    assert search["search"] == "data OR selection OR coresets OR efficient OR training OR large OR models"
    assert (search["per_page"], search["page"], search["api_key"]) == ("50", "1", SECRET)
    assert "authorships" in search["select"].split(",") and "cited_by_count" not in search["select"]
    (batch,) = routes["authors"].calls
    assert batch.request.url.params["filter"].startswith("ids.openalex:")
    assert len(batch.request.url.params["filter"].split("|")) == 9  # every candidate in one list call


def authors_as_professors(exclude: set[str]) -> list[Professor]:
    """Every author of the fixture works, with those works as papers: what `outreach ingest` would store."""
    names = {
        a["author"]["id"].rsplit("/", 1)[-1]: a["author"]["display_name"] for w in all_works() for a in w["authorships"]
    }
    professors = []
    for author_id, name in names.items():
        works = [w for w in all_works() if any(a["author"]["id"].endswith(author_id) for a in w["authorships"])]
        if author_id not in exclude:
            papers = works_to_papers(works, author_id=author_id)
            professors.append(Professor(id=author_id.lower(), name=name, papers=papers))
    return professors


def test_the_scores_are_those_outreach_match_gives_on_the_same_works(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    route_world(api)
    result, _ = discover(capsys, "--include-students")
    ingest_professors(authors_as_professors(exclude={"A5000000099"}), keyed)  # the external co-author is no candidate

    assert run(["match", "--text", TEXT, "--json", "--top", "20"]) == 0

    by_match = {r["professor_id"]: r["score"] for r in json.loads(capsys.readouterr().out)}
    by_discover = {p["openalex_id"].replace(MERGED_INTO, MERGED_FROM).lower(): p["score"] for p in result["professors"]}
    assert len(by_discover) == 9
    assert by_discover == by_match


def test_the_table_shows_status_reasons_and_evidence(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    route_world(api)
    monkeypatch.setattr(assistant.render.out, "width", 240)  # a wide terminal: no cell wraps mid-phrase

    assert run(["discover", "--text", TEXT, *PLACES, "--since", "2021", "--top", "3"]) == 0

    out, err = capsys.readouterr()
    assert [line.split("│")[2].strip() for line in out.splitlines() if line.startswith("│ 1 ")] == ["Grace Okonkwo"]
    assert "last known at Google DeepMind, not a requested place" in out
    assert "likely faculty" in out and "⚠ inactive" in out
    assert "Multi-token prediction heads improve planning in transforme… ⇐" in out  # a work, and the CV item below
    assert "not listed, likely students or postdocs ranked among these" in err
    assert "3 more candidate(s) ranked below these (a larger --top lists them)" in err


def test_a_country_alone_with_no_matching_works_says_so_and_looks_nobody_up(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = {"meta": {"count": 0, "db_response_time_ms": 9, "page": 1, "per_page": 50}, "results": [], "group_by": []}
    search = api.get("/works", params={"page": "1"}).respond(json=empty)
    routes = route_world(api)

    assert run(["discover", "--text", TEXT, "--country", "us"]) == 0

    assert "no candidates to list at US, works since 2021" in capsys.readouterr().err  # five years back by default
    assert search.calls.last.request.url.params["filter"] == (
        "authorships.institutions.country_code:us,from_publication_date:2021-01-01"
    )
    assert routes["authors"].call_count == 0 and search.call_count == 3


# ---------------------------------------------------------------- plan, cost, cache, budget


def test_the_plan_comes_first_and_an_identical_rerun_costs_nothing(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    route_world(api)

    first, err = discover(capsys)

    assert err.index("OpenAlex plan") < err.index("searching works")
    assert "new calls: at least 7 (1 singleton, 1 list, 5 search), about $0.0051" in err
    assert "OpenAlex: 9 call(s) made (3 singleton, 1 list, 5 search)" in err  # + the merged author's 301 hop
    assert "allowance left today: 0.9871 of 1" in err
    assert first["calls"]["made"] == {"singleton": 3, "list": 1, "search": 5}
    assert first["calls"]["allowance_remaining"] == 0.9871
    calls = len(api.calls)

    second, err = discover(capsys)

    assert len(api.calls) == calls
    assert "new calls: at least 0 (none)" in err and "OpenAlex: 0 call(s) made" in err
    assert second["professors"] == first["professors"]
    assert (second["calls"]["made"], second["calls"]["cached"]) == ({}, 8)

    discover(capsys, "--refresh")
    assert len(api.calls) == 2 * calls


def test_cached_answers_hold_no_key(api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    route_world(api)
    discover(capsys)

    files = cache_files(keyed)
    assert len(files) == 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and SECRET not in path.name
        assert "api_key" not in json.loads(text)["url"]


def test_no_log_line_holds_the_key_or_the_students_words(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    route_world(api)
    caplog.set_level(logging.DEBUG)

    discover(capsys)

    assert "HTTP Request: GET https://api.openalex.org/works?search=…" in caplog.text  # httpx's own log, redacted
    assert SECRET not in caplog.text and "coresets" not in caplog.text


def test_a_cv_with_six_items_and_three_places_fits_in_thirty_calls(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    route_world(api)
    cv = FIXTURES / "discover" / "ana_ruiz_six_items.md"

    assert run(["discover", "--cv", str(cv), "--offline", *PLACES, "--json"]) == 0

    result = json.loads(capsys.readouterr().out)
    made = result["calls"]["made"]
    assert len(result["cv_items"]) == 6
    assert made["search"] + made["list"] <= 30
    assert made == {"search": 8, "list": 1, "singleton": 3}  # 2 institution + 6 works searches; 1 author batch


def test_a_plan_over_the_budget_stops_before_the_first_call(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    route_world(api)

    assert run(["discover", "--text", TEXT, *PLACES, "--max-calls", "5"]) == 1

    assert "needs at least 7 OpenAlex calls but --max-calls is 5" in capsys.readouterr().err
    assert not api.calls


def test_a_run_stopped_by_the_budget_pays_only_for_the_rest_when_repeated(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = route_world(api)

    assert run(["discover", "--text", TEXT, *PLACES, "--since", "2021", "--max-calls", "7"]) == 1
    assert "--max-calls 7 reached" in capsys.readouterr().err  # the merged author's lookup did not fit
    assert routes["author"].call_count == 0
    before = len(api.calls)

    discover(capsys)

    assert len(api.calls) - before == 2  # the 301 and its target; everything else came from the cache


# ---------------------------------------------------------------- ingest and shortlist


def test_add_to_shortlist_ingests_the_listed_authors_by_openalex_id(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = route_world(api)

    result, err = discover(capsys, "--add-to-shortlist")

    assert "ingesting 6 author(s)" in err
    catalog = Catalog(keyed.catalog_path)
    names = {p.name for p in catalog.professors()}
    assert names == LISTED  # likely students are not ingested
    assert {e.name for e in shortlist.entries(catalog)} == LISTED
    assert set(result["shortlisted"]) == set(result["ingested"]) == {p.id for p in catalog.professors()}
    asked = {c.request.url.path for c in routes["author"].calls}
    assert f"/authors/{MERGED_INTO}" in asked and "/authors/A5000000001" in asked  # by id, no name search
    vasquez = catalog.resolve("Elena Vasquez")
    assert {p.title for p in vasquez.papers} == {
        "Gradient-matched coresets for instruction tuning",
        "Filtering synthetic instruction data with influence estimates",
    }


def test_from_a_cv_to_drafts_for_the_professors_discovered(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    route_world(api)
    cv = FIXTURES / "discover" / "ana_ruiz_six_items.md"
    assert run(["discover", "--cv", str(cv), "--offline", *PLACES, "--add-to-shortlist", "--json"]) == 0
    shortlisted = json.loads(capsys.readouterr().out)["shortlisted"]

    run(["batch", "--cv", str(cv), "--shortlist", "--offline", "--out", str(tmp_path / "drafts")])

    summary = json.loads((tmp_path / "drafts" / "summary.json").read_text(encoding="utf-8"))
    drafted = {
        row["professor_id"] for row in summary["rows"] if (tmp_path / "drafts" / f"{row['professor_id']}.md").exists()
    }
    assert len(shortlisted) == 6 and drafted == set(shortlisted)


def test_ingest_over_the_budget_writes_nothing(
    api: respx.MockRouter, keyed: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    route_world(api)

    assert run(["discover", "--text", TEXT, *PLACES, "--since", "2021", "--add-to-shortlist", "--max-calls", "12"]) == 1

    assert "ingesting needs about 13 more OpenAlex calls" in capsys.readouterr().err
    assert not keyed.catalog_path.exists()


# ---------------------------------------------------------------- failures: a clear message, exit 1, nothing written


def _no_key(api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENALEX_API_KEY")
    reset_settings_cache()


def _bad_key(api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    api.get("/institutions").respond(401, json={"error": "Unauthorized", "message": "Invalid API key"})


def _allowance_spent(api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    spent = {**ALLOWANCE, "X-RateLimit-Remaining": "0"}
    # A pattern of its own (route_world's plain "/works" would replace a route with the same pattern).
    api.get("/works", params={"page": "1"}).respond(429, json={"error": "Rate limit exceeded"}, headers=spent)


def _network_down(api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    api.get("/institutions").mock(side_effect=httpx.ConnectError("Name or service not known"))


def _ambiguous(api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    api.get("/institutions", params={"search": "Trinity College"}).respond(
        json=load("discover_institutions_ambiguous.json")
    )


@pytest.mark.parametrize(
    ("setup", "places", "message", "cached"),
    [
        (
            _no_key,
            PLACES,
            "needs an OpenAlex API key: set OPENALEX_API_KEY (a free key from https://openalex.org/settings/api)",
            0,
        ),
        (_bad_key, PLACES, "HTTP 401: Invalid API key); check OPENALEX_API_KEY", 0),
        (_allowance_spent, PLACES, "OpenAlex says your key's daily allowance is spent (HTTP 429", 3),
        (
            _network_down,
            PLACES,
            "could not reach OpenAlex at https://api.openalex.org/institutions after 4 attempt(s)",
            0,
        ),
        (_ambiguous, ["--institution", "Trinity College"], '"Trinity College" matches 3 OpenAlex institutions', 1),
    ],
    ids=["no key", "bad key", "allowance spent", "network down", "ambiguous institution"],
)
def test_every_failure_is_a_clear_message_exit_1_and_nothing_written(
    api: respx.MockRouter,
    keyed: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sample_store: Path,
    setup: Any,
    places: list[str],
    message: str,
    cached: int,
) -> None:
    setup(api, monkeypatch)
    route_world(api)  # the routes a failure above did not replace
    before = store_fingerprint(sample_store)

    assert run(["discover", "--text", TEXT, *places, "--add-to-shortlist"]) == 1

    err = capsys.readouterr().err
    assert message in err and SECRET not in err
    assert store_fingerprint(sample_store) == before
    assert not Catalog(keyed.catalog_path).query("SELECT * FROM shortlist")
    # Only successful answers are cached: the three places before the 429; the ambiguous search itself.
    assert len(cache_files(keyed)) == cached
    if setup is _ambiguous:
        assert "Trinity College — US — education — I35777872" in err
        assert "Trinity College — AU — other — I4210148453" in err
        assert not [c for c in api.calls if c.request.url.path == "/works"]
    if setup is _allowance_spent:
        assert len([c for c in api.calls if c.request.url.path == "/works"]) == 1  # not retried
    if setup is _no_key:
        assert not api.calls
