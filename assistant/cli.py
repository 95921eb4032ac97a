"""The `outreach` command: parse arguments, call one library function, render the result.

Results go to stdout (`--json` for machines); progress and messages go to stderr. Heavy libraries (chromadb,
onnxruntime, LangChain, rich) are imported inside commands so `outreach --help` stays instant.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from assistant.cv_refine import Refinement
    from assistant.settings import Settings
    from assistant.types import StudentProfile

F = TypeVar("F", bound=Callable[..., Any])


def store_option(fn: F) -> F:
    return click.option(
        "--store",
        "store",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Store directory (default: $OUTREACH_STORE or ./store).",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable, documented shape).")(fn)


def _settings(store: Path | None, *, existing: bool = True) -> Settings:
    """Settings for this store. Only the commands that create a store (ingest, discover, demo, serve) pass
    `existing=False`: for every other one a missing store is a typo or a missing first step, not a new store."""
    from assistant.settings import get_settings
    from assistant.store.access import require_store

    settings = get_settings(store)
    if existing:
        require_store(settings.store_dir)
    return settings


def _embedding_settings(store: Path | None) -> Settings:
    """The settings of a command that will embed text: the offline model starts loading now, in a thread, while
    the command imports the rest and reads the store."""
    from assistant.embeddings import preload

    settings = _settings(store)
    preload(settings)
    return settings


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def info(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.version_option(package_name="outreach")
def cli(verbose: int) -> None:
    """Outreach: find professors whose work fits yours, and write to them with grounded, checked emails."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# ---------------------------------------------------------------- corpus


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--professor", help="The professor these papers belong to (abstract lists, listings, CSV).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "profile", "abstracts", "listing", "json", "jsonl", "csv"]),
    default="auto",
    show_default=True,
)
@click.option("--collection", help="Name for a listing that belongs to no professor (default: the file name).")
@click.option("--max-works", type=int, default=None, help="openalex: at most this many works.")
@store_option
@json_option
def ingest(
    paths: tuple[str, ...],
    professor: str | None,
    fmt: str,
    collection: str | None,
    max_works: int | None,
    store: Path | None,
    as_json: bool,
) -> None:
    """Index publications from files, or from OpenAlex: `outreach ingest openalex "Name" | ORCID | ID`."""
    from assistant import render
    from assistant.ingest import ingest_files, ingest_openalex

    settings = _settings(store, existing=False)
    on_read = None if as_json else render.input_read
    with render.progress("Embedding papers") as progress:
        if paths[0] == "openalex" and not Path("openalex").exists():
            if len(paths) != 2:
                raise click.UsageError('usage: outreach ingest openalex "Name" | ORCID | OpenAlex author id')
            report = ingest_openalex(paths[1], settings, max_works=max_works, progress=progress, on_read=on_read)
        else:
            report = ingest_files(
                [Path(p) for p in paths],
                settings,
                fmt=fmt,
                professor=professor,
                collection=collection,
                progress=progress,
                on_read=on_read,
            )
    if as_json:
        emit_json(report.model_dump())
    else:
        render.ingest_report(report)


