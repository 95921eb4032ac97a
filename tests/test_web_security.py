"""What the local server refuses: foreign Host headers, cross-site writes, missing tokens, oversized uploads."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from assistant.cli import run
from assistant.web.security import MULTIPART_SLACK, Guard, UploadTooLarge, limited_form
from assistant.web.server import make_guard, url_for
from tests.conftest import EXAMPLES
from tests.web_support import BASE, client_for, make_app

MB = 1024 * 1024


@pytest.fixture
def client(sample_store: Path) -> Iterator[TestClient]:
    with client_for(make_app()) as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765"])
def test_the_bound_host_and_its_loopback_aliases_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/store", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example:8765", "evil.example", "127.0.0.1:9999", "192.168.1.5:8765"])
def test_any_other_host_is_refused_against_dns_rebinding(client: TestClient, host: str) -> None:
    response = client.get("/store", headers={"host": host})
    assert response.status_code == 421
    assert "refused Host" in response.text


def test_a_write_needs_the_same_origin_and_the_csrf_token(client: TestClient) -> None:
    token = client.app.state.guard.csrf_token  # type: ignore[attr-defined]
    url = "/shortlist/baharan-mirzasoleiman/add"
    cases = [
        ({"origin": "http://evil.example", "x-csrf-token": token}, 403),
        ({"origin": "null", "x-csrf-token": token}, 403),
        ({"origin": "", "x-csrf-token": token}, 403),
        ({"origin": BASE, "x-csrf-token": "guessed"}, 403),
        ({"origin": BASE, "x-csrf-token": ""}, 403),
    ]
    for headers, status in cases:
        assert client.post(url, headers=headers).status_code == status, headers
    assert client.get("/shortlist").text.count("entry-baharan") == 0  # nothing was written
    no_origin = TestClient(client.app, base_url=BASE, headers={"x-csrf-token": token})
    assert no_origin.post(url).status_code == 403  # neither Origin nor Referer
    assert no_origin.post(url, headers={"referer": "http://evil.example/x"}).status_code == 403
    assert no_origin.post(url, headers={"referer": f"{BASE}/match"}).status_code == 200
    assert client.post(url).status_code == 200
    assert "entry-baharan-mirzasoleiman" in client.get("/shortlist").text


def test_every_response_forbids_inline_scripts_and_framing(client: TestClient) -> None:
    for url in ("/store", "/static/style.css", "/nowhere"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    html = client.get("/store").text
    assert "http://" not in html.replace(BASE, "") and "https://" not in html
    assert client.get("/static/htmx-2.0.11.min.js").status_code == 200
    assert client.get("/static/htmx-ext-sse-2.2.4.min.js").status_code == 200


def test_remote_access_needs_the_printed_token(sample_store: Path) -> None:
    guard = make_guard("0.0.0.0", 8765, allow_remote=True)
    assert guard.access_token and len(guard.access_token) >= 24
    url = url_for(guard)
    assert url.endswith(f"/?token={guard.access_token}")
    app = make_app(guard=guard)
    with TestClient(app, base_url="http://192.168.1.20:8765", follow_redirects=False) as c:
        assert c.get("/store").status_code == 401
        assert c.get("/store?token=wrong").status_code == 401
        first = c.get(f"/store?token={guard.access_token}")
        assert first.status_code == 303 and first.headers["location"] == "/store"  # the token leaves the URL
        assert "httponly" in first.headers["set-cookie"].lower()
        assert c.get("/store").status_code == 200  # the cookie now carries it
    with TestClient(app, base_url="http://192.168.1.20:8765") as c:
        assert c.get("/store", headers={"x-outreach-token": guard.access_token}).status_code == 200


def test_a_non_loopback_host_needs_allow_remote(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "--host", "0.0.0.0"]) == 1
    assert "--allow-remote" in capsys.readouterr().err
    assert make_guard("127.0.0.1", 8765, allow_remote=False).access_token is None


def test_the_cli_does_not_import_the_web_stack() -> None:
    """`outreach --help` stays fast: Starlette and uvicorn load only inside `outreach serve`."""
    code = "import sys, assistant.cli; print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- uploads


def chunked_request(chunks: int, size: int) -> tuple[Request, list[int]]:
    """A request whose body arrives in chunks with no Content-Length; `pulled` counts the chunks read."""
    pulled = [0]
    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.md"\r\n\r\n'.encode()

    async def receive() -> dict[str, object]:
        pulled[0] += 1
        body = head if pulled[0] == 1 else b"x" * size
        return {"type": "http.request", "body": body, "more_body": pulled[0] <= chunks}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/cv",
        "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
    }
    return Request(scope, receive), pulled


def test_an_upload_is_cut_off_while_it_streams_not_after() -> None:
    request, pulled = chunked_request(chunks=300, size=MB // 10)  # 30 MB offered, 10 MB allowed
    with pytest.raises(UploadTooLarge, match="the limit is 10 MB"):
        asyncio.run(limited_form(request, 10 * MB))
    assert pulled[0] <= 10 * 10 + 3  # stopped just past the limit: the remaining ~20 MB were never read


def test_a_declared_oversized_upload_is_refused_before_reading(client: TestClient) -> None:
    big = b"x" * (10 * MB + MULTIPART_SLACK + 1)
    response = client.post("/cv", files={"file": ("cv.md", big, "text/markdown")})
    assert response.status_code == 413
    assert "the limit is 10 MB" in response.text
    assert "No CV yet" in client.get("/cv").text


def test_a_file_just_over_the_limit_gets_the_clis_message(client: TestClient) -> None:
    response = client.post("/cv", files={"file": ("cv.md", b"x" * (10 * MB + 1), "text/markdown")})
    assert response.status_code == 400
    assert "cv.md: the file is 10.0 MB; the limit is 10 MB" in response.text


# ---------------------------------------------------------------- logs


def test_logs_hold_paths_only_never_cv_text_or_query_strings(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cv = (EXAMPLES / "cvs" / "maya_chen.md").read_bytes()
    client.post("/cv", files={"file": ("maya_chen.md", cv, "text/markdown")})
    client.get("/match?q=gradient-matching+coreset+selector&affiliation=secret-token-123")
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # not the test client's own log
    logged = "\n".join(r.getMessage() for r in server_side)
    assert "POST /cv 200" in logged and "GET /match 200" in logged
    for secret in ("gradient-matching", "secret-token-123", "Maya", "coreset selector for instruction tuning"):
        assert secret not in logged


def test_each_server_run_has_its_own_csrf_token() -> None:
    assert Guard("127.0.0.1", 1).csrf_token != Guard("127.0.0.1", 1).csrf_token
