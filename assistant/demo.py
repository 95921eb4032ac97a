"""`outreach demo`: the main job end to end on the bundled sample data, with no key and no network."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from assistant import render
from assistant.cv import read_cv
from assistant.draft import draft_email
from assistant.errors import GuardrailFailure
from assistant.export import to_markdown
from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.match import rank_professors
from assistant.settings import Settings

DEMO_CV = "maya_chen.md"
DEMO_QUERY = "selecting informative training data subsets for efficient learning"


def examples_dir() -> Path:
    return Path(str(resources.files("assistant.examples")))


def run_demo(settings: Settings) -> None:
    ex = examples_dir()
    index = PaperIndex(settings)
    render.err.print(f"[bold]1. Ingest[/] the sample professors into {settings.store_dir}")
    with render.progress("Embedding papers") as progress:
        report = ingest_files(
            [ex / "profile_mirzasoleiman.txt", ex / "profile_razaviyayn.txt"], settings, progress=progress, index=index
        )
        render.ingest_report(report)
        report = ingest_files(
            [ex / "abstracts_mirzasoleiman.txt"], settings, professor="Baharan Mirzasoleiman", index=index
        )
        render.ingest_report(report)
        report = ingest_files(
            [ex / "daily_papers_listing.txt"], settings, collection="daily-papers", progress=progress, index=index
        )
        render.ingest_report(report)
    counts = index.catalog.paper_counts()
    render.professors_table(
        [
            {"id": p.id, "name": p.name, "affiliation": p.affiliation, "paper_count": counts.get(p.id, 0)}
            for p in index.catalog.professors()
        ]
    )
    render.err.print(f"\n[bold]2. Search[/] the professors' papers for: {DEMO_QUERY!r}")
    ids = index.catalog.professor_ids(kind="professor")
    render.search_hits(index.search(DEMO_QUERY, professor_ids=ids, k=5), index.catalog)

    cv_path = ex / "cvs" / DEMO_CV
    student = read_cv(cv_path)
    render.err.print(f"\n[bold]3. Match[/] the sample CV {cv_path.name} ({student.name}) against every professor")
    results = rank_professors(student, settings, index=index)
    render.match_table(results)

    best = index.catalog.resolve(results[0].professor_id)
    render.err.print(f"\n[bold]4. Draft[/] an offline email to {best.name}, grounded in their papers and checked")
    result = draft_email(student, best, settings, offline=True, index=index)
    render.out.print(to_markdown(result), markup=False, highlight=False)
    if not result.report.passed:
        raise GuardrailFailure("the demo draft failed its guardrails: this is a bug, please report it", result.report)
