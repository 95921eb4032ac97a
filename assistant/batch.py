"""Batch drafting: one email per professor, concurrently, rate-limited, resumable, checked across drafts.

The pipeline (each stage's result is on disk, so a re-run resumes — storm's lesson):

1. resolve the targets (a .txt/.csv list or the shortlist) against the catalog; an unknown name fails that
   item only;
2. plan each item from the journal: a draft finished with the same inputs is reused, a failed one is skipped
   unless --retry-failed, everything else is drafted;
3. draft the planned items with asyncio: a semaphore bounds the concurrency, each item runs the synchronous
   `draft_email` in a worker thread, and every LLM call first takes a slot from the rate limiter
   (ratelimit.py). One item's failure (an LLM error after retries, a bad record) never stops the others;
4. compare all drafts of the batch with each other (guardrails.similar_pairs) and record near-copies as a soft
   `copying` violation in both drafts' JSON sidecars;
5. write summary.csv, summary.json and index.html, and move clean drafts' shortlist entries to `drafted`.

The journal (`journal.jsonl` in the output folder) is append-only; each line is one state change of one item:

    {"v": 1, "ts": "...", "key": "<professor id>", "name": "...", "state": "pending|running|done|failed",
     "input_hash": "...", "status": "clean|needs review", "error": "...", "files": {"md": "<sha256>", ...},
     "tokens": {"prompt": 0, "completion": 0}}

The last line of an item wins. Draft files are written atomically (temp file, fsync, rename) *before* the
`done` line is appended and fsynced, so `kill -9` at any moment loses no finished draft and leaves no
half-written file: an item whose last state is pending/running is simply drafted again. A truncated last line
(the kill came mid-write) is ignored.

A draft is reused only when its input hash is unchanged: sha256 over the CV's text (and the model that refined
its items, if one did: cv_refine.py), settings.fingerprint()
(model, temperature, citation count, word limits, repair rounds, embedding model), the professor's paper ids and
the drafting mode (llm/offline). Change any of them and that draft is redone; the others are kept.
"""

from __future__ import annotations

import asyncio
import csv
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, Field

from assistant.catalog import Catalog
from assistant.errors import InputError, OutreachError
from assistant.files import atomic_write_text, read_text_file
from assistant.ids import slugify
from assistant.index import PaperIndex, _Snapshot
from assistant.llm import LLM, Usage
from assistant.pricing import estimate_cost
from assistant.ratelimit import RateLimiter, Reservation, estimate_tokens
from assistant.settings import Settings
from assistant.types import DraftResult, Paper, Professor, StudentProfile

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from rich.console import Console

    from assistant.embeddings import Embedder

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

JOURNAL = "journal.jsonl"
LOCK = ".batch.lock"
SUMMARY_FIELDS = [
    "professor",
    "professor_id",
    "email",
    "match_score",
    "status",
    "verdict",
    "path",
    "tokens",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "cost_note",
    "reused",
    "similar_to",
    "error",
]
Status = Literal["clean", "needs review", "failed", "skipped"]
ProgressFn = Callable[[int, int], None]


# ---------------------------------------------------------------- targets


class Target(BaseModel):
    """One professor the user asked for: a name or id as written, and an email when the list gave one."""

    name: str
    email: str | None = None
    where: str | None = None  # "file:line", for messages


def read_targets(path: Path) -> list[Target]:
    """A .txt (one name or id per line; blank lines and # comments ignored) or a .csv with a `professor` or
    `name` column and an optional `email` column."""
    text = read_text_file(path)
    if path.suffix.lower() == ".csv":
        return _csv_targets(text, path)
    targets = []
    for n, line in enumerate(text.splitlines(), start=1):
        name = line.split("#", 1)[0].strip()
        if name:
            targets.append(Target(name=name, where=f"{path}:{n}"))
    if not targets:
        raise InputError("lists no professors (one name or id per line)", path=str(path))
    return targets


