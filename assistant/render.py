"""Human-readable output: rich tables on stdout, progress bars on stderr (only when it is a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.types import (
    BatchSummary,
    Evidence,
    IngestReport,
    InputSummary,
    MatchResult,
    Paper,
    Professor,
    SearchHit,
    StudentProfile,
)

if TYPE_CHECKING:  # types only: importing index at run time would pull numpy into every command
    from assistant.catalog import Catalog
    from assistant.cv.refine import Refinement
    from assistant.index import Progress

out = Console(soft_wrap=False)
err = Console(stderr=True)


@contextmanager
def progress(label: str) -> Iterator[Progress | None]:
    """A progress bar with ETA on stderr when it is a terminal; otherwise nothing (logs stay clean)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def paper_json(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "title": paper.title,
        "year": paper.year,
        "venue": paper.venue,
        "abstract": paper.abstract,
        "sources": [s.model_dump(exclude_none=True) for s in paper.sources],
    }


def input_read(summary: InputSummary) -> None:
    """One line per input as it is read, terminal or not (a long ingest's log shows where it is)."""
    skipped = f", {summary.skipped} record(s) skipped" if summary.skipped else ""
    err.print(
        f"{summary.source}: {summary.papers} papers of {summary.professors} professor(s){skipped}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def ingest_report(report: IngestReport) -> None:
    err.print(
        f"read {report.papers_read} papers from {len(report.files)} input(s): {report.papers_new} new, "
        f"{report.papers_merged} merged into papers already known, {report.papers_embedded} embedded",
        soft_wrap=True,
    )
    if report.flagged_sentences:
        err.print(
            f"[yellow]{report.flagged_sentences} sentence(s) read as instructions to a model or carry a link or "
            "email address:[/] kept in the record, never quoted in answers, drafts or prompts",
            soft_wrap=True,
        )
    if report.skipped:
        err.print(f"[yellow]skipped {len(report.skipped)} record(s):[/]")
        for line in report.skipped[:20]:
            err.print(f"  {line}", markup=False)
        if len(report.skipped) > 20:
            err.print(f"  … and {len(report.skipped) - 20} more")
    out.print("professors updated: " + ", ".join(report.professors), markup=False)


def professors_table(rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        err.print("the store has no professors yet: try `outreach ingest examples/profile_*.txt` or `outreach demo`")
        return
    table = Table("id", "name", "affiliation", "papers")
    for r in rows:
        table.add_row(r["id"], r["name"], r["affiliation"] or "", str(r["paper_count"]))
    out.print(table)


def papers_table(prof: Professor, rows: Sequence[dict[str, Any]]) -> None:
    table = Table("id", "title", "year", "venue", "listings", title=f"{prof.name}: {len(rows)} papers")
    for paper, r in zip(prof.papers, rows, strict=True):
        table.add_row(r["id"], paper.label(), str(r["year"] or ""), r["venue"] or "", str(len(r["sources"])))
    out.print(table)


def search_hits(hits: Sequence[SearchHit], catalog: Catalog) -> None:
    if not hits:
        err.print("no matching papers")
        return
    # Only the hits' professors: reading every professor record cost 0.05 s at 2,500 professors.
    found = {pid: catalog.get(pid, with_papers=False) for pid in {h.professor_id for h in hits}}
    names = {pid: prof.name for pid, prof in found.items() if prof}
    table = Table("score", "professor", "paper", "year", "paper id")
    for h in hits:
        label = h.paper.label() if h.paper else (h.title or "")
        year = str(h.paper.year or "") if h.paper else ""
        table.add_row(f"{h.score:.2f}", names.get(h.professor_id, h.professor_id), label, year, h.paper_id)
    out.print(table)


def cv_profile(profile: StudentProfile, refinement: Refinement | None = None) -> None:
    out.print(f"[bold]{escape(profile.name or '(no name found)')}[/]  {escape(profile.email or '(no email found)')}")
    out.print(f"read by: {profile.extracted_by}", markup=False)
    sections = [
        ("Education", profile.education),
        ("Research interests", profile.interests),
        ("Skills and methods", profile.skills),
        ("Publications", profile.publications),
        ("Projects and experience", profile.experience),
        ("Awards", profile.awards),
    ]
    for title, items in sections:
        out.print(f"\n[bold]{title}[/] ({len(items)})")
        for item in items:
            out.print(f"  - {item.text}", markup=False)
    if refinement and refinement.sections_kept_offline:
        out.print(f"\n(the LLM left {', '.join(refinement.sections_kept_offline)} empty: the offline items are shown)")
    if refinement and refinement.dropped:
        out.print(f"\n[bold]Dropped: proposed by the LLM but not found in the CV[/] ({len(refinement.dropped)})")
        for d in refinement.dropped:
            out.print(f"  - [{d.section}] {d.text} ({d.reason})", markup=False)
    if profile.instruction_lines:
        out.print(f"\n[bold]Dropped: lines that read as instructions to a model[/] ({len(profile.instruction_lines)})")
        for line in profile.instruction_lines:
            out.print(f"  - {line}", markup=False)
    if not profile.research_items():
        err.print("[yellow]no research interests, publications or projects found: matching needs at least one[/]")


# Narrower than this, the table's evidence column wraps a word or two per line: a list reads better.
WIDE_TABLE_COLUMNS = 140


def match_table(results: Sequence[MatchResult]) -> None:
    """A table on a wide terminal; piped, or on a narrow one, one line per professor and one per evidence."""
    if not results:
        err.print("no professors to rank: ingest some first (`outreach ingest …` or `outreach demo`)")
        return
    if not out.is_terminal or out.width < WIDE_TABLE_COLUMNS:
        _match_list(results)
        return
    table = Table("#", "professor", "score", "fit", "topic", "method", "recency", "abstracts", "best evidence")
    for n, r in enumerate(results, start=1):
        c = r.components
        table.add_row(
            str(n),
            r.name,
            f"{r.score:.1f}",
            r.fit,
            f"{c.topic:.2f}",
            f"{c.method:.2f}",
            f"{c.recency:.2f}",
            _coverage(r),
            "\n".join(_evidence(e) for e in r.evidence),
        )
    out.print(table)


def _match_list(results: Sequence[MatchResult]) -> None:
    for n, r in enumerate(results, start=1):
        c = r.components
        out.print(
            f"{n}. {r.name}: score {r.score:.1f}, {r.fit} fit (topic {c.topic:.2f}, method {c.method:.2f}, "
            f"recency {c.recency:.2f}; abstracts: {_coverage(r)})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        for e in r.evidence:
            out.print(f"   {_evidence(e)}", markup=False, highlight=False, soft_wrap=True)


def _coverage(r: MatchResult) -> str:
    return r.abstract_coverage + (f" ({r.abstract_coverage_note})" if r.abstract_coverage_note else "")


def _evidence(e: Evidence) -> str:
    return f"{_cut(e.title or e.paper_id, 70)} ⇐ {_cut(e.cv_item, 50)} ({e.similarity:.2f})"


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def weak_fit_warning(results: Sequence[MatchResult]) -> None:
    """Said plainly when even the best-ranked professor fits weakly: a ranking of poor fits is still a ranking."""
    if results and results[0].fit == "weak":
        best = results[0]
        err.print(
            f"[yellow]warning: even the best match, {escape(best.name)} (score {best.score:.1f}), fits weakly: "
            "none of these professors' papers is close to your research items. Check what was read with "
            "`outreach cv show`, or ingest professors nearer your field.[/]",
            soft_wrap=True,
        )


def shortlist_table(entries: Sequence[Any]) -> None:
    if not entries:
        err.print("the shortlist is empty: `outreach shortlist add NAME` or `outreach match --add-to-shortlist`")
        return
    table = Table("professor", "id", "status", "note", "updated")
    for e in entries:
        table.add_row(e.name, e.professor_id, e.status, e.note, e.updated_at)
    out.print(table)


BATCH_COLOURS = {"clean": "green", "needs review": "yellow", "failed": "red", "skipped": "red"}


def batch_summary(summary: BatchSummary) -> None:
    """The results table, then one line per failure and per near-copy (too long for a table cell)."""
    table = Table("professor", "score", "status", "guardrails", "tokens", "cost $")
    for r in summary.rows:
        score = f"{r.match_score:.1f}" if r.match_score is not None else ""
        cost = "" if r.cost_usd is None else f"{r.cost_usd:.4f}"
        status = f"[{BATCH_COLOURS[r.status]}]{r.status}{' (kept)' if r.reused else ''}[/]"
        table.add_row(r.professor, score, status, escape(r.verdict or ""), str(r.tokens), cost)
    out.print(table)
    for r in summary.rows:
        if r.error:
            out.print(f"{r.professor_id}: {r.status}: {r.error}", markup=False, soft_wrap=True)
        elif r.similar_to:
            out.print(f"{r.professor_id}: wording close to {', '.join(r.similar_to)}", markup=False)
    if summary.cv_tokens:
        cost = "" if summary.cv_cost_usd is None else f", ${summary.cv_cost_usd:.4f}"
        out.print(f"reading the CV with {summary.model}: {summary.cv_tokens} tokens{cost} (in the totals)")
    verified = sum(r.verify_tokens for r in summary.rows)
    if verified:
        out.print(f"verifying claims (the support check): {verified} tokens (in each draft's tokens and cost)")
