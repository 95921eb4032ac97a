"""Rendering: one jinja2 environment for every page and fragment, with autoescaping always on."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse

from assistant.web.security import Guard
from assistant.web.services import OutreachError, Services

log = logging.getLogger("outreach.web")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("assistant.web", "templates"),
        autoescape=True,  # every template, whatever its name: nothing from a paper or a CV is markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f}"
    return env


class Views:
    """Template rendering shared by the routes (and by job threads, which render their final fragment)."""

    def __init__(self, guard: Guard, services: Services) -> None:
        self.env = environment()
        self.guard = guard
        self.services = services

    def html(self, name: str, **context: Any) -> str:
        base = {
            "csrf_token": self.guard.csrf_token,
            "student": self.services.student,
            "settings": self.services.settings,
        }
        return self.env.get_template(name).render(base | context)

    def page(self, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.html(name, **context), status_code=status)

    def error_html(self, exc: BaseException) -> str:
        return self.html("_error.html", message=user_message(exc, self.services.settings.debug))


def user_message(exc: BaseException, debug: bool = False) -> str:
    """What the page says when a library call fails. OutreachError messages are written for users (and never
    quote a CV); anything else is a bug, logged by type only, since its message could hold any text."""
    if isinstance(exc, OutreachError):
        return str(exc)
    log.error("unexpected %s", type(exc).__name__, exc_info=debug)
    return f"unexpected {type(exc).__name__}: this is a bug; the server log has details with OUTREACH_DEBUG=1"


def views(request: Request) -> Views:
    views: Views = request.app.state.views
    return views


def sse_response(stream: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(stream, media_type="text/event-stream", headers={"x-accel-buffering": "no"})
