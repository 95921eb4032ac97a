"""Drafting: one email in an editor whose guardrails re-run as the student types, and the shortlist batch."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from assistant.web import services as lib
from assistant.web.jobs import Event
from assistant.web.routes_student import current_student
from assistant.web.views import sse_response, user_message, views

BATCH_POLL_S = 0.5
BATCH_FILES = (".md", ".eml", ".json", ".csv")


def _draft(request: Request) -> lib.Draft:
    draft = request.app.state.services.drafts.get(request.path_params["professor_id"])
    if draft is None:
        raise HTTPException(404, "no draft for this professor yet: generate one first")
    return draft


def _draft_context(draft: lib.Draft | None) -> dict[str, Any]:
    if draft is None:
        return {"draft": None, "cited": [], "segments": [], "violations": []}
    found = lib.violations(draft.report)
    return {"draft": draft, "cited": lib.cited(draft), "segments": lib.draft_segments(draft), "violations": found}


async def draft_page(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    pid = request.path_params["professor_id"]
    student = await current_student(request)
    prof = await services.call(lambda index: lib.professor(index, pid))
    context = _draft_context(services.drafts.get(prof.id))
    return views(request).page("draft.html", prof=prof, student=student, **context)


async def generate(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    student = await current_student(request)
    if student is None:
        raise lib.InputError("upload your CV first (the CV page)")
    form = await request.form()
    offline = bool(form.get("offline")) or not services.settings.llm_configured
    pid = request.path_params["professor_id"]
    # A failed model call raises before anything is replaced: the draft being edited, if any, stays.
    draft = await services.call(lambda index: lib.make_draft(index, student, pid, offline=offline))
    services.drafts[draft.result.professor_id] = draft
    return views(request).page("_editor.html", **_draft_context(draft))


async def verify(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    draft = _draft(request)
    form = await request.form()
    subject, body = str(form.get("subject", "")), str(form.get("body", ""))
    checked = await services.call(lambda index: lib.recheck(index, services.student, draft, subject, body))
    services.drafts[draft.result.professor_id] = checked
    return views(request).page("_check.html", **_draft_context(checked))


async def export_eml(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    draft = _draft(request)
    text = await services.call(lambda index: lib.eml(index, services.student, draft))
    name = f"{draft.result.professor_id}.eml"
    return Response(
        text, media_type="message/rfc822", headers={"content-disposition": f'attachment; filename="{name}"'}
    )


async def mark_drafted(request: Request) -> Response:
    pid = request.path_params["professor_id"]
    await request.app.state.services.call(lambda index: lib.mark_drafted(index, pid))
    return views(request).page("_marked.html")


# ---------------------------------------------------------------- batch


class BatchRun:
    """The one batch this server may run at a time (the library's lock also guards the output folder)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.error: str | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


def _batch(request: Request) -> BatchRun:
    run: BatchRun | None = getattr(request.app.state, "batch", None)
    if run is None:
        run = request.app.state.batch = BatchRun()
    return run


def _batch_context(request: Request) -> dict[str, Any]:
    services: lib.Services = request.app.state.services
    items = lib.batch_items(services.batch_dir)
    run = _batch(request)
    unfinished = [i for i in items if i.state in ("pending", "running")]
    review = (services.batch_dir / "index.html").exists()
    return {
        "items": items,
        "running": run.running,
        "interrupted": bool(unfinished) and not run.running,
        "error": run.error,
        "review": review,
        "done": sum(1 for i in items if i.state in ("done", "failed")),
        "batch_dir": services.batch_dir,
        "stopping": run.stop.is_set() and run.running,
    }


async def batch_page(request: Request) -> Response:
    student = await current_student(request)
    entries = await request.app.state.services.call(lib.shortlist_entries)
    return views(request).page("batch.html", student=student, entries=entries, **_batch_context(request))


async def batch_start(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    student = await current_student(request)
    if student is None:
        raise lib.InputError("upload your CV first: the batch drafts from it (the same CV resumes an earlier batch)")
    run = _batch(request)
    if run.running:
        raise lib.InputError("a batch is already running")
    form = await request.form()
    offline = bool(form.get("offline")) or not services.settings.llm_configured
    concurrency = int(str(form.get("concurrency") or 4))
    run.stop.clear()
    run.error = None

    def work() -> None:
        try:
            lib.run_shortlist_batch(
                services.settings,
                student,
                services.batch_dir,
                offline=offline,
                concurrency=concurrency,
                stop=run.stop.is_set,
            )
        except Exception as exc:  # shown on the page; the journal keeps every finished draft
            run.error = user_message(exc, services.settings.debug)

    run.thread = threading.Thread(target=work, name="outreach-batch", daemon=True)
    run.thread.start()
    return views(request).page("_batch_live.html", **_batch_context(request))


async def batch_status(request: Request) -> Response:
    return views(request).page("_batch_live.html", **_batch_context(request))


async def batch_stop(request: Request) -> Response:
    _batch(request).stop.set()
    return views(request).page("_batch_live.html", **_batch_context(request))


async def batch_events(request: Request) -> Response:
    async def stream() -> AsyncIterator[str]:
        last = ""
        while True:
            context = _batch_context(request)
            html = views(request).html("_batch_progress.html", **context)
            if html != last:
                last = html
                yield Event("progress", html).encoded()
            if not context["running"]:
                yield Event("done", "").encoded()
                return
            await asyncio.sleep(BATCH_POLL_S)

    return sse_response(stream())


async def batch_file(request: Request) -> Response:
    """The batch's review page (the library's `index.html`) and the files it links to."""
    folder: Path = request.app.state.services.batch_dir
    name = request.path_params.get("name", "index.html")
    path = folder / name
    if "/" in name or not (name == "index.html" or path.suffix in BATCH_FILES) or not path.is_file():
        raise HTTPException(404, "no such batch file")
    return FileResponse(path)


routes = [
    Route("/draft/{professor_id}", draft_page),
    Route("/draft/{professor_id}/generate", generate, methods=["POST"]),
    Route("/draft/{professor_id}/verify", verify, methods=["POST"]),
    Route("/draft/{professor_id}/export.eml", export_eml),
    Route("/draft/{professor_id}/drafted", mark_drafted, methods=["POST"]),
    Route("/batch", batch_page),
    Route("/batch/start", batch_start, methods=["POST"]),
    Route("/batch/stop", batch_stop, methods=["POST"]),
    Route("/batch/status", batch_status),
    Route("/batch/events", batch_events),
    Route("/batch/review/", batch_file),
    Route("/batch/review/{name}", batch_file),
]