@cli.command()
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), help="Your CV (PDF, DOCX, Markdown, text).")
@click.option("--text", help="Free-text research interests, instead of a CV.")
@click.option("--institution", "institutions", multiple=True, help="Where to look: a name, ROR or OpenAlex id (I…).")
@click.option("--country", "countries", multiple=True, help="Where to look: a two-letter country code (US, GB…).")
@click.option(
    "--since", type=click.IntRange(1900, 2100), help="Works published from this year on [default: 5 years ago]."
)
@click.option("--top", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option(
    "--max-calls",
    type=click.IntRange(1, 100_000),
    default=50,
    show_default=True,
    help="Stop before sending OpenAlex more requests than this (cached answers are free).",
)
@click.option(
    "--works-per-item",
    type=click.IntRange(1, 500),
    default=50,
    show_default=True,
    help="The most relevant works read for each CV item (100 per call).",
)
@click.option("--include-students", is_flag=True, help="List likely students and postdocs too.")
@click.option("--ingest", is_flag=True, help="Pull the listed authors' works into the store (by OpenAlex id).")
@click.option("--add-to-shortlist", is_flag=True, help="Ingest the listed authors and add them to the shortlist.")
@click.option("--refresh", is_flag=True, help="Ignore cached OpenAlex answers (and cache the new ones).")
@click.option("--offline", is_flag=True, help="Read the CV with the offline parser only.")
@store_option
@json_option
def discover(
    cv_path: Path | None,
    text: str | None,
    institutions: tuple[str, ...],
    countries: tuple[str, ...],
    since: int | None,
    top: int,
    max_calls: int,
    works_per_item: int,
    include_students: bool,
    ingest: bool,
    add_to_shortlist: bool,
    refresh: bool,
    offline: bool,
    store: Path | None,
    as_json: bool,
) -> None:
    """Find professors you have not heard of: OpenAlex works on your research items at the places you name,
    their authors ranked by the `match` score and marked likely faculty / unclear / likely student.

    Needs OPENALEX_API_KEY (free). The plan and its estimated cost are printed before the first call; answers
    are cached under the store, so an identical re-run makes no calls."""
    from assistant.discover import DiscoverOptions
    from assistant.discover import discover as run_discovery
    from assistant.discover.render import discovery_json, discovery_table

    settings = _settings(store, existing=False)
    student = _student(cv_path, text, settings, offline)
    options = DiscoverOptions(
        institutions=list(institutions),
        countries=list(countries),
        since=since,
        top=top,
        max_calls=max_calls,
        works_per_item=works_per_item,
        include_students=include_students,
        ingest=ingest,
        add_to_shortlist=add_to_shortlist,
        refresh=refresh,
    )
    result = run_discovery(student, settings, options, announce=info)
    emit_json(discovery_json(result)) if as_json else discovery_table(result)


@cli.command()
@store_option
@json_option
def professors(store: Path | None, as_json: bool) -> None:
    """List the professors in the store."""
    from assistant import render
    from assistant.catalog import Catalog

    catalog = Catalog(_settings(store).catalog_path)
    counts = catalog.paper_counts()
    rows = [
        {"id": p.id, "name": p.name, "affiliation": p.affiliation, "paper_count": counts.get(p.id, 0)}
        for p in catalog.professors()
    ]
    emit_json(rows) if as_json else render.professors_table(rows)


@cli.command()
@click.argument("professor")
@store_option
@json_option
def papers(professor: str, store: Path | None, as_json: bool) -> None:
    """List one professor's papers (by id or name)."""
    from assistant import render
    from assistant.catalog import Catalog

    prof = Catalog(_settings(store).catalog_path).resolve(professor)
    rows = [render.paper_json(p) for p in prof.papers]
    emit_json(rows) if as_json else render.papers_table(prof, rows)


@cli.command()
@click.argument("query")
@click.option("--professor", "professor_names", multiple=True, help="Restrict to this professor (repeatable).")
@click.option("--collection", help="Restrict to a listing ingested as a collection.")
@click.option("-k", "k", type=click.IntRange(1, 200), default=10, show_default=True)
@store_option
@json_option
def search(
    query: str, professor_names: tuple[str, ...], collection: str | None, k: int, store: Path | None, as_json: bool
) -> None:
    """Hybrid (semantic + keyword) search over indexed papers."""
    settings = _embedding_settings(store)
    from assistant import render
    from assistant.index import PaperIndex

    index = PaperIndex(settings)
    ids = [index.catalog.resolve(p).id for p in professor_names]
    if collection:
        ids.append(index.catalog.resolve(collection, kind="collection").id)
    hits = index.search(query, professor_ids=ids or None, k=k)
    if as_json:
        emit_json([h.model_dump(include={"paper_id", "professor_id", "title", "score"}) for h in hits])
    else:
        render.search_hits(hits, index.catalog)


@cli.command()
@store_option
def reindex(store: Path | None) -> None:
    """Re-embed every paper with the configured embedding model (after changing models)."""
    from assistant import render
    from assistant.catalog import Catalog
    from assistant.index import PaperIndex

    settings = _settings(store)
    catalog = Catalog(settings.catalog_path)
    catalog.set_meta("embedding_model", "")  # the user asked to switch: the old model no longer binds
    with render.progress("Re-embedding papers") as progress:
        n = PaperIndex(settings, catalog).reindex(progress)
    info(f"re-embedded {n} papers with {PaperIndex(settings, catalog).model_id}")


# ---------------------------------------------------------------- student and match


@cli.group()
def cv() -> None:
    """Read a CV the way Outreach understands it."""


@cv.command("show")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--offline", is_flag=True, help="Only the offline parser, even when an LLM is configured.")
@store_option
@json_option
def cv_show(path: Path, offline: bool, store: Path | None, as_json: bool) -> None:
    """Print what was understood from a CV, so you can check it.

    With an LLM configured (and OUTREACH_CV_EXTRACTION not `offline`) the LLM re-files the offline parser's
    items; anything it proposes that is not in the CV is dropped, and listed here."""
    from assistant import render

    # The store is not read (the option is accepted like every other command's, for scripts that pass it to all).
    profile, refinement = _read_student(path, _settings(store, existing=False), offline=offline, announce=False)
    if as_json:
        data = profile.model_dump(exclude={"raw_text"})
        if refinement:
            data["dropped_by_check"] = [vars(d) for d in refinement.dropped]
            data["sections_kept_offline"] = refinement.sections_kept_offline
        emit_json(data)
    else:
        render.cv_profile(profile, refinement)


def _read_student(
    cv_path: Path, settings: Settings, *, offline: bool = False, announce: bool = True
) -> tuple[StudentProfile, Refinement | None]:
    """A CV read offline, refined by the LLM when configured (cv_refine.py); a stderr line says what happened."""
    from assistant.cv_refine import read_student

    profile, refinement, warning = read_student(cv_path, settings, offline=offline)
    if warning:
        info(f"warning: {warning}")
    elif refinement and announce:
        cached = " (cached from an earlier run)" if refinement.cached else ""
        info(
            f"CV items refined by {settings.llm_model}{cached}: {refinement.kept} kept, {len(refinement.dropped)} "
            "dropped as not found in the CV (`outreach cv show` lists them; --offline skips this)"
        )
    return profile, refinement


def _student(cv_path: Path | None, text: str | None, settings: Settings, offline: bool) -> StudentProfile:
    from assistant.cv import profile_from_interests

    if cv_path and text:
        raise click.UsageError("give --cv or --text, not both")
    if cv_path:
        return _read_student(cv_path, settings, offline=offline)[0]
    if text:
        return profile_from_interests(text)
    raise click.UsageError('give --cv CV or --text "your research interests"')


@cli.command()
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), help="Your CV (PDF, DOCX, Markdown, text).")
@click.option("--text", help="Free-text research interests, instead of a CV.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--professor", "professor_names", multiple=True, help="Only these professors (repeatable).")
@click.option("--add-to-shortlist", is_flag=True, help="Add the ranked professors to the shortlist.")
@click.option("--offline", is_flag=True, help="Read the CV with the offline parser only (fully deterministic).")
@store_option
@json_option
def match(
    cv_path: Path | None,
    text: str | None,
    top: int,
    professor_names: tuple[str, ...],
    add_to_shortlist: bool,
    offline: bool,
    store: Path | None,
    as_json: bool,
) -> None:
    """Rank professors by fit to your CV, with the papers and CV items behind each score."""
    settings = _embedding_settings(store)
    from assistant import render, shortlist
    from assistant.index import PaperIndex
    from assistant.match import rank_professors

    student = _student(cv_path, text, settings, offline)
    index = PaperIndex(settings)
    ids = [index.catalog.resolve(p, kind="professor").id for p in professor_names] or None
    results = rank_professors(student, index.settings, professor_ids=ids, top=top, index=index)
    if add_to_shortlist:
        added = shortlist.add(index.catalog, [r.professor_id for r in results])
        info(f"added {len(added)} professor(s) to the shortlist")
    if as_json:
        emit_json([r.model_dump() for r in results])
    else:
        render.match_table(results)
    render.weak_fit_warning(results)


