"""The one seam to the OpenAlex API: every request goes through `OpenAlexSession.get_json`.

It adds the key (and the optional `mailto`), answers from the on-disk cache when one is attached, counts the
request on the meter (which enforces --max-calls and reads the X-RateLimit-* headers), follows a merged
entity's 301 itself so the key goes along, retries transient faults via `assistant.retry`, and turns every
failure into an `OutreachError` a user can act on. The key is a SecretStr: it is never logged, never put in an
error message and never part of a cache key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlencode

import httpx

from assistant.errors import NotFoundError, OutreachError, RemoteServiceError
from assistant.retry import call_with_retries
from assistant.settings import Settings
from assistant.sources.openalex.cache import ResponseCache, request_url
from assistant.sources.openalex.meter import Meter, Tier, allowance_spent, classify
from assistant.sources.openalex.parse import Json, as_str

log = logging.getLogger(__name__)

USER_AGENT = "outreach/0.1"
KEY_URL = "https://openalex.org/settings/api"
KEY_HELP = f"set OPENALEX_API_KEY (a free key from {KEY_URL})"
MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 307, 308}
_API_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]+", re.IGNORECASE)
# A works search carries words of the student's CV, which are never logged.
_SEARCH_IN_TEXT = re.compile(r"(search(?:\.\w+)?=)[^&\s'\"]+", re.IGNORECASE)

Params = dict[str, str | int]


@dataclass(frozen=True)
class Request:
    """One GET, as the plan counts it and the cache keys it."""

    path: str
    params: Params = field(default_factory=dict)

    @property
    def tier(self) -> Tier:
        return classify(self.path, self.params)


def openalex_client(settings: Settings) -> httpx.Client:
    """The HTTP client for OpenAlex. Redirects are not followed here: the session follows a merged entity's 301
    itself, so that the key travels with the redirected request and only to OpenAlex's own host."""
    _hide_api_key_in_httpx_logs()
    agent = f"{USER_AGENT} (mailto:{settings.openalex_mailto})" if settings.openalex_mailto else USER_AGENT
    return httpx.Client(
        base_url=settings.openalex_base_url,
        timeout=httpx.Timeout(settings.openalex_timeout_s, connect=10.0),
        headers={"User-Agent": agent, "Accept": "application/json"},
        follow_redirects=False,
    )


def require_key(settings: Settings, what: str) -> None:
    """Since 2026-02-13 OpenAlex wants a key; without one the allowance is a cent a day."""
    if not has_key(settings):
        raise OutreachError(
            f"{what} needs an OpenAlex API key: {KEY_HELP}, then put OPENALEX_API_KEY=... in your environment or "
            "in .env. Without a key OpenAlex allows about $0.01 of calls a day, not enough for this."
        )


def has_key(settings: Settings) -> bool:
    return settings.openalex_api_key is not None and bool(settings.openalex_api_key.get_secret_value())


class _RedactQuery(logging.Filter):
    """httpx logs every request URL at INFO level; OpenAlex takes the key in the query string, and a search
    carries the student's words."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        lowered = message.lower()
        if "api_key=" in lowered or "search" in lowered:
            record.msg = loggable(message)
            record.args = None
        return True


def loggable(text: str) -> str:
    return _SEARCH_IN_TEXT.sub(r"\1…", _API_KEY_IN_TEXT.sub(r"\1***", text))


def _hide_api_key_in_httpx_logs() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactQuery) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactQuery())


class _AllowanceSpent(Exception):
    """A 429 that means the day's allowance is gone. It carries no HTTP status, so retry.py does not retry it:
    waiting minutes for an allowance that comes back tomorrow helps nobody."""


class OpenAlexSession:
    """A client plus the optional cache and the meter. Use as a context manager; a client the caller passes in
    is used as is and left open."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        cache: ResponseCache | None = None,
        meter: Meter | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.meter = meter or Meter()
        self._client = client
        self._owns_client = client is None
        _hide_api_key_in_httpx_logs()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = openalex_client(self.settings)
        return self._client

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> OpenAlexSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    def url(self, request: Request) -> str:
        return request_url(self.settings.openalex_base_url, request.path, request.params)

    def peek(self, request: Request) -> Json | None:
        """The cached answer to `request`, without touching the network (None when there is none)."""
        return self.cache.get(self.url(request)) if self.cache else None

    def get_json(self, path: str, params: Params | None = None, *, not_found: str | None = None) -> Json:
        """GET `path`: from the cache when fresh, else from OpenAlex with retries; a JSON object, or an
        OutreachError saying what to do."""
        request = Request(path, dict(params or {}))
        url = self.url(request)
        if (hit := self.peek(request)) is not None:
            self.meter.cached += 1
            log.debug("OpenAlex cache hit %s", url)
            return hit
        data = self._fetch(request, not_found)
        if self.cache:
            self.cache.put(url, data)
        return data

    def _fetch(self, request: Request, not_found: str | None) -> Json:
        shown = loggable(f"{request.path}?{urlencode(request.params)}" if request.params else request.path)
        log.debug("OpenAlex GET %s", shown)
        attempts = 0

        def once() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            response = self._send(request, shown)
            if response.status_code == 429 and allowance_spent(response.headers):
                raise _AllowanceSpent
            response.raise_for_status()  # so retry.py sees the status (and Retry-After) of a failure
            return response

        settings = self.settings
        attempts_allowed, backoff = settings.openalex_max_attempts, settings.openalex_max_backoff_s
        try:
            response = call_with_retries(once, what="OpenAlex", attempts=attempts_allowed, max_backoff=backoff)
        except _AllowanceSpent:
            raise RemoteServiceError(_allowance_message(settings), status=429, attempts=attempts) from None
        except httpx.HTTPStatusError as exc:
            # `from None`: the httpx message carries the full URL, key included.
            raise _status_error(exc.response, request.path, attempts, settings, not_found) from None
        except httpx.HTTPError as exc:
            raise RemoteServiceError(
                f"could not reach OpenAlex at {settings.openalex_base_url}{request.path} after {attempts} attempt(s) "
                f"({type(exc).__name__}: {_redact(str(exc), settings)}); check your network and OPENALEX_BASE_URL, "
                "or try later",
                attempts=attempts,
            ) from None
        return _json_object(response, request.path, attempts)

    def _send(self, request: Request, shown: str) -> httpx.Response:
        """One attempt, following a merged entity's redirects (each hop is a request on the meter)."""
        target = request.path
        for _ in range(MAX_REDIRECTS + 1):
            self.meter.admit(request.tier, shown)
            response = self.client.get(target, params={**request.params, **_auth_params(self.settings)})
            self.meter.observe(response.headers)
            if response.status_code not in _REDIRECTS:
                return response
            target = self._redirect_target(response, shown)
            log.info("OpenAlex: %s was merged into %s; following", shown, target)
        raise RemoteServiceError(f"OpenAlex redirected {shown} more than {MAX_REDIRECTS} times; try later")

    def _redirect_target(self, response: httpx.Response, shown: str) -> str:
        location = response.headers.get("location")
        if not location:
            raise RemoteServiceError(f"OpenAlex answered HTTP {response.status_code} without a Location for {shown}")
        target = response.request.url.join(location).copy_with(query=None)
        if target.host != httpx.URL(self.settings.openalex_base_url).host:
            # The key rides in the query string: never hand it to another host.
            raise RemoteServiceError(f"OpenAlex redirected {shown} to another host ({target.host}); not following")
        return str(target)


