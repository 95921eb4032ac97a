"""Ingestion: read every input first, then merge with what the store has, embed, and write.

Order matters for "bad input loses nothing": all files are parsed and validated before anything is written.
Then, under the store's writer lock and inside one catalog transaction, the incoming papers are merged with the
professors' rows *as the catalog holds them now* (a concurrent ingest of the same professor has either committed
before we read, or waits for us), their vectors are upserted (by stable ids: idempotent), and the catalog
commits last. The catalog is the truth: a crash or a full disk before the commit leaves it at its old version,
with at most some vectors upserted ahead of it, which the old version does not read (its derived data are
already saved) and the next ingest or `reindex` re-uses or replaces. Vectors of papers a merge folded away are
deleted only after the commit, still under the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import InputError, NotFoundError
from assistant.guardrails.saved_corpus import save_corpus
from assistant.index import PaperIndex, Progress
from assistant.merge import MergeStats, merge_professor
from assistant.settings import Settings
from assistant.sources import read_path
from assistant.store.space import ensure_space, is_disk_full, write_errors
from assistant.types import IngestReport, InputSummary, Professor
from assistant.untrusted import mark

log = logging.getLogger(__name__)

OnRead = Callable[[InputSummary], None]

if TYPE_CHECKING:
    from assistant.sources.openalex import OpenAlexSession


def canonical_professor_name(index: PaperIndex, name: str | None) -> str | None:
    """`--professor Mirzasoleiman` should land on the professor already in the store, not create a new one."""
    if not name:
        return None
    try:
        return index.catalog.resolve(name).name
    except NotFoundError:
        return name.strip()


def ingest_files(
    paths: Sequence[Path],
    settings: Settings,
    *,
    fmt: str = "auto",
    professor: str | None = None,
    collection: str | None = None,
    progress: Progress | None = None,
    index: PaperIndex | None = None,
    on_read: OnRead | None = None,
) -> IngestReport:
    """`on_read` hears about each input as soon as it is parsed, before anything is embedded or written."""
    index = index or PaperIndex(settings)
    name = canonical_professor_name(index, professor)
    report = IngestReport(files=[str(p) for p in paths])
    incoming: list[Professor] = []
    for path in paths:  # parse everything before writing anything
        result = read_path(Path(path), fmt, professor=name, collection=collection)
        incoming.extend(result.professors)
        report.skipped.extend(result.skipped)
        _read(report, _summary(str(path), result.professors, len(result.skipped)), on_read)
    return ingest_professors(incoming, settings, report=report, progress=progress, index=index)


def _summary(source: str, professors: Sequence[Professor], skipped: int = 0) -> InputSummary:
    papers = sum(len(p.papers) for p in professors)
    return InputSummary(source=source, professors=len(professors), papers=papers, skipped=skipped)


def _read(report: IngestReport, summary: InputSummary, on_read: OnRead | None) -> None:
    report.inputs.append(summary)
    if on_read:
        on_read(summary)


def ingest_professors(
    incoming: Sequence[Professor],
    settings: Settings,
    *,
    report: IngestReport | None = None,
    progress: Progress | None = None,
    index: PaperIndex | None = None,
) -> IngestReport:
    index = index or PaperIndex(settings)
    report = report or IngestReport()
    catalog = index.catalog
    with catalog.lock.hold(), write_errors(catalog.store_dir):
        with catalog.transaction():
            index.reopen_vectors()
            professors = _merge_with_store(incoming, index, report)
            new_papers = sum(len(p.papers) for p in incoming)
            ensure_space(catalog.store_dir, new_papers, catalog.paper_count(), f"ingesting {new_papers} papers")
            report.papers_embedded = index.upsert_vectors(professors, progress)
            # A re-ingest that changes nothing keeps the catalog's version, so no derived data are rebuilt.
            changed = [prof for prof in professors if prof != catalog.get(prof.id)]
            if changed:
                catalog.save_professors(changed)
        for prof in professors:
            index.delete_stale(prof)
    _save_derived(index)
    return report


def _merge_with_store(incoming: Sequence[Professor], index: PaperIndex, report: IngestReport) -> list[Professor]:
    """Each incoming professor folded into the catalog's current record (read inside the write transaction)."""
    merged: dict[str, Professor] = {}
    for prof in incoming:
        report.papers_read += len(prof.papers)
        base = merged.get(prof.id) or index.catalog.get(prof.id)
        if base is None and not prof.papers:
            raise InputError(
                f"{prof.name!r} has no paper with a title or an abstract, and is not in the store yet: there is "
                "nothing to index for them. Nothing was written."
            )
        report.flagged_sentences += mark(prof)
        combined, stats = merge_professor(base, prof)
        mark(combined)  # a merge may have lengthened an abstract
        merged[combined.id] = combined
        _add(report, stats)
    report.professors = list(merged)
    return list(merged.values())


def _save_derived(index: PaperIndex) -> None:
    """Derived data and the guardrails' corpus for the new version, so the next command finds them ready. The
    papers are committed by now: a disk too full for these costs the next command a rebuild, not a failed ingest."""
    try:
        index.snapshot()
        save_corpus(index.catalog)
    except Exception as exc:
        if not is_disk_full(exc, index.catalog.store_dir):
            raise
        log.warning("the papers are saved, but the disk is too full to save the derived data; free some space")


def _add(report: IngestReport, stats: MergeStats) -> None:
    report.papers_new += stats.new
    report.papers_merged += stats.merged


def ingest_openalex(
    query: str | Sequence[str],
    settings: Settings,
    *,
    max_works: int | None = None,
    progress: Progress | None = None,
    index: PaperIndex | None = None,
    on_read: OnRead | None = None,
    session: OpenAlexSession | None = None,
) -> IngestReport:
    """Fetch each author's works from OpenAlex (all pages) before touching the store, then ingest them together.
    `session` carries a caller's cache and call budget (`outreach discover --ingest`)."""
    from assistant.sources.openalex import fetch_professor

    queries = [query] if isinstance(query, str) else list(query)
    professors = [fetch_professor(q, settings, max_works=max_works, session=session) for q in queries]
    report = IngestReport(files=[f"openalex:{q}" for q in queries])
    for q, professor in zip(queries, professors, strict=True):
        _read(report, _summary(f"openalex:{q}", [professor]), on_read)
    return ingest_professors(professors, settings, report=report, progress=progress, index=index)
