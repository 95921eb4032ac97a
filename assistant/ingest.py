"""Ingestion: read every input first, then merge with what the store has, embed, and write.

Order matters for "bad input loses nothing": all files are parsed and validated before anything is written,
vectors are upserted (idempotent) before the catalog transaction, and the catalog commits last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import NotFoundError
from assistant.index import PaperIndex, Progress
from assistant.merge import MergeStats, merge_professor
from assistant.settings import Settings
from assistant.sources import read_path
from assistant.types import IngestReport, InputSummary, Professor

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
    merged: dict[str, Professor] = {}
    for prof in incoming:
        report.papers_read += len(prof.papers)
        base = merged.get(prof.id) or index.catalog.get(prof.id)
        combined, stats = merge_professor(base, prof)
        merged[combined.id] = combined
        _add(report, stats)
    professors = list(merged.values())
    report.professors = [p.id for p in professors]
    report.papers_embedded = index.upsert_vectors(professors, progress)
    for prof in professors:
        index.delete_stale(prof)
    index.catalog.save_professors(professors)
    index.snapshot()  # derived data for the new version, so the next command finds it ready
    return report


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
