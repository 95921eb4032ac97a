"""Shared pieces of the web tests: an app over the test's store, a client that talks like our own pages
(same Origin, the CSRF token, htmx's header), and a reader for server-sent events."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import respx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.security import Guard
from tests.conftest import FIXTURES

HOST = "127.0.0.1:8765"
BASE = f"http://{HOST}"


def make_app(settings: Settings | None = None, guard: Guard | None = None) -> Starlette:
    return create_app(settings or Settings(), guard or Guard("127.0.0.1", 8765))


def page_headers(app: Starlette) -> dict[str, str]:
    return {"origin": BASE, "x-csrf-token": app.state.guard.csrf_token, "hx-request": "true"}


@contextmanager
def client_for(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, headers=page_headers(app)) as client:
        yield client


def events(text: str) -> list[tuple[str, str]]:
    """(event name, data) of each server-sent event, the data's lines joined again."""
    found = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        name = next((line[7:] for line in lines if line.startswith("event: ")), "message")
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        if any(line.startswith("data:") for line in lines):
            found.append((name, data))
    return found


def job_events(client: TestClient, fragment: str) -> list[tuple[str, str]]:
    """Follow the job a response started (its `sse-connect`) to its end."""
    match = re.search(r'sse-connect="(/jobs/[^"]+/events)"', fragment)
    assert match, fragment
    response = client.get(match.group(1))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    return events(response.text)


def final(client: TestClient, fragment: str) -> str:
    """The `done` fragment of the job a response started."""
    found = job_events(client, fragment)
    assert found and found[-1][0] == "done", found
    return found[-1][1]


def openalex_json(name: str, **changes: Any) -> Any:
    return json.loads((FIXTURES / "openalex" / name).read_text(encoding="utf-8")) | changes


@contextmanager
def mocked_openalex(name: str, chosen: str) -> Iterator[respx.MockRouter]:
    """OpenAlex answering `name` with three namesakes (the fixture), and `chosen` with an author and two pages
    of works, so the pick can be ingested. No request reaches the network."""
    author = openalex_json("author_A5023888391.json", id=f"https://openalex.org/{chosen}", display_name=name)
    page1 = openalex_json("works_page1.json")
    with respx.mock(base_url="https://api.openalex.org", assert_all_called=False) as api:
        api.get("/authors", params={"search": name}).respond(json=openalex_json("authors_search_ambiguous.json"))
        api.get(f"/authors/{chosen}").respond(json=author)
        api.get("/works", params={"cursor": "*"}).respond(json=page1)
        api.get("/works", params={"cursor": page1["meta"]["next_cursor"]}).respond(
            json=openalex_json("works_page2.json")
        )
        yield api
