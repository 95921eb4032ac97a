"""Finding professors over OpenAlex: `discover`."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import emit_json, info, json_option, settings_for, store_option, student_profile


@click.command()
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

    settings = settings_for(store, existing=False)
    student = student_profile(cv_path, text, settings, offline)
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
