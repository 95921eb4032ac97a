"""The student: `cv show`, `match` and the `shortlist` commands."""

from __future__ import annotations

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
    student_profile,
)


@click.group()
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
    profile, refinement = read_student_cv(path, settings_for(store, existing=False), offline=offline, announce=False)
    if as_json:
        data = profile.model_dump(exclude={"raw_text"})
        if refinement:
            data["dropped_by_check"] = [vars(d) for d in refinement.dropped]
            data["sections_kept_offline"] = refinement.sections_kept_offline
        emit_json(data)
    else:
        render.cv_profile(profile, refinement)


@click.command()
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
    settings = settings_for(store)
    student = student_profile(cv_path, text, settings, offline)
    preload_unless_saved(settings, [*student.research_items(), *student.skills])  # what match.rank_professors scores
    from assistant import render, shortlist
    from assistant.index import PaperIndex
    from assistant.match import rank_professors

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


@click.group("shortlist")
def shortlist_group() -> None:
    """Keep a shortlist of professors with notes and outreach status."""


@shortlist_group.command("add")
@click.argument("professors", nargs=-1, required=True)
@store_option
def shortlist_add(professors: tuple[str, ...], store: Path | None) -> None:
    """Add professors (by id or name)."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    ids = shortlist.add(Catalog(settings_for(store).catalog_path), professors)
    info(f"on the shortlist: {', '.join(ids)}")


@shortlist_group.command("remove")
@click.argument("professor")
@store_option
def shortlist_remove(professor: str, store: Path | None) -> None:
    """Remove a professor."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    info(f"removed {shortlist.remove(Catalog(settings_for(store).catalog_path), professor)}")


@shortlist_group.command("list")
@store_option
@json_option
def shortlist_list(store: Path | None, as_json: bool) -> None:
    """Show the shortlist."""
    from assistant import render, shortlist
    from assistant.catalog import Catalog

    entries = shortlist.entries(Catalog(settings_for(store).catalog_path))
    emit_json([e.model_dump() for e in entries]) if as_json else render.shortlist_table(entries)


@shortlist_group.command("note")
@click.argument("professor")
@click.argument("text")
@store_option
def shortlist_note(professor: str, text: str, store: Path | None) -> None:
    """Attach a note to a shortlisted professor."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    info(f"noted for {shortlist.note(Catalog(settings_for(store).catalog_path), professor, text)}")


@shortlist_group.command("status")
@click.argument("professor")
@click.argument("status", type=click.Choice(["to-draft", "drafted", "sent", "replied"]))
@store_option
def shortlist_status(professor: str, status: str, store: Path | None) -> None:
    """Set a shortlisted professor's status."""
    from assistant import shortlist
    from assistant.catalog import Catalog

    pid = shortlist.set_status(Catalog(settings_for(store).catalog_path), professor, status)
    info(f"{pid}: {status}")