@contextmanager
def session_scope(settings: Settings, session: OpenAlexSession | None) -> Iterator[OpenAlexSession]:
    """The caller's session as is, or a plain one (no cache, no budget) closed afterwards."""
    if session is not None:
        yield session
        return
    with OpenAlexSession(settings) as own:
        yield own


def _auth_params(settings: Settings) -> dict[str, str]:
    params: dict[str, str] = {}
    if settings.openalex_mailto:  # the pre-2026 "polite pool"; harmless now, and still identifies the caller
        params["mailto"] = settings.openalex_mailto
    if has_key(settings):
        assert settings.openalex_api_key is not None
        params["api_key"] = settings.openalex_api_key.get_secret_value()
    return params


def _json_object(response: httpx.Response, path: str, attempts: int) -> Json:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RemoteServiceError(
            f"OpenAlex returned malformed JSON for {path} (HTTP {response.status_code}); try later, "
            "or check OPENALEX_BASE_URL points at the OpenAlex API",
            status=response.status_code,
            attempts=attempts,
        )
    return data


def _allowance_message(settings: Settings) -> str:
    if not has_key(settings):
        return f"OpenAlex's daily allowance without a key (about $0.01) is spent (HTTP 429); {KEY_HELP}"
    return (
        "OpenAlex says your key's daily allowance is spent (HTTP 429, X-RateLimit-Remaining: 0). It comes back "
        "tomorrow; for more, see https://openalex.org/pricing. Answers fetched so far are cached."
    )


def _status_error(
    response: httpx.Response, path: str, attempts: int, settings: Settings, not_found: str | None
) -> NotFoundError | RemoteServiceError:
    status = response.status_code
    if status == 404 and not_found:
        return NotFoundError(not_found)
    said = _server_message(response, settings)
    keyed = has_key(settings)
    if status == 429:
        hint = (
            "your OPENALEX_API_KEY's daily allowance may be spent; try later"
            if keyed
            else f"without a key OpenAlex allows about $0.01 a day: {KEY_HELP}"
        )
        message = f"OpenAlex rate limit (HTTP 429) persisted after {attempts} attempts; {hint}"
    elif status in (401, 403):
        hint = f"check OPENALEX_API_KEY (a new one at {KEY_URL})" if keyed else KEY_HELP
        message = (
            f"OpenAlex refused the request to {path} (HTTP {status}{said}); {hint}. HTTP 403 can also mean too "
            "many requests per second: slow down and try later"
        )
    elif attempts > 1:  # a transient status (5xx, 408...) that outlasted the retries
        kind = "server error" if status >= 500 else "error"
        message = f"OpenAlex {kind} (HTTP {status}{said}) persisted after {attempts} attempts on {path}; try later"
    else:
        message = f"OpenAlex rejected the request to {path} (HTTP {status}{said}); likely a bug, please report it"
    return RemoteServiceError(message, status=status, attempts=attempts)


def _server_message(response: httpx.Response, settings: Settings) -> str:
    """OpenAlex explains errors as {"error": ..., "message": ...}; quote it briefly, key-free."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    text = as_str(body.get("message")) or as_str(body.get("error"))
    return f": {_redact(text, settings)[:200]}" if text else ""


def _redact(text: str, settings: Settings) -> str:
    key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else ""
    text = _API_KEY_IN_TEXT.sub(r"\1***", text)
    return text.replace(key, "***") if key else text
