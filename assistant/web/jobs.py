"""Running the synchronous library off the event loop, and streaming what it reports as server-sent events.

Two kinds of thread:

- **the library thread**: one long-lived thread that owns the server's `PaperIndex`. The catalog's SQLite
  connection may only be used by the thread that opened it, and the index keeps its vectors and keyword
  statistics warm between requests, so every page that reads the store runs its library call here, one at a time.
- **job threads**: ingest and batch runs, which take minutes, get a thread (and an index) of their own so the
  pages stay responsive; SQLite and Chroma handle the concurrent writer.

A `Job` is a stream of events from a thread to one browser: each event is an HTML fragment that the htmx SSE
extension swaps into the page; the last is named `done`. When the browser goes away before `done`, the job is
marked cancelled, and work that can stop early (an LLM answer being streamed) stops at its next chunk.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import secrets
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_JOBS_KEPT = 50  # finished jobs are kept so a reconnecting browser still gets the final fragment


class LibraryThread:
    """A daemon thread that runs one call at a time, for the life of the process: what it builds (the index and
    its SQLite connection) can only be used on it, so it is never replaced."""

    def __init__(self, name: str = "outreach-library") -> None:
        self._calls: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            fn, future = self._calls.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the awaiting request, which renders it
                future.set_exception(exc)

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._calls.put((fn, future))
        return future

    async def call(self, fn: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))


class JobCancelled(Exception):
    """Raised inside a job's work when its browser has gone away."""


@dataclass(frozen=True)
class Event:
    name: str
    html: str

    def encoded(self) -> str:
        # A data field cannot hold a newline: each line of the fragment is its own `data:` line.
        return f"event: {self.name}\n" + "".join(f"data: {line}\n" for line in self.html.split("\n")) + "\n"


class Job:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.id = secrets.token_urlsafe(12)
        self.cancelled = threading.Event()
        self._loop = loop
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._final: Event | None = None
        self._final_delivered = False

    def emit(self, name: str, html: str) -> None:
        """Queue an event for the browser; callable from any thread."""
        event = Event(name, html)
        if name == "done":
            self._final = event
        try:
            self._loop.call_soon_threadsafe(self._events.put_nowait, event)
        except RuntimeError:  # the server stopped while the work ran: nobody is left to tell
            self.cancelled.set()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise JobCancelled

    @property
    def finished(self) -> bool:
        return self._final is not None

    async def stream(self) -> AsyncIterator[str]:
        """The events as SSE text, ending after `done`; a browser that leaves first cancels the job."""
        if self._final_delivered and self._final is not None:  # a reconnect after the end: the result again
            yield self._final.encoded()
            return
        try:
            while True:
                event = await self._events.get()
                yield event.encoded()
                if event.name == "done":
                    self._final_delivered = True
                    return
        finally:
            if not self._final_delivered:
                self.cancelled.set()


Work = Callable[[Job], str]


class Jobs:
    """Jobs by id. `start` runs `work(job)` (its return value is the `done` fragment) on the given runner."""

    def __init__(self, on_error: Callable[[BaseException], str]) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._on_error = on_error

    def start(self, work: Work, *, library: LibraryThread | None = None) -> Job:
        job = Job(asyncio.get_running_loop())
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS_KEPT:
            oldest = next(iter(self._jobs))
            self._jobs.pop(oldest).cancelled.set()

        def run() -> None:
            try:
                html = work(job)
            except JobCancelled:
                html = ""
            except Exception as exc:  # rendered for the user; the message never holds CV text (see app.py)
                html = self._on_error(exc)
            job.emit("done", html)

        if library is not None:
            library.submit(run)
        else:
            threading.Thread(target=run, name=f"outreach-job-{job.id[:6]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)
