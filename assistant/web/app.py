"""The web app: `create_app(settings, guard)` builds the Starlette application that `outreach serve` runs.

The app has no logic of its own: each route (routes_*.py) parses the request, calls one function of
`services.py` (the library call the matching CLI command makes) and renders a template. Templates autoescape
everything: paper abstracts, CV text and model output are data, never markup.
"""

from __future__ import annotations

import logging
import time

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from assistant.settings import Settings
from assistant.web import routes_corpus, routes_draft, routes_student
from assistant.web.jobs import Jobs
from assistant.web.security import ASGIApp, Guard, Message, Receive, Scope, SecurityMiddleware, Send, UploadTooLarge
from assistant.web.services import NotFoundError, OutreachError, Services
from assistant.web.views import Views, sse_response, user_message, views

access_log = logging.getLogger("outreach.web.access")


async def job_events(request: Request) -> Response:
    job = request.app.state.jobs.get(request.path_params["job_id"])
    if job is None:
        raise HTTPException(404, "no such job: it finished long ago, or the server restarted")
    return sse_response(job.stream())


async def home(request: Request) -> Response:
    return RedirectResponse("/store", status_code=303)


def _error(request: Request, status: int, message: str) -> Response:
    """A fragment for htmx to swap in where the result would have gone; a whole page for a link followed."""
    name = "_error.html" if request.headers.get("hx-request") else "error.html"
    return views(request).page(name, status=status, message=message, active="")


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, exc.detail)


async def outreach_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 413 if isinstance(exc, UploadTooLarge) else 400
    return _error(request, status, user_message(exc, request.app.state.services.settings.debug))


class AccessLog:
    """One line per request, method, path and status only: query strings can carry CV text or the access token,
    and bodies are never logged. (uvicorn's own access log is off.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            ms = 1000 * (time.perf_counter() - started)
            access_log.info("%s %s %d %.0fms", scope["method"], scope["path"], status, ms)


def create_app(settings: Settings, guard: Guard) -> Starlette:
    services = Services(settings)
    routes = [
        Route("/", home),
        Route("/jobs/{job_id}/events", job_events),
        *routes_corpus.routes,
        *routes_student.routes,
        *routes_draft.routes,
        Mount("/static", StaticFiles(packages=[("assistant.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessLog), Middleware(SecurityMiddleware, guard=guard)],
        exception_handlers={HTTPException: http_error, OutreachError: outreach_error},
    )
    app.state.services = services
    app.state.views = Views(guard, services)
    app.state.jobs = Jobs(app.state.views.error_html)
    app.state.guard = guard
    return app
