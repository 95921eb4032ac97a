"""Store and professor pages: what is indexed, ingesting more (a file or OpenAlex), and asking about a lab."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from assistant.web import services as lib
from assistant.web.jobs import Job, Work
from assistant.web.security import read_upload
from assistant.web.views import views


async def store_page(request: Request) -> Response:
    profs, counts = await request.app.state.services.call(lib.professors)
    return views(request).page("store.html", professors=profs, counts=counts)


async def store_table(request: Request) -> Response:
    profs, counts = await request.app.state.services.call(lib.professors)
    return views(request).page("_professors.html", professors=profs, counts=counts)


def _progress(job: Job, request: Request, label: str) -> lib.Progress:
    v = views(request)

    def update(done: int, total: int) -> None:
        job.emit("progress", v.html("_progress.html", label=label, done=done, total=total))

    return update


def _ingest_done(request: Request, report: lib.IngestReport) -> str:
    return views(request).html("_ingest_done.html", report=report)  # which reloads the table of professors


async def ingest_file(request: Request) -> Response:
    upload = await read_upload(request, lib.MAX_INGEST_BYTES, missing="choose a file to ingest", default_name="papers")
    name, data, form = upload.filename, upload.data, upload.form
    professor = str(form.get("professor") or "").strip() or None
    collection = str(form.get("collection") or "").strip() or None
    settings = request.app.state.services.settings

    def work(job: Job) -> str:
        progress = _progress(job, request, f"Embedding the papers of {name}")
        report = lib.ingest_upload(settings, name, data, professor=professor, collection=collection, progress=progress)
        return _ingest_done(request, report)

    return _job_started(request, work, "Reading " + name)


async def ingest_openalex(request: Request) -> Response:
    form = await request.form()
    query = str(form.get("query") or "").strip()
    if not query:
        raise lib.InputError("give an author's name, ORCID or OpenAlex id (e.g. A5023888391)")
    settings = request.app.state.services.settings

    def work(job: Job) -> str:
        try:
            report = lib.ingest_author(settings, query, _progress(job, request, "Embedding their papers"))
        except lib.AmbiguousError as exc:
            return views(request).html("_candidates.html", message=str(exc).split("\n")[0], found=lib.candidates(exc))
        return _ingest_done(request, report)

    return _job_started(request, work, f"Looking up {query} on OpenAlex")


def _job_started(request: Request, work: Work, label: str, library: bool = False) -> Response:
    thread = request.app.state.services.library if library else None
    job = request.app.state.jobs.start(work, library=thread)
    return HTMLResponse(views(request).html("_job.html", job=job, label=label))


async def professor_page(request: Request) -> Response:
    services = request.app.state.services
    pid = request.path_params["professor_id"]
    prof = await services.call(lambda index: lib.professor(index, pid))
    on_list = await services.call(lib.shortlisted_ids)
    return views(request).page(
        "professor.html", prof=prof, papers=prof.papers, query="", on_shortlist=prof.id in on_list
    )


async def professor_papers(request: Request) -> Response:
    services = request.app.state.services
    pid, query = request.path_params["professor_id"], request.query_params.get("q", "")
    papers = await services.call(lambda index: lib.search_papers(index, lib.professor(index, pid), query))
    return views(request).page("_papers.html", papers=papers, query=query)


async def ask(request: Request) -> Response:
    services = request.app.state.services
    pid = request.path_params["professor_id"]
    form = await request.form()
    question = str(form.get("question") or "").strip()
    if not question:
        raise lib.InputError("type a question about this professor's papers")
    offline = bool(form.get("offline")) or not services.settings.llm_configured
    v = views(request)

    def work(job: Job) -> str:
        def on_text(text: str) -> None:
            job.check()  # the browser left: stop the model's stream here
            job.emit("text", v.html("_text.html", text=text))

        result = lib.ask(services.index(), pid, question, offline=offline, on_text=on_text)
        found = lib.violations(result.answer.guardrails)
        return v.html("_answer.html", result=result, segments=lib.answer_segments(result), violations=found)

    return _job_started(request, work, "Reading the papers", library=True)


routes = [
    Route("/store", store_page),
    Route("/store/professors", store_table),
    Route("/store/ingest", ingest_file, methods=["POST"]),
    Route("/store/openalex", ingest_openalex, methods=["POST"]),
    Route("/professors/{professor_id}", professor_page),
    Route("/professors/{professor_id}/papers", professor_papers),
    Route("/professors/{professor_id}/ask", ask, methods=["POST"]),
]