def _csv_targets(text: str, path: Path) -> list[Target]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    name_col = columns.get("professor") or columns.get("name")
    if name_col is None:
        raise InputError(
            f"needs a `professor` (or `name`) column; found: {', '.join(columns) or 'no header'}", path=str(path)
        )
    email_col = columns.get("email")
    targets = []
    for n, row in enumerate(reader, start=2):
        name = (row.get(name_col) or "").strip()
        if not name or name.startswith("#"):
            continue
        email = (row.get(email_col) or "").strip() if email_col else ""
        targets.append(Target(name=name, email=email or None, where=f"{path}:{n}"))
    if not targets:
        raise InputError("lists no professors", path=str(path))
    return targets


def shortlist_targets(catalog: Catalog) -> list[Target]:
    """Shortlisted professors still to write to (status to-draft or drafted; sent/replied are left alone)."""
    from assistant import shortlist

    entries = shortlist.entries(catalog)
    wanted = [e for e in entries if e.status in ("to-draft", "drafted")]
    if len(wanted) < len(entries):
        log.info("batch: %d shortlisted professor(s) already sent/replied: not drafted", len(entries) - len(wanted))
    if not wanted:
        raise InputError("the shortlist has no professors to draft (see `outreach shortlist list`)")
    return [Target(name=e.professor_id, where="shortlist") for e in wanted]


@dataclass
class Item:
    """A target resolved (or not) against the catalog."""

    key: str  # the professor id; file names and journal records use it
    target: Target
    professor: Professor | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return self.professor.name if self.professor else self.target.name

    @property
    def email(self) -> str | None:
        return self.target.email or (self.professor.email if self.professor else None)


_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")


def _file_key(text: str) -> str:
    slug = slugify(text)[:100]
    return slug if _SAFE_KEY.match(slug) else "item-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def resolve_items(targets: Sequence[Target], catalog: Catalog, papers: Catalog | None = None) -> list[Item]:
    """Resolve every target; failures become failed items, duplicates (same professor twice) are dropped.

    `papers`, when given (the batch's frozen catalog), supplies each professor's record and papers, so names
    are resolved in `catalog` without reading every paper from SQLite a second time."""
    items: dict[str, Item] = {}
    for target in targets:
        try:
            prof = catalog.resolve(target.name, kind="professor", with_papers=papers is None)
            prof = (papers.get(prof.id) or prof) if papers else prof
        except OutreachError as exc:
            key = _file_key(target.name)
            where = f"{target.where}: " if target.where and target.where != "shortlist" else ""
            items.setdefault(key, Item(key, target, error=f"{where}{exc}"))
            continue
        key = prof.id if _SAFE_KEY.match(prof.id) else _file_key(prof.id)
        if key in items:
            log.warning("batch: %s is listed twice; drafting once", prof.name)
            continue
        items[key] = Item(key, target, professor=prof)
    return list(items.values())


# ---------------------------------------------------------------- journal


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """Append-only JSON lines, fsynced one by one; the last record of an item is its state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # worker threads append their own items' states

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                # Only a kill during a write can leave this (always the last line): the item is redone.
                log.warning("%s:%d: ignoring an incomplete journal line", self.path, n)
                continue
            if isinstance(record, dict) and "key" in record:
                out.append(record)
        return out

    def latest(self) -> dict[str, dict[str, Any]]:
        return {r["key"]: r for r in self.records()}

    def append(self, key: str, state: str, *, sync: bool = True, **fields: Any) -> None:
        """One state change. `sync=False` skips the fsync, for states whose loss only means redoing the item."""
        self.append_many([{"key": key, "state": state, **fields}], sync=sync)

    def append_many(self, records: Sequence[dict[str, Any]], *, sync: bool = True) -> None:
        stamp = _now()
        data = "".join(json.dumps({"v": 1, "ts": stamp, **r}, ensure_ascii=False) + "\n" for r in records)
        with self._lock, self.path.open("a+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell():  # a line cut short by a kill must not swallow this one
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
            fh.write(data.encode("utf-8"))
            fh.flush()
            if sync:
                os.fsync(fh.fileno())


@contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """One batch at a time per output folder: two writers would interleave the journal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / LOCK).open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise InputError(
                "another `outreach batch` is writing here; wait for it or use another --out", path=str(out_dir)
            ) from exc
        for stray in out_dir.glob(".*.tmp"):  # a temp file a killed run never renamed: never a finished draft
            stray.unlink(missing_ok=True)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------- invalidation


