"""Work that outlives a request: streamed answers, the LLM path and its failures, OpenAlex, the batch."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from starlette.testclient import TestClient

from assistant.batch.journal import JOURNAL, Journal, JournalRecord
from assistant.cv import read_cv
from assistant.settings import Settings
from assistant.web import services as lib
from assistant.web.jobs import JobCancelled, Jobs
from tests.openai_mock import CHAT_URL, ResponseQueue, error, sse, structured
from tests.test_draft import faithful_draft
from tests.test_web import MAYA, MIRZA, RAZA, upload_cv
from tests.web_support import client_for, final, job_events, make_app, mocked_openalex


@pytest.fixture
def client(sample_store: Path) -> Iterator[TestClient]:
    with client_for(make_app()) as c:
        yield c


@pytest.fixture
def llm_client(sample_store: Path, llm_settings: Settings) -> Iterator[TestClient]:
    with client_for(make_app(llm_settings)) as c:
        yield c


# ---------------------------------------------------------------- jobs


def test_a_browser_that_leaves_stops_the_work_instead_of_leaving_a_thread_behind() -> None:
    stopped = threading.Event()

    def work(job: Any) -> str:
        try:
            while True:
                job.check()
                job.emit("text", "<span>more</span>")
                time.sleep(0.01)
        finally:
            stopped.set()

    async def browse_then_leave() -> None:
        job = Jobs(on_error=str).start(work)
        stream = job.stream()
        assert (await anext(stream)).startswith("event: text\ndata: <span>more</span>")
        await stream.aclose()  # what Starlette does when the connection drops
        assert job.cancelled.is_set()

    asyncio.run(browse_then_leave())
    assert stopped.wait(2), "the job's thread kept running after its browser left"


def test_an_event_with_several_lines_is_sent_as_several_data_lines() -> None:
    async def one() -> str:
        job = Jobs(on_error=str).start(lambda job: "line one\nline two")
        return "".join([chunk async for chunk in job.stream()])

    assert asyncio.run(one()) == "event: done\ndata: line one\ndata: line two\n\n"


def test_a_failed_job_ends_with_its_error_and_the_cancel_exception_stays_inside() -> None:
    async def run(work: Any) -> str:
        job = Jobs(on_error=lambda exc: f"error: {exc}").start(work)
        return "".join([chunk async for chunk in job.stream()])

    def broken(job: Any) -> str:
        raise ValueError("boom")

    def cancelled(job: Any) -> str:
        raise JobCancelled

    assert "data: error: boom" in asyncio.run(run(broken))
    assert asyncio.run(run(cancelled)) == "event: done\ndata: \n\n"


# ---------------------------------------------------------------- the LLM path


def test_an_llm_answer_streams_chunk_by_chunk_then_links_its_markers(llm_client: TestClient) -> None:
    chunks = ["XMAS removes redundancy in LVLM ", "training data [", "1]. It beats every baseline [", "7]."]
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(sse(chunks)))
        fragment = llm_client.post(f"/professors/{MIRZA}/ask", data={"question": "What about data selection?"}).text
        found = job_events(llm_client, fragment)
    texts = [data for name, data in found if name == "text"]
    assert len(texts) >= 3  # it streamed, it did not arrive at once
    assert "[7]" not in "".join(texts)  # a marker to a paper that was not retrieved never reaches the page
    done = found[-1][1]
    assert 'class="marker" href="#paper-' in done and "hard · citations" in done


def test_an_llm_draft_and_a_failed_call_that_loses_nothing(llm_client: TestClient, no_sleep: list[float]) -> None:
    upload_cv(llm_client)
    good = faithful_draft(Settings(), read_cv(MAYA))
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(structured(good)))
        editor = llm_client.post(f"/draft/{MIRZA}/generate").text
    assert "Guardrails: PASSED" in editor and "Made by: llm (gpt-4o-mini)" in editor
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(*[error(429, "slow down")] * 3))
        failed = llm_client.post(f"/draft/{MIRZA}/generate")
    assert failed.status_code == 400 and 'class="error"' in failed.text and "429" in failed.text
    assert len(no_sleep) == 2  # retried as the CLI retries, then gave up
    kept = llm_client.get(f"/draft/{MIRZA}").text
    assert "Made by: llm (gpt-4o-mini)" in kept and "multi-token prediction" in kept  # the draft is still there
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(error(401, "Incorrect API key provided")))
        rejected = llm_client.post(f"/draft/{MIRZA}/generate").text
    assert "rejected the API key" in rejected and "sk-test" not in rejected


def test_a_recheck_whose_verifier_is_down_is_unverified_never_passed(
    sample_store: Path, llm_settings: Settings, monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]
) -> None:
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "auto")
    good = faithful_draft(Settings(), read_cv(MAYA))
    with client_for(make_app(Settings())) as c:
        upload_cv(c)
        with respx.mock:
            # the draft, then its support check; then the edited email's re-check meets a verifier that is down
            respx.post(CHAT_URL).mock(side_effect=ResponseQueue(structured(good), *[error(503, "down")] * 9))
            c.post(f"/draft/{MIRZA}/generate")
            checked = c.post(f"/draft/{MIRZA}/verify", data={"subject": good.subject, "body": good.body}).text
    assert "UNVERIFIED" in checked and "Guardrails: PASSED" not in checked
    assert "unverified · support" in checked and "verifier" in checked


# ---------------------------------------------------------------- OpenAlex


def test_an_ambiguous_openalex_name_lists_candidates_and_a_pick_ingests_that_one(client: TestClient) -> None:
    chosen = "A5001234567"
    with mocked_openalex("J. Smith", chosen):
        listed = final(client, client.post("/store/openalex", data={"query": "J. Smith"}).text)
        assert "so we will not guess" in listed
        assert listed.count("<button>Ingest A") == 3 and f'name="query" value="{chosen}"' in listed
        assert "J. Smith" not in client.get("/store/professors").text  # nothing ingested on a guess
        done = final(client, client.post("/store/openalex", data={"query": chosen}).text)
    assert "Ingested openalex:A5001234567" in done and "5 new" in done
    assert "J. Smith" in client.get("/store/professors").text


# ---------------------------------------------------------------- batch


def run_batch(client: TestClient) -> str:
    started = client.post("/batch/start", data={"concurrency": "2"})
    assert started.status_code == 200, started.text
    run = client.app.state.batch  # type: ignore[attr-defined]
    run.thread.join(60)
    assert not run.running
    return client.get("/batch/events").text


def test_batch_drafts_the_shortlist_reports_each_professor_and_serves_the_review(client: TestClient) -> None:
    for pid in (MIRZA, RAZA):
        client.post(f"/shortlist/{pid}/add")
    assert "Upload your CV first" in client.get("/batch").text
    upload_cv(client)
    progress = run_batch(client)
    assert "2 of 2 finished" in progress and progress.count("done: clean") == 2
    review = client.get("/batch/review/")
    assert review.status_code == 200 and "Baharan Mirzasoleiman" in review.text
    assert client.get(f"/batch/review/{MIRZA}.eml").text.startswith("Subject:")
    for bad in ("..%2Fcatalog.sqlite", "journal.jsonl", "nothing.md"):
        assert client.get(f"/batch/review/{bad}").status_code == 404
    assert "<option selected>drafted</option>" in client.get("/shortlist").text


def test_an_interrupted_batch_is_shown_from_its_journal_and_resumes(sample_store: Path) -> None:
    with client_for(make_app()) as client:
        for pid in (MIRZA, RAZA):
            client.post(f"/shortlist/{pid}/add")
        upload_cv(client, keep="1")
        run_batch(client)
    folder = sample_store / "web" / "batch"
    record = Journal(folder / JOURNAL).latest()[RAZA]
    # as if killed mid-draft
    Journal(folder / JOURNAL).append(JournalRecord(key=RAZA, state="running", input_hash=record.input_hash))
    with client_for(make_app()) as restarted:  # a new server reads the journal
        page = restarted.get("/batch").text
        assert "did not finish" in page and ">Resume</button>" in page
        assert "running" in page
        progress = run_batch(restarted)
    assert "2 of 2 finished" in progress and "did not finish" not in progress
    assert Journal(folder / JOURNAL).latest()[RAZA].state == "done"


def test_stop_ends_the_batch_after_the_drafts_in_progress_and_keeps_them(sample_store: Path) -> None:
    settings = Settings()
    with client_for(make_app(settings)) as client:
        for pid in (MIRZA, RAZA):
            client.post(f"/shortlist/{pid}/add")
    student = lib.read_uploaded_cv(settings, MAYA.name, MAYA.read_bytes(), offline=True)
    folder = sample_store / "web" / "batch"
    with pytest.raises(lib.BatchStopped, match="press Resume"):
        lib.run_shortlist_batch(settings, student, folder, offline=True, concurrency=1, stop=lambda: True)
    states = [item.state for item in lib.batch_items(folder)]
    assert "done" in states and set(states) <= {"done", "pending", "running"}  # what finished is kept
    assert not (folder / "summary.json").exists()  # the run ended early; Resume finishes it
