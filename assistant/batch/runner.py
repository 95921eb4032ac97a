"""Drafting a batch: the planned items in worker threads under asyncio, each journalled as it goes, then the
summary. `run_batch` is the entry point."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.batch.gate import BatchCancelled, CallGate, GatedLLM
from assistant.batch.journal import JOURNAL, Journal, JournalRecord, Tokens, draft_paths, exclusive, sidecar_text
from assistant.batch.plan import BatchOptions, Plan, cv_hash, journal_plans, plan_items
from assistant.batch.summary import cross_check, load_sidecars, mark_drafted, summary_row, write_summary
from assistant.batch.targets import Item, Target, resolve_items
from assistant.batch.view import FrozenIndex
from assistant.errors import InputError, OutreachError
from assistant.files import atomic_write_text
from assistant.guardrails.verifier import support_verifier, verifier_llm
from assistant.index import PaperIndex
from assistant.llm import LLM, usage_of
from assistant.pricing import estimate_cost
from assistant.ratelimit import RateLimiter
from assistant.seams import IndexReader, StructuredLLM
from assistant.settings import Settings
from assistant.types import BatchRow, BatchSummary, DraftResult, Sidecar, StudentProfile

log = logging.getLogger("assistant.batch")  # one logger for the package: `-v` output names the batch, not a module

ProgressFn = Callable[[int, int], None]


def make_sidecar(result: DraftResult, item: Item, digest: str) -> Sidecar:
    from assistant.export import to_json

    extra = {"professor_name": item.name, "to": item.email, "input_hash": digest}
    return Sidecar.model_validate(to_json(result) | extra)


def write_draft(out_dir: Path, item: Item, result: DraftResult, digest: str, sender: str | None) -> dict[str, str]:
    """Markdown, .eml and the JSON sidecar, each written atomically; returns their sha256s."""
    from assistant.export import render_draft

    texts = {
        "md": render_draft(result, "md"),
        "eml": render_draft(result, "eml", to=item.email, sender=sender),
        "json": sidecar_text(make_sidecar(result, item, digest)),
    }
    paths = draft_paths(out_dir, item.key)
    for fmt, text in texts.items():
        atomic_write_text(paths[fmt], text)
    return {fmt: hashlib.sha256(text.encode("utf-8")).hexdigest() for fmt, text in texts.items()}


@dataclass
class Runner:
    """Everything one batch run shares: `run_all` drafts the planned items, `work` drives one of them."""

    student: StudentProfile
    settings: Settings
    options: BatchOptions
    index: FrozenIndex
    journal: Journal
    llm: StructuredLLM | None  # None: offline
    progress: ProgressFn | None = None
    on_item: Callable[[str, str], None] | None = None  # (key, state) after each item: tests, interruption
    stop: threading.Event = field(default_factory=threading.Event)
    limiter: RateLimiter | None = None
    verify_llm: StructuredLLM | None = None  # the support check's (temperature 0); None offline
    gated_verify_llm: StructuredLLM | None = field(default=None, init=False)  # the same behind this run's gate

    def draft_one(self, plan: Plan, llm: StructuredLLM | None) -> DraftResult:
        """Runs in a worker thread."""
        from assistant.draft import draft_email

        assert plan.item.professor is not None
        verifier = support_verifier(self.settings, offline=llm is None, llm=self.gated_verify_llm)
        return draft_email(
            self.student,
            plan.item.professor,
            self.settings,
            offline=llm is None,
            index=self.index,
            llm=llm,
            verifier=verifier,
        )

    def work(self, plan: Plan, llm: StructuredLLM | None) -> str:
        """One item, start to finish, in a worker thread: the journal's file I/O (fsync included) stays off the
        event loop, which would otherwise serialise it across every concurrent item."""
        item = plan.item
        started = JournalRecord(key=item.key, state="running", name=item.name, input_hash=plan.digest)
        # Not fsynced: if it is lost, the item's last state is "pending", and it is redone all the same.
        self.journal.append(started, sync=False)
        try:
            result = self.draft_one(plan, llm)
            sender = self.options.sender or self.student.email
            files = write_draft(self.options.out_dir, item, result, plan.digest, sender)
        except BatchCancelled:  # stopping: the journal keeps "running", so the next run redoes it
            raise
        except Exception as exc:
            log.debug("batch: %s failed", item.key, exc_info=True)
            error = str(exc) if isinstance(exc, OutreachError) else f"{type(exc).__name__}: {exc}"
            spent = usage_of(exc)  # replies that came back and could not be used were paid for all the same
            failed = JournalRecord(
                key=item.key,
                state="failed",
                name=item.name,
                input_hash=plan.digest,
                error=error,
                tokens=Tokens(prompt=spent.prompt_tokens, completion=spent.completion_tokens) if spent.total else None,
            )
            self.journal.append(failed)
            return "failed"
        prov = result.provenance
        # Only after the files are renamed into place: a "done" line always has its files.
        done = JournalRecord(
            key=item.key,
            state="done",
            name=item.name,
            input_hash=plan.digest,
            status=result.status,
            files=files,
            tokens=Tokens(prompt=prov.prompt_tokens, completion=prov.completion_tokens),
        )
        self.journal.append(done)
        return "done"

    async def run_one(self, plan: Plan, sem: asyncio.Semaphore, llm: StructuredLLM | None) -> tuple[str, str]:
        async with sem:
            return plan.item.key, await asyncio.to_thread(self.work, plan, llm)

    def gated(self, loop: asyncio.AbstractEventLoop) -> StructuredLLM | None:
        """The LLM behind this run's gate (None offline), and the verifier's behind the same gate; the rate
        limiter belongs to `loop`."""
        if self.llm is None:
            return None
        self.limiter = RateLimiter(self.options.rpm, self.options.tpm)
        gate = CallGate(
            self.limiter,
            loop,
            self.stop,
            completion_tokens=2 * self.settings.draft_max_words,
            in_flight=threading.Semaphore(self.options.concurrency),
        )
        self.gated_verify_llm = GatedLLM(self.verify_llm, gate) if self.verify_llm else None
        return GatedLLM(self.llm, gate)

    async def run_all(self, plans: Sequence[Plan]) -> None:
        """--concurrency bounds what loads the endpoint: LLM requests in flight (CallGate). With an LLM, twice as
        many items are in progress, so retrieval, guardrails and file writes (CPU and fsyncs) of some overlap
        the model calls of others instead of holding a request slot idle. Offline it bounds the items."""
        loop = asyncio.get_running_loop()
        llm = self.gated(loop)
        items_at_once = 2 * self.options.concurrency if llm is not None else self.options.concurrency
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


def match_scores(
    student: StudentProfile, settings: Settings, index: IndexReader, ids: Sequence[str]
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


def _scores_meanwhile(
    student: StudentProfile, settings: Settings, index: IndexReader, items: Sequence[Item]
) -> Future[dict[str, float]]:
    """Only the summary needs the match scores: they are computed while the first drafts wait on the model."""
    scoring = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outreach-match")
    future = scoring.submit(match_scores, student, settings, index, [i.key for i in items if i.professor])
    scoring.shutdown(wait=False)
    return future


def _chat_llm(llm: LLM | None, settings: Settings, mode: Literal["llm", "offline"]) -> LLM | None:
    """One LLM for every thread: its client is built, and the endpoint probed, once (under its lock)."""
    if mode == "offline":
        return None
    return llm or LLM(settings)


def _summary(
    rows: list[BatchRow], runner: Runner, drafted: int, mode: Literal["llm", "offline"], elapsed_s: float
) -> BatchSummary:
    options, settings = runner.options, runner.settings
    return BatchSummary(
        out_dir=str(options.out_dir),
        mode=mode,
        model=None if mode == "offline" else settings.llm_model,
        concurrency=options.concurrency,
        elapsed_s=round(elapsed_s, 3),
        rate_limit_wait_s=round(runner.limiter.waited_s, 3) if runner.limiter else 0.0,
        drafted_this_run=drafted,
        cv_tokens=options.cv_prompt_tokens + options.cv_completion_tokens,
        cv_cost_usd=estimate_cost(
            settings.llm_model if options.cv_prompt_tokens else None,
            options.cv_prompt_tokens,
            options.cv_completion_tokens,
        ).usd,
        rows=rows,
    )


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
        journal = Journal(out / JOURNAL)
        plans = plan_items(items, journal, options, cv_hash(student), settings, mode)
        scores = _scores_meanwhile(student, settings, frozen, items)
        journal_plans(journal, plans)
        chat, verify = _chat_llm(llm, settings, mode), _chat_llm(verifier_llm(settings), settings, mode)
        runner = Runner(student, settings, options, frozen, journal, chat, progress, on_item, verify_llm=verify)
        todo = [p for p in plans if p.action == "draft"]
        if todo:
            asyncio.run(runner.run_all(todo))
        sidecars = load_sidecars(out, plans, journal)
        cross_check(out, sidecars)
        model = None if mode == "offline" else settings.llm_model
        rows = [summary_row(p, journal, sidecars, scores.result(), out, model) for p in plans]
        latest = journal.latest()
        written = sum(1 for p in todo if (last := latest.get(p.item.key)) is not None and last.state == "done")
        summary = _summary(rows, runner, written, mode, time.monotonic() - started)
        write_summary(out, summary)
        from assistant.review import write_review

        write_review(out, summary, sidecars)
        mark_drafted(index.catalog, rows)
    return summary