def cv_hash(student: StudentProfile) -> str:
    text = student.raw_text or student.model_dump_json(exclude={"source_path"})
    if student.extracted_by != "offline":  # items re-filed by an LLM are different drafting inputs
        text += "\0" + student.extracted_by
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_hash(cv_digest: str, settings: Settings, paper_ids: Sequence[str], mode: str) -> str:
    """What a draft depends on; a draft whose hash changed is redone (see the module docstring)."""
    parts = {"cv": cv_digest, "settings": settings.fingerprint(), "papers": sorted(paper_ids), "mode": mode}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


# ---------------------------------------------------------------- a thread-safe view of the index


class FrozenCatalog(Catalog):
    """The catalog as it was when the batch started, held in memory.

    Worker threads cannot share the catalog's SQLite connection (sqlite3 refuses a connection from another
    thread), and re-reading every paper for every draft would cost more than the draft. Only reads are served;
    anything else fails loudly.
    """

    def __init__(self, catalog: Catalog) -> None:  # deliberately no connection of its own
        self.path = catalog.path
        self._version = catalog.version
        self._meta = {k: catalog.get_meta(k) for k in ("embedding_model", "embedding_dimension")}
        self._all = catalog.professors(kind=None, with_papers=True)
        self._by_id = {p.id: p for p in self._all}

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the batch's frozen catalog is read-only and has no {name!r}")

    def close(self) -> None:
        pass

    @property
    def version(self) -> int:
        return self._version

    def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    def _copy(self, prof: Professor, with_papers: bool) -> Professor:
        return prof.model_copy(update={"papers": list(prof.papers) if with_papers else []})

    def get(self, professor_id: str, *, with_papers: bool = True) -> Professor | None:
        prof = self._by_id.get(professor_id)
        return self._copy(prof, with_papers) if prof else None

    def papers_of(self, professor_id: str) -> list[Paper]:
        prof = self._by_id.get(professor_id)
        return list(prof.papers) if prof else []

    def professors(self, kind: str | None = "professor", *, with_papers: bool = False) -> list[Professor]:
        return [self._copy(p, with_papers) for p in self._all if kind is None or p.kind == kind]

    def professor_ids(self, kind: str | None = None) -> list[str]:
        return [p.id for p in self._all if kind is None or p.kind == kind]

    def paper_counts(self) -> dict[str, int]:
        return {p.id: len(p.papers) for p in self._all if p.papers}

    def all_papers(self) -> list[tuple[str, Paper]]:
        return [(p.id, paper) for p in sorted(self._all, key=lambda p: p.id) for paper in p.papers]


class _LockedEmbedder:
    """Serialises calls into the shared embedding model (the MiniLM session and its memo are not ours to trust
    across threads); the ONNX run itself releases the GIL, so this costs little."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        with self._lock:
            return self.inner.embed(texts)


class FrozenIndex(PaperIndex):
    """A read-only PaperIndex for worker threads: snapshot, catalog and TF-IDF are built once, up front, in the
    calling thread; embedding calls go through a lock. Drafts never touch Chroma (they use the snapshot)."""

    def __init__(self, index: PaperIndex) -> None:
        snapshot = index.snapshot()
        snapshot.tfidf  # noqa: B018 - built lazily: build it here, not in racing worker threads
        super().__init__(index.settings, FrozenCatalog(index.catalog))
        self._frozen: _Snapshot = snapshot
        self._embedder = _LockedEmbedder(index.embedder)

    def snapshot(self) -> _Snapshot:
        return self._frozen


# ---------------------------------------------------------------- the LLM, rate-limited from worker threads


class BatchCancelled(OutreachError):
    """The batch is stopping (interrupted, or a hook asked to): no new LLM calls start."""


@dataclass
class CallGate:
    """Lets worker threads take an in-flight slot (at most --concurrency LLM requests at once) and a slot from
    the event loop's rate limiter before each LLM call."""

    limiter: RateLimiter
    loop: asyncio.AbstractEventLoop
    stop: threading.Event
    completion_tokens: int  # the reply's share of a pre-call token estimate
    in_flight: threading.Semaphore

    @contextmanager
    def slot(self) -> Iterator[None]:
        while not self.in_flight.acquire(timeout=0.05):
            self._check_stop()
        try:
            yield
        finally:
            self.in_flight.release()

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise BatchCancelled("the batch was stopped before this draft's LLM call")

    def enter(self, messages: Sequence[tuple[str, str]]) -> Reservation:
        self._check_stop()
        estimate = estimate_tokens(messages, self.completion_tokens)
        if not self.limiter.active:
            return Reservation(None, estimate)
        return asyncio.run_coroutine_threadsafe(self.limiter.acquire(estimate), self.loop).result()


