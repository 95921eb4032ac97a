"""Emails: `draft`, `verify` and `batch`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli.common import (
    emit_json,
    info,
    json_option,
    preload_unless_saved,
    read_student_cv,
    settings_for,
    store_option,
)


@click.command()
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), required=True, help="Your CV.")
@click.option("--professor", required=True, help="The professor to write to (id or name).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the draft here.")
@click.option("--format", "fmt", type=click.Choice(["md", "eml", "json"]), default="md", show_default=True)
@click.option("--offline", is_flag=True, help="Use the offline drafter even when an LLM is configured.")
@store_option
def draft(cv_path: Path, professor: str, out: Path | None, fmt: str, offline: bool, store: Path | None) -> None:
    """Draft a grounded outreach email, with its citations and guardrail report. Exits 1 if it needs review."""
    settings = settings_for(store)
    from assistant.index import PaperIndex

    index = PaperIndex(settings)
    prof = index.catalog.resolve(professor, kind="professor")  # a typo costs no LLM call on the CV
    student = read_student_cv(cv_path, settings, offline=offline)[0]
    # The items a draft scores (draft.select_sources, compose.strengths); the model loads while draft imports.
    preload_unless_saved(settings, student.research_items() or student.all_items())
    from assistant.draft import draft_email
    from assistant.export import render_draft

    result = draft_email(student, prof, index.settings, offline=True if offline else None, index=index)
    text = render_draft(result, fmt, to=prof.email, sender=student.email)
    if out:
        from assistant.files import atomic_write_text

        atomic_write_text(out, text)
        info(f"wrote {out}")
    click.echo(text, nl=False)
    if not result.report.passed:
        from assistant.export import review_reason

        info(f"draft NEEDS REVIEW: {review_reason(result.report)}")
        if result.provenance.review_reason:
            info(f"  {result.provenance.review_reason}")
        sys.exit(1)


@click.command()
@click.argument("draft_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--professor", required=True, help="The professor the email is to (id or name).")
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), help="Your CV, to check claims about you.")
@store_option
@json_option
def verify(draft_file: Path, professor: str, cv_path: Path | None, store: Path | None, as_json: bool) -> None:
    """Run the guardrails on any email text (the support check too when an LLM is configured). Exit 0: no hard
    violation; 1: at least one, or a check that should have run could not (unverified); 2: usage error."""
    from assistant.cv import read_cv
    from assistant.draft import verify_text
    from assistant.export import report_json, report_lines
    from assistant.files import read_text_file
    from assistant.guardrails.verifier import support_verifier
    from assistant.index import PaperIndex

    text = read_text_file(draft_file)
    student = read_cv(cv_path) if cv_path else None
    index = PaperIndex(settings_for(store))
    prof = index.catalog.resolve(professor, kind="professor")
    report = verify_text(text, prof, student, index, support_verifier(index.settings))
    if as_json:
        emit_json(report_json(report))
    else:
        click.echo("\n".join(report_lines(report)))
    sys.exit(0 if report.passed else 1)


@click.command()
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), required=True, help="Your CV.")
@click.option("--shortlist", "use_shortlist", is_flag=True, help="Draft to the shortlist (to-draft and drafted).")
@click.option(
    "--professors",
    "professors_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A .txt (a name or id per line; # comments) or .csv (`professor` or `name` column, optional `email`).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True, help="Drafts at once.")
@click.option("--rpm", type=click.IntRange(min=1), help="At most this many LLM requests per minute.")
@click.option("--tpm", type=click.IntRange(min=1), help="At most this many LLM tokens per minute.")
@click.option("--offline", is_flag=True, help="Use the offline drafter even when an LLM is configured.")
@click.option("--retry-failed", is_flag=True, help="Retry items that failed in an earlier run.")
@store_option
@json_option
def batch(
    cv_path: Path,
    use_shortlist: bool,
    professors_file: Path | None,
    out: Path,
    concurrency: int,
    rpm: int | None,
    tpm: int | None,
    offline: bool,
    retry_failed: bool,
    store: Path | None,
    as_json: bool,
) -> None:
    """Draft emails to many professors at once, into OUT: <id>.md, .eml and .json per professor, summary.csv,
    summary.json and index.html (a review page).

    Resumable: re-run the same command after an interruption and only unfinished drafts are made; a draft whose
    CV, settings or professor's papers changed is redone. Items that failed in an earlier run are reported as
    skipped unless --retry-failed. Clean drafts move shortlisted professors to `drafted`.

    Exit status: 0 when every draft is clean; 1 when any failed, was skipped or needs review.
    """
    from assistant import render
    from assistant.batch import BatchOptions, read_targets, run_batch, shortlist_targets, summary_json
    from assistant.index import PaperIndex

    if use_shortlist == (professors_file is not None):
        raise click.UsageError("give either --shortlist or --professors FILE")
    settings = settings_for(store)
    index = PaperIndex(settings)
    # Every input is read before the CV goes to the LLM: a bad list costs no model call.
    targets = read_targets(professors_file) if professors_file else shortlist_targets(index.catalog)
    student, refinement = read_student_cv(cv_path, settings, offline=offline)
    cv_usage = refinement.usage if refinement else None
    options = BatchOptions(
        out_dir=out,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        offline=True if offline else None,
        retry_failed=retry_failed,
        cv_prompt_tokens=cv_usage.prompt_tokens if cv_usage else 0,
        cv_completion_tokens=cv_usage.completion_tokens if cv_usage else 0,
    )
    with render.progress("Drafting") as progress:
        summary = run_batch(student, targets, index.settings, options, index=index, progress=progress)
    emit_json(summary_json(summary)) if as_json else render.batch_summary(summary)
    info(f"{summary.drafted_this_run} drafted this run; summary.csv, summary.json and index.html in {out}")
    sys.exit(summary.exit_code)