@cli.group("shortlist")
def shortlist_group() -> None:
    """Keep a shortlist of professors with notes and outreach status."""


@shortlist_group.command("add")
@click.argument("professors", nargs=-1, required=True)
@store_option
def shortlist_add(professors: tuple[str, ...], store: Path | None) -> None:
    """Add professors (by id or name)."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    ids = shortlist.add(Catalog(_settings(store).catalog_path), professors)
    info(f"on the shortlist: {', '.join(ids)}")


@shortlist_group.command("remove")
@click.argument("professor")
@store_option
def shortlist_remove(professor: str, store: Path | None) -> None:
    """Remove a professor."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    info(f"removed {shortlist.remove(Catalog(_settings(store).catalog_path), professor)}")


@shortlist_group.command("list")
@store_option
@json_option
def shortlist_list(store: Path | None, as_json: bool) -> None:
    """Show the shortlist."""
    from assistant import render, shortlist
    from assistant.catalog import Catalog

    entries = shortlist.entries(Catalog(_settings(store).catalog_path))
    emit_json([e.model_dump() for e in entries]) if as_json else render.shortlist_table(entries)


@shortlist_group.command("note")
@click.argument("professor")
@click.argument("text")
@store_option
def shortlist_note(professor: str, text: str, store: Path | None) -> None:
    """Attach a note to a shortlisted professor."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    info(f"noted for {shortlist.note(Catalog(_settings(store).catalog_path), professor, text)}")


@shortlist_group.command("status")
@click.argument("professor")
@click.argument("status", type=click.Choice(["to-draft", "drafted", "sent", "replied"]))
@store_option
def shortlist_status(professor: str, status: str, store: Path | None) -> None:
    """Set a shortlisted professor's status."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    pid = shortlist.set_status(Catalog(_settings(store).catalog_path), professor, status)
    info(f"{pid}: {status}")