class LimitedLLM(LLM):
    """The LLM seam with a rate-limit gate in front of every structured call (first draft and each repair).
    Transport retries (tenacity, inside the seam) happen within the slot the call took."""

    def __init__(self, inner: LLM, gate: CallGate) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.gate = gate

    @property
    def model(self) -> Any:
        return self.inner.model

    def structured(self, messages: list[tuple[str, str]], schema: type[T], *, what: str = "LLM") -> tuple[T, Usage]:
        with self.gate.slot():
            reservation = self.gate.enter(messages)
            try:
                parsed, usage = self.inner.structured(messages, schema, what=what)
            except BaseException:
                reservation.settle(None)  # keep the estimate: a failed call may still have cost tokens
                raise
        actual = usage.prompt_tokens + usage.completion_tokens
        reservation.settle(actual or None)  # an endpoint that reports no usage keeps the estimate
        return parsed, usage


# ---------------------------------------------------------------- one item


class BatchOptions(BaseModel):
    out_dir: Path
    concurrency: int = Field(default=4, ge=1, le=64)
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    offline: bool | None = None  # None: offline when no LLM is configured (as `outreach draft`)
    retry_failed: bool = False
    sender: str | None = None  # From: of the .eml (default: the CV's email)
    # Tokens this run already spent having the LLM read the CV (cv_refine.py): counted in the run's totals.
    cv_prompt_tokens: int = Field(default=0, ge=0)
    cv_completion_tokens: int = Field(default=0, ge=0)


@dataclass
class Written:
    result: DraftResult
    files: dict[str, str]  # format -> sha256 of what was written


def draft_paths(out_dir: Path, key: str) -> dict[str, Path]:
    return {fmt: out_dir / f"{key}.{fmt}" for fmt in ("md", "eml", "json")}


def sidecar_json(result: DraftResult, item: Item, digest: str) -> dict[str, Any]:
    from assistant.export import to_json

    data = to_json(result)
    data["professor_name"] = item.name
    data["to"] = item.email
    data["input_hash"] = digest
    return data


def write_draft(out_dir: Path, item: Item, result: DraftResult, digest: str, sender: str | None) -> dict[str, str]:
    """Markdown, .eml and the JSON sidecar, each written atomically; returns their sha256s."""
    from assistant.export import render_draft

    texts = {
        "md": render_draft(result, "md"),
        "eml": render_draft(result, "eml", to=item.email, sender=sender),
        "json": json.dumps(sidecar_json(result, item, digest), indent=2, ensure_ascii=False) + "\n",
    }
    paths = draft_paths(out_dir, item.key)
    for fmt, text in texts.items():
        atomic_write_text(paths[fmt], text)
    return {fmt: hashlib.sha256(text.encode("utf-8")).hexdigest() for fmt, text in texts.items()}


# ---------------------------------------------------------------- the run


class BatchRow(BaseModel):
    """One line of the summary."""

    professor: str
    professor_id: str
    email: str | None = None
    match_score: float | None = None
    status: Status
    verdict: str | None = None  # passed / warnings / hard violations
    path: str | None = None  # the Markdown draft, relative to the output folder
    tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    cost_note: str | None = None
    reused: bool = False  # finished in an earlier run with the same inputs: not drafted again
    similar_to: list[str] = Field(default_factory=list)
    error: str | None = None


