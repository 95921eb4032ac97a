"""The corpus: `ingest`, `professors`, `papers`, `search` and `reindex`."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import embedding_settings, emit_json, info, json_option, settings_for, store_option


@click.command()
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

    settings = settings_for(store, existing=False)
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


@click.command()
@store_option
@json_option
def professors(store: Path | None, as_json: bool) -> None:
    """List the professors in the store."""
    from assistant import render
    from assistant.catalog import Catalog

    catalog = Catalog(settings_for(store).catalog_path)
    counts = catalog.paper_counts()
    rows = [
        {"id": p.id, "name": p.name, "affiliation": p.affiliation, "paper_count": counts.get(p.id, 0)}
        for p in catalog.professors()
    ]
    emit_json(rows) if as_json else render.professors_table(rows)


@click.command()
@click.argument("professor")
@store_option
@json_option
def papers(professor: str, store: Path | None, as_json: bool) -> None:
    """List one professor's papers (by id or name)."""
    from assistant import render
    from assistant.catalog import Catalog

    prof = Catalog(settings_for(store).catalog_path).resolve(professor)
    rows = [render.paper_json(p) for p in prof.papers]
    emit_json(rows) if as_json else render.papers_table(prof, rows)


@click.command()
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
    settings = embedding_settings(store)
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


@click.command()
@store_option
def reindex(store: Path | None) -> None:
    """Re-embed every paper with the configured embedding model (after changing models)."""
    from assistant import render
    from assistant.catalog import Catalog
    from assistant.index import PaperIndex

    settings = settings_for(store)
    catalog = Catalog(settings.catalog_path)
    catalog.set_meta("embedding_model", "")  # the user asked to switch: the old model no longer binds
    with render.progress("Re-embedding papers") as progress:
        n = PaperIndex(settings, catalog).reindex(progress)
    info(f"re-embedded {n} papers with {PaperIndex(settings, catalog).model_id}")
