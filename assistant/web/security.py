"""What a server on a student's laptop must refuse, as one ASGI middleware in front of every route.

- **DNS rebinding**: a page on evil.example can make its own name resolve to 127.0.0.1 and then talk to us as
  "same origin". The Host header still says evil.example, so any Host that is not the bound host:port (or a
  loopback alias of it) is refused. With `--allow-remote` the host cannot be known in advance; the access token
  then does this job, because the attacker's origin never holds the token cookie.
- **Cross-site requests**: every POST/PUT/PATCH/DELETE must come from our own pages: its Origin (or, lacking
  one, its Referer) must be this host, and it must carry the per-server CSRF token in a header that only our
  pages' htmx requests set.
- **Remote access** (`--allow-remote`): every request needs the random access token printed at start, in a
  cookie (set once from `?token=` on the printed URL) or a header.

Every response gets a strict Content-Security-Policy, so even a string that escaped escaping could not run.
Uploads are limited while they are read (`limited_form`), not after.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import FormData, Headers, UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from assistant.errors import InputError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
TOKEN_HEADER = "x-outreach-token"
TOKEN_COOKIE = "outreach_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file itself

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Guard:
    """The bound address and the secrets of one server run."""

    host: str
    port: int
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    access_token: str | None = None  # set only with --allow-remote

    @property
    def allowed_hosts(self) -> frozenset[str] | None:
        """Host header values we answer; None when remote access is on (the token checks instead)."""
        if self.access_token is not None:
            return None
        names = {self.host, *LOOPBACK_NAMES} if self.host in LOOPBACK_NAMES else {self.host}
        return frozenset(f"{name}:{self.port}" for name in names)

    def refusal(self, method: str, headers: Headers) -> tuple[int, str] | None:
        """Why this request must be refused (status, message), or None; the token is checked apart."""
        host = headers.get("host", "")
        allowed = self.allowed_hosts
        if allowed is not None and host not in allowed:
            return 421, f"this server answers only to {', '.join(sorted(allowed))}; refused Host {host!r}"
        if method not in STATE_CHANGING:
            return None
        if not _same_origin(headers, host):
            return 403, "cross-site request refused: it did not come from this app's own pages"
        if not secrets.compare_digest(headers.get(CSRF_HEADER, ""), self.csrf_token):
            return 403, "missing or wrong CSRF token: reload the page and try again"
        return None

    def has_token(self, headers: Headers, cookies: dict[str, str]) -> bool:
        if self.access_token is None:
            return True
        given = headers.get(TOKEN_HEADER) or cookies.get(TOKEN_COOKIE) or ""
        return secrets.compare_digest(given, self.access_token)


def _same_origin(headers: Headers, host: str) -> bool:
    origin = headers.get("origin")
    if origin is not None:
        return origin == f"http://{host}"
    referer = headers.get("referer")
    if referer is None:
        return False
    parts = urlsplit(referer)
    return parts.scheme == "http" and parts.netloc == host


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self.guard.refusal(request.method, request.headers)
        if refused is not None:
            await _secured(PlainTextResponse(refused[1], status_code=refused[0]))(scope, receive, send)
            return
        if not self.guard.has_token(request.headers, dict(request.cookies)):
            await self._token_gate(request)(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_secured)

    def _token_gate(self, request: Request) -> Response:
        """`?token=` on the printed URL becomes a cookie, and the token leaves the address bar (and history)."""
        given = parse_qs(request.url.query).get("token", [""])[0]
        if self.guard.access_token and given and secrets.compare_digest(given, self.guard.access_token):
            response: Response = RedirectResponse(request.url.path, status_code=303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            return _secured(response)
        message = "this server needs its access token: open the URL that `outreach serve` printed at start"
        return _secured(PlainTextResponse(message, status_code=401))


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


# ---------------------------------------------------------------- uploads


class UploadTooLarge(InputError):
    def __init__(self, limit: int) -> None:
        mb = limit // (1024 * 1024)
        super().__init__(f"the file is over {mb} MB; the limit is {mb} MB")


async def limited_form(request: Request, limit: int) -> FormData:
    """The request's form, with the body cut off once it passes `limit` (plus multipart framing): a declared
    Content-Length over the limit is refused before reading, and a body that lies or is chunked is refused as
    soon as the bytes read pass it. Raises UploadTooLarge."""
    ceiling = limit + MULTIPART_SLACK
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > ceiling:
        raise UploadTooLarge(limit)
    seen = 0

    async def receive() -> Message:
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > ceiling:
                raise UploadTooLarge(limit)
        return message

    return await Request(request.scope, receive).form(max_files=1, max_fields=20)


@dataclass(frozen=True)
class Upload:
    form: FormData
    filename: str  # the student's own base name, made safe (its suffix chooses the reader)
    data: bytes


async def read_upload(request: Request, limit: int, *, missing: str, default_name: str) -> Upload:
    """The form's `file` field, read within `limit`; `missing` is the error when no file was chosen."""
    form = await limited_form(request, limit)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError(missing)
    return Upload(form, safe_filename(upload.filename, default_name), await upload.read())


def safe_filename(name: str, default: str) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", Path(name or "").name).strip(" .")[:120]
    return base or default