class BatchSummary(BaseModel):
    out_dir: str
    mode: Literal["llm", "offline"]
    model: str | None
    concurrency: int
    elapsed_s: float
    rate_limit_wait_s: float = 0.0
    drafted_this_run: int = 0
    cv_tokens: int = 0  # this run's LLM reading of the CV, not part of any one draft
    cv_cost_usd: float | None = 0.0
    rows: list[BatchRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def exit_code(self) -> int:
        """0 when every item is clean; 1 when any failed, was skipped, or needs review."""
        return 0 if all(r.status == "clean" for r in self.rows) else 1


@dataclass
class Plan:
    item: Item
    action: Literal["draft", "reuse", "skip", "fail"]
    digest: str
    note: str = ""


@dataclass
class Runner:
    """Everything one batch run shares: `run_all` drafts the planned items, `run_one` drives one of them."""

    student: StudentProfile
    settings: Settings
    options: BatchOptions
    index: FrozenIndex
    journal: Journal
    llm: LLM | None
    progress: ProgressFn | None = None
    on_item: Callable[[str, str], None] | None = None  # (key, state) after each item: tests, interruption
    stop: threading.Event = field(default_factory=threading.Event)
    limiter: RateLimiter | None = None

    @property
    def offline(self) -> bool:
        return self.llm is None

    def draft_one(self, plan: Plan, llm: LLM | None) -> Written:
        """Runs in a worker thread."""
        from assistant.draft import draft_email

        assert plan.item.professor is not None
        result = draft_email(
            self.student, plan.item.professor, self.settings, offline=self.offline, index=self.index, llm=llm
        )
        sender = self.options.sender or self.student.email
        files = write_draft(self.options.out_dir, plan.item, result, plan.digest, sender)
        return Written(result, files)

    def work(self, plan: Plan, llm: LLM | None) -> str:
        """One item, start to finish, in a worker thread: the journal's file I/O (fsync included) stays off the
        event loop, which would otherwise serialise it across every concurrent item."""
        item = plan.item
        # Not fsynced: if it is lost, the item's last state is "pending", and it is redone all the same.
        self.journal.append(item.key, "running", sync=False, name=item.name, input_hash=plan.digest)
        try:
            written = self.draft_one(plan, llm)
        except BatchCancelled:  # stopping: the journal keeps "running", so the next run redoes it
            raise
        except Exception as exc:
            log.debug("batch: %s failed", item.key, exc_info=True)
            error = str(exc) if isinstance(exc, OutreachError) else f"{type(exc).__name__}: {exc}"
            self.journal.append(item.key, "failed", name=item.name, input_hash=plan.digest, error=error)
            return "failed"
        result = written.result
        # Only after the files are renamed into place: a "done" line always has its files.
        self.journal.append(
            item.key,
            "done",
            name=item.name,
            input_hash=plan.digest,
            status=result.status,
            files=written.files,
            tokens={"prompt": result.provenance.prompt_tokens, "completion": result.provenance.completion_tokens},
        )
        return "done"

    async def run_one(self, plan: Plan, sem: asyncio.Semaphore, llm: LLM | None) -> tuple[str, str]:
        async with sem:
            return plan.item.key, await asyncio.to_thread(self.work, plan, llm)

    async def run_all(self, plans: Sequence[Plan]) -> None:
        """--concurrency bounds what loads the endpoint: LLM requests in flight (CallGate). With an LLM, twice as
        many items are in progress, so retrieval, guardrails and file writes (CPU and fsyncs) of some overlap
        the model calls of others instead of holding a request slot idle. Offline it bounds the items."""
        concurrency = self.options.concurrency
        loop = asyncio.get_running_loop()
        llm: LLM | None = None
        if self.llm is not None:
            self.limiter = RateLimiter(self.options.rpm, self.options.tpm)
            gate = CallGate(
                self.limiter,
                loop,
                self.stop,
                completion_tokens=2 * self.settings.draft_max_words,
                in_flight=threading.Semaphore(concurrency),
            )
            llm = LimitedLLM(self.llm, gate)
        items_at_once = 2 * concurrency if llm is not None else concurrency
        loop.set_default_executor(ThreadPoolExecutor(max_workers=items_at_once, thread_name_prefix="outreach-batch"))
        sem = asyncio.Semaphore(items_at_once)
        tasks = [asyncio.create_task(self.run_one(p, sem, llm), name=p.item.key) for p in plans]
        done = 0
        if self.progress:
            self.progress(0, len(plans))
        try:
            for next_done in asyncio.as_completed(tasks):
                key, state = await next_done
                done += 1
                if self.progress:
                    self.progress(done, len(plans))
                if self.on_item:
                    self.on_item(key, state)
        finally:
            self.stop.set()  # threads still drafting start no new LLM call
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def plan_items(
    items: Sequence[Item], journal: Journal, options: BatchOptions, cv_digest: str, settings: Settings, mode: str
) -> list[Plan]:
    latest = journal.latest()
    plans = []
    for item in items:
        papers = [p.id for p in item.professor.papers] if item.professor else []
        digest = input_hash(cv_digest, settings, papers, mode)
        if item.professor is None:
            plans.append(Plan(item, "fail", digest))
            continue
        last = latest.get(item.key)
        if last is None or last.get("input_hash") != digest:
            plans.append(Plan(item, "draft", digest, "new" if last is None else "inputs changed"))
        elif last["state"] == "done":
            complete = all(p.exists() for p in draft_paths(options.out_dir, item.key).values())
            plans.append(Plan(item, "reuse" if complete else "draft", digest, "" if complete else "files missing"))
        elif last["state"] == "failed" and not options.retry_failed:
            plans.append(Plan(item, "skip", digest, str(last.get("error") or "failed")))
        else:  # pending/running (interrupted), or failed with --retry-failed
            plans.append(Plan(item, "draft", digest, f"was {last['state']}"))
    return plans


def match_scores(
    student: StudentProfile, settings: Settings, index: PaperIndex, ids: Sequence[str]
) -> dict[str, float]:
    from assistant.match import rank_professors

    if not ids:
        return {}
    try:
        results = rank_professors(student, settings, professor_ids=list(ids), index=index)
    except InputError as exc:  # a CV with nothing to match on can still be drafted from its other items
        log.warning("batch: no match scores: %s", exc)
        return {}
    return {r.professor_id: r.score for r in results}


def run_batch(
    student: StudentProfile,
    targets: Sequence[Target],
    settings: Settings,
    options: BatchOptions,
    *,
    index: PaperIndex | None = None,
    llm: LLM | None = None,
    progress: ProgressFn | None = None,
    on_item: Callable[[str, str], None] | None = None,
) -> BatchSummary:
    """Draft an email to every target into `options.out_dir`, resuming what an earlier run finished.

    `on_item(key, state)` is called in the event loop after each drafted item; an exception it raises stops
    the batch (the journal keeps what finished). Runs its own event loop: call it from synchronous code.
    """
    started = time.monotonic()
    out = options.out_dir
    with exclusive(out):
        index = index or PaperIndex(settings)
        frozen = FrozenIndex(index)  # built here, in the calling thread, before any worker starts
        items = resolve_items(targets, index.catalog, frozen.catalog)
        mode = settings.mode(options.offline)
        offline = mode == "offline"
        journal = Journal(out / JOURNAL)
        plans = plan_items(items, journal, options, cv_hash(student), settings, mode)
        # Only the summary needs the match scores: compute them while the first drafts wait on the model.
        scoring = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outreach-match")
        scores_future = scoring.submit(match_scores, student, settings, frozen, [i.key for i in items if i.professor])
        scoring.shutdown(wait=False)
        _journal_plans(journal, plans)
        base_llm = None if offline else (llm or LLM(settings))
        if base_llm is not None:
            base_llm.model  # noqa: B018 - build the chat model once, before threads share it
        runner = Runner(student, settings, options, frozen, journal, base_llm, progress, on_item)
        todo = [p for p in plans if p.action == "draft"]
        if todo:
            asyncio.run(runner.run_all(todo))
        sidecars = load_sidecars(out, plans, journal)
        cross_check(out, sidecars)
        scores = scores_future.result()
        rows = [_row(p, journal, sidecars, scores, out) for p in plans]
        summary = BatchSummary(
            out_dir=str(out),
            mode=mode,
            model=None if offline else settings.llm_model,
            concurrency=options.concurrency,
            elapsed_s=round(time.monotonic() - started, 3),
            rate_limit_wait_s=round(runner.limiter.waited_s, 3) if runner.limiter else 0.0,
            drafted_this_run=sum(1 for p in plans if p.action == "draft"),
            cv_tokens=options.cv_prompt_tokens + options.cv_completion_tokens,
            cv_cost_usd=estimate_cost(
                settings.llm_model if options.cv_prompt_tokens else None,
                options.cv_prompt_tokens,
                options.cv_completion_tokens,
            ).usd,
            rows=rows,
        )
        write_summary(out, summary)
        from assistant.review import write_review

        write_review(out, summary, sidecars)
        mark_drafted(index.catalog, rows)
    return summary


def _journal_plans(journal: Journal, plans: Sequence[Plan]) -> None:
    """Every item's starting state, in one write and one fsync."""
    records: list[dict[str, Any]] = []
    for plan in plans:
        item = plan.item
        base: dict[str, Any] = {"key": item.key, "name": item.name, "input_hash": plan.digest}
        if plan.action == "fail":
            records.append(base | {"state": "failed", "error": item.error})
        elif plan.action == "draft":
            if plan.note not in ("", "new"):
                log.info("batch: redrafting %s (%s)", item.key, plan.note)
            records.append(base | {"state": "pending"})
    if records:
        journal.append_many(records)


# ---------------------------------------------------------------- after the drafts: cross-check and summary


def load_sidecars(out_dir: Path, plans: Sequence[Plan], journal: Journal) -> dict[str, dict[str, Any]]:
    """The JSON sidecars of every item whose last state is done."""
    latest = journal.latest()
    found = {}
    for plan in plans:
        key = plan.item.key
        if plan.action in ("draft", "reuse") and latest.get(key, {}).get("state") == "done":
            path = draft_paths(out_dir, key)["json"]
            try:
                found[key] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                log.warning("batch: cannot read %s (%s); re-run to redraft it", path, exc)
    return found


MAX_TWINS_LISTED = 5  # per draft: enough to act on; a batch of look-alikes would otherwise list every other draft


def cross_check(out_dir: Path, sidecars: dict[str, dict[str, Any]]) -> None:
    """Flag drafts of this batch whose wording is too close to another's: a soft `copying` violation in both
    sidecars (recomputed from scratch on every run, so a redrafted or removed twin clears the flag)."""
    from assistant.guardrails import similar_pairs

    bodies = {key: str(data.get("body", "")) for key, data in sidecars.items()}
    twins: dict[str, list[tuple[str, float]]] = {key: [] for key in bodies}
    if len(bodies) > 1:
        for a, b, similarity in similar_pairs(bodies):
            twins[a].append((b, similarity))
            twins[b].append((a, similarity))
    changed: dict[Path, str] = {}
    for key, data in sidecars.items():
        guardrails = data.setdefault("guardrails", {"passed": True, "violations": []})
        before = list(guardrails.get("violations", []))
        kept = [v for v in before if not v.get("batch")]
        closest = sorted(twins[key], key=lambda t: -t[1])
        flagged: list[dict[str, Any]] = [
            {
                "check": "copying",
                "severity": "soft",
                "message": f"the wording is {similarity:.0%} similar to the draft for {other} in this batch; "
                "make each email specific to its professor",
                "span": None,
                "batch": True,
                "similar_to": other,
                "similarity": round(similarity, 3),
            }
            for other, similarity in closest[:MAX_TWINS_LISTED]
        ]
        if len(closest) > MAX_TWINS_LISTED:
            flagged[-1]["message"] += f" (and {len(closest) - MAX_TWINS_LISTED} more in this batch)"
        guardrails["violations"] = kept + flagged
        if guardrails["violations"] != before:
            changed[draft_paths(out_dir, key)["json"]] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # Sidecars are draft files (their guardrail reports must survive a crash), so each rewrite is fsynced; the
    # fsyncs run in parallel because a batch of look-alikes rewrites every sidecar.
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="outreach-cross-check") as pool:
        list(pool.map(atomic_write_text, changed, changed.values()))


