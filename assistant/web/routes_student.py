"""The student's side: the CV as understood, the ranked professors, and the shortlist."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assistant.web import services as lib
from assistant.web.security import read_upload
from assistant.web.views import views

SECTIONS = ("interests", "publications", "experience", "skills", "education", "awards")


async def current_student(request: Request) -> lib.Student | None:
    """The CV in memory; at the first request after a restart, the one the student chose to keep, if any."""
    services: lib.Services = request.app.state.services
    if services.student is None and not getattr(request.app.state, "saved_cv_checked", False):
        request.app.state.saved_cv_checked = True
        services.student = await run_in_threadpool(lib.saved_cv, services)
    return services.student


async def cv_page(request: Request) -> Response:
    student = await current_student(request)
    return views(request).page("cv.html", student=student, sections=SECTIONS)


async def cv_upload(request: Request) -> Response:
    services: lib.Services = request.app.state.services
    upload = await read_upload(
        request, lib.MAX_CV_BYTES, missing="choose your CV: PDF, DOCX, Markdown or text", default_name="cv"
    )
    offline = bool(upload.form.get("offline"))
    student = await run_in_threadpool(
        lib.read_uploaded_cv, services.settings, upload.filename, upload.data, offline=offline
    )
    services.forget_student()  # the old CV, its saved copy and the drafts that quote it
    if upload.form.get("keep"):
        await run_in_threadpool(lib.save_cv, services, student, upload.data)
    services.student = student
    return views(request).page("_cv.html", student=student, sections=SECTIONS)


async def cv_delete(request: Request) -> Response:
    request.app.state.services.forget_student()
    return views(request).page("_cv.html", student=None, sections=SECTIONS)


def _filtered(
    rows: list[lib.MatchResult], affiliations: dict[str, str], place: str, text: str
) -> list[lib.MatchResult]:
    words = text.casefold().split()

    def keep(r: lib.MatchResult) -> bool:
        where = affiliations.get(r.professor_id, "")
        if place and where != place:
            return False
        haystack = " ".join([r.name, where, *(f"{e.title} {e.cv_item}" for e in r.evidence)]).casefold()
        return all(w in haystack for w in words)

    return [r for r in rows if keep(r)]


async def _match_context(request: Request) -> dict[str, Any]:
    services: lib.Services = request.app.state.services
    student = await current_student(request)
    place, text = request.query_params.get("affiliation", ""), request.query_params.get("q", "")
    if student is None:
        return {"rows": None, "affiliations": {}, "place": place, "text": text, "on_list": set()}

    def rank(index: lib.PaperIndex) -> tuple[list[lib.MatchResult], dict[str, str], set[str]]:
        profs, _ = lib.professors(index)
        where = {p.id: p.affiliation or "" for p in profs}
        return services.ranking(index, student), where, lib.shortlisted_ids(index)

    ranked, where, on_list = await services.call(rank)
    rows = _filtered(ranked, where, place, text)
    return {
        "rows": rows,
        "ranks": {r.professor_id: i for i, r in enumerate(ranked, 1)},
        "affiliations": where,
        "place": place,
        "text": text,
        "on_list": on_list,
        "segments": lib.term_segments,
    }


async def match_page(request: Request) -> Response:
    return views(request).page("match.html", **await _match_context(request))


async def match_rows(request: Request) -> Response:
    return views(request).page("_match_rows.html", **await _match_context(request))


async def shortlist_add(request: Request) -> Response:
    pid = request.path_params["professor_id"]
    await request.app.state.services.call(lambda index: lib.shortlist_add(index, pid))
    return views(request).page("_on_shortlist.html", professor_id=pid)


async def shortlist_page(request: Request) -> Response:
    entries = await request.app.state.services.call(lib.shortlist_entries)
    return views(request).page("shortlist.html", entries=entries, statuses=lib.STATUSES)


async def shortlist_edit(request: Request) -> Response:
    pid = request.path_params["professor_id"]
    form = await request.form()
    status = str(form["status"]) if "status" in form else None
    note = str(form["note"]) if "note" in form else None

    def edit(index: lib.PaperIndex) -> list[lib.ShortlistEntry]:
        lib.shortlist_update(index, pid, status=status, note=note)
        return lib.shortlist_entries(index)

    entries = await request.app.state.services.call(edit)
    entry = next(e for e in entries if e.professor_id == pid)
    return views(request).page("_shortlist_saved.html", entry=entry, saved=True)


async def shortlist_remove(request: Request) -> Response:
    pid = request.path_params["professor_id"]
    await request.app.state.services.call(lambda index: lib.shortlist_remove(index, pid))
    return Response(status_code=200)  # htmx swaps the row for nothing


routes = [
    Route("/cv", cv_page),
    Route("/cv", cv_upload, methods=["POST"]),
    Route("/cv/delete", cv_delete, methods=["POST"]),
    Route("/match", match_page),
    Route("/match/rows", match_rows),
    Route("/shortlist", shortlist_page),
    Route("/shortlist/{professor_id}", shortlist_edit, methods=["POST"]),
    Route("/shortlist/{professor_id}/add", shortlist_add, methods=["POST"]),
    Route("/shortlist/{professor_id}/remove", shortlist_remove, methods=["POST"]),
]