# ---------------------------------------------------------------- drafting


@cli.command()
@click.option("--cv", "cv_path", type=click.Path(path_type=Path), required=True, help="Your CV.")
@click.option("--professor", required=True, help="The professor to write to (id or name).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the draft here.")
@click.option("--format", "fmt", type=click.Choice(["md", "eml", "json"]), default="md", show_default=True)
@click.option("--offline", is_flag=True, help="Use the offline drafter even when an LLM is configured.")
@store_option
def draft(cv_path: Path, professor: str, out: Path | None, fmt: str, offline: bool, store: Path | None) -> None:
    """Draft a grounded outreach email, with its citations and guardrail report. Exits 1 if it needs review."""
    settings = _embedding_settings(store)
    from assistant.draft import draft_email
    from assistant.export import render_draft
    from assistant.index import PaperIndex

    index = PaperIndex(settings)
    prof = index.catalog.resolve(professor, kind="professor")  # a typo costs no LLM call on the CV
    student = _read_student(cv_path, settings, offline=offline)[0]
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


@cli.command()
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
    index = PaperIndex(_settings(store))
    prof = index.catalog.resolve(professor, kind="professor")
    report = verify_text(text, prof, student, index, support_verifier(index.settings))
    if as_json:
        emit_json(report_json(report))
    else:
        click.echo("\n".join(report_lines(report)))
    sys.exit(0 if report.passed else 1)


@cli.command()
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
    settings = _settings(store)
    index = PaperIndex(settings)
    # Every input is read before the CV goes to the LLM: a bad list costs no model call.
    targets = read_targets(professors_file) if professors_file else shortlist_targets(index.catalog)
    student, refinement = _read_student(cv_path, settings, offline=offline)
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