def verdict(guardrails: dict[str, Any]) -> str:
    violations = guardrails.get("violations", [])
    hard = sum(1 for v in violations if v.get("severity") == "hard")
    soft = len(violations) - hard
    if hard:
        return f"failed: {hard} hard" + (f", {soft} soft" if soft else "")
    return f"passed, {soft} warning(s)" if soft else "passed"


def _row(
    plan: Plan, journal: Journal, sidecars: dict[str, dict[str, Any]], scores: dict[str, float], out: Path
) -> BatchRow:
    item = plan.item
    score = scores.get(item.key)
    base = {
        "professor": item.name,
        "professor_id": item.key,
        "email": item.email,
        "match_score": round(score, 1) if score is not None else None,
    }
    if plan.action == "fail":
        return BatchRow(**base, status="failed", error=item.error)
    if plan.action == "skip":
        return BatchRow(**base, status="skipped", error=f"failed in an earlier run (use --retry-failed): {plan.note}")
    data = sidecars.get(item.key)
    if data is None:
        last = journal.latest().get(item.key, {})
        return BatchRow(**base, status="failed", error=last.get("error") or f"not finished ({last.get('state')})")
    prov = data.get("provenance", {})
    prompt, completion = int(prov.get("prompt_tokens", 0)), int(prov.get("completion_tokens", 0))
    cost = estimate_cost(prov.get("model") if prov.get("mode") == "llm" else None, prompt, completion)
    guardrails = data.get("guardrails", {})
    return BatchRow(
        **base,
        status="clean" if data.get("status") == "clean" else "needs review",
        verdict=verdict(guardrails),
        path=draft_paths(out, item.key)["md"].name,
        tokens=prompt + completion,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost.usd,
        cost_note=cost.note,
        reused=plan.action == "reuse",
        similar_to=[v["similar_to"] for v in guardrails.get("violations", []) if v.get("batch")],
    )


def summary_json(summary: BatchSummary) -> dict[str, Any]:
    costs = [r.cost_usd for r in summary.rows if r.status in ("clean", "needs review")] + [summary.cv_cost_usd]
    data = summary.model_dump()
    data["totals"] = {status: summary.count(status) for status in ("clean", "needs review", "failed", "skipped")} | {
        "tokens": sum(r.tokens for r in summary.rows) + summary.cv_tokens,
        "tokens_this_run": sum(r.tokens for r in summary.rows if not r.reused) + summary.cv_tokens,
        "cost_usd": None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
    }
    data["exit_code"] = summary.exit_code
    return data


def write_summary(out_dir: Path, summary: BatchSummary) -> None:
    summary_text = json.dumps(summary_json(summary), indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(out_dir / "summary.json", summary_text, durable=False)  # rewritten by every run
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in summary.rows:
        record = row.model_dump(include=set(SUMMARY_FIELDS))
        record["similar_to"] = ";".join(row.similar_to)
        writer.writerow(record)
    atomic_write_text(out_dir / "summary.csv", buffer.getvalue(), durable=False)


def mark_drafted(catalog: Catalog, rows: Sequence[BatchRow]) -> list[str]:
    """Shortlisted professors with a clean draft move from to-draft to drafted (never back from sent/replied)."""
    from assistant import shortlist

    waiting = {e.professor_id for e in shortlist.entries(catalog) if e.status == "to-draft"}
    moved = [r.professor_id for r in rows if r.status == "clean" and r.professor_id in waiting]
    for pid in moved:
        shortlist.set_status(catalog, pid, "drafted")
    return moved


def print_summary(summary: BatchSummary, console: Console) -> None:
    """The results table, then one line per failure and per near-copy (too long for a table cell)."""
    from rich.table import Table

    colours = {"clean": "green", "needs review": "yellow", "failed": "red", "skipped": "red"}
    table = Table("professor", "score", "status", "guardrails", "tokens", "cost $")
    for r in summary.rows:
        score = f"{r.match_score:.1f}" if r.match_score is not None else ""
        cost = "" if r.cost_usd is None else f"{r.cost_usd:.4f}"
        status = r.status + (" (kept)" if r.reused else "")
        table.add_row(r.professor, score, f"[{colours[r.status]}]{status}[/]", r.verdict or "", str(r.tokens), cost)
    console.print(table)
    for r in summary.rows:
        if r.error:
            console.print(f"{r.professor_id}: {r.status}: {r.error}", markup=False, soft_wrap=True)
        elif r.similar_to:
            console.print(f"{r.professor_id}: wording close to {', '.join(r.similar_to)}", markup=False)
    if summary.cv_tokens:
        cost = "" if summary.cv_cost_usd is None else f", ${summary.cv_cost_usd:.4f}"
        console.print(f"reading the CV with {summary.model}: {summary.cv_tokens} tokens{cost} (in the totals)")