@cli.command()
@click.argument("question")
@click.option("--professor", help="Ask about this professor's papers (id or name); default: every professor.")
@click.option("--collection", help="Ask about a listing ingested as a collection instead.")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Papers to retrieve.")
@click.option("--offline", is_flag=True, help="Answer extractively even when an LLM is configured.")
@click.option("--strict", is_flag=True, help="Exit 1 when the guardrails flag the answer (for scripts).")
@store_option
@json_option
def ask(
    question: str,
    professor: str | None,
    collection: str | None,
    k: int,
    offline: bool,
    strict: bool,
    store: Path | None,
    as_json: bool,
) -> None:
    """Answer a question from the indexed papers, with [n] citations checked against the abstracts.

    Exit status: 0 when answered (a flagged answer is printed with its guardrail report); with --strict, 1 when
    any hard guardrail check failed; 1 when a streamed answer was cut (max_tokens, the deadline, a broken
    connection). "The indexed papers don't cover X" is an answer, not a failure."""
    settings = _embedding_settings(store)
    from assistant.ask import Asker, answer_of, make_scope, references_text
    from assistant.index import PaperIndex

    index = PaperIndex(settings)
    scope = make_scope(index, professor, collection)
    asker = Asker(index.settings, scope, k=k, index=index, offline=True if offline else None)
    if as_json:
        result = asker.ask(question)
        emit_json(result.to_json())
    else:
        result = answer_of(asker.stream(question), lambda text: click.echo(text, nl=False)).result
        click.echo("")
        click.echo(references_text(result))
    if result.cut:
        info(f"answer cut: {result.cut}")
        sys.exit(1)
    if strict and not result.answer.guardrails.passed:
        sys.exit(1)


@cli.command()
@click.option("--professor", required=True, help="The professor to talk about (id or name).")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Papers per question.")
@click.option("--offline", is_flag=True, help="Answer extractively even when an LLM is configured.")
@store_option
def chat(professor: str, k: int, offline: bool, store: Path | None) -> None:
    """Ask questions about one professor's papers; follow-ups ("which of those is most recent?") resolve."""
    from assistant.ask import Asker, ChatSession, chat_loop, make_scope
    from assistant.index import PaperIndex

    index = PaperIndex(_settings(store))
    asker = Asker(index.settings, make_scope(index, professor), k=k, index=index, offline=True if offline else None)
    info(f"chatting about {asker.scope.professor.name if asker.scope.professor else professor}")
    sys.exit(chat_loop(ChatSession(asker), input, click.echo))


@cli.command()
@store_option
def demo(store: Path | None) -> None:
    """Run the main job end to end on the bundled sample data, offline."""
    from assistant.demo import run_demo

    settings = _settings(store, existing=False)
    run_demo(settings)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the default browser.")
@click.option(
    "--allow-remote", is_flag=True, help="Allow a non-loopback --host; every request then needs a printed token."
)
@store_option
def serve(host: str, port: int, open_browser: bool, allow_remote: bool, store: Path | None) -> None:
    """Run the web app: the whole journey in a browser, over the same store, settings and library as the CLI."""
    from assistant.web.server import make_guard
    from assistant.web.server import serve as run_server

    guard = make_guard(host, port, allow_remote=allow_remote)
    run_server(_settings(store, existing=False), guard, open_browser=open_browser)


def _debug_enabled() -> bool:
    try:
        return _settings(None, existing=False).debug
    except Exception:  # broken settings must not hide the original error
        return False


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: OutreachErrors become a clean message on stderr (a traceback
    with OUTREACH_DEBUG=1); usage errors exit 2."""
    try:
        code = cli.main(args=args, standalone_mode=False)
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        from assistant.errors import OutreachError, error_lines

        debug = _debug_enabled()
        if debug:
            raise
        if not isinstance(exc, OutreachError):
            click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("(set OUTREACH_DEBUG=1 for a traceback)", err=True)
            return 1
        click.echo(error_lines(exc), err=True)
        return exc.exit_code


def main() -> None:
    sys.exit(run())
