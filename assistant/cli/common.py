"""Plumbing every command shares: the --store and --json options, settings, stdout/stderr helpers, reading
the student's CV, and whether OUTREACH_DEBUG asks for tracebacks."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from assistant.cv.refine import Refinement
    from assistant.settings import Settings
    from assistant.types import CVItem, StudentProfile


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


def settings_for(store: Path | None, *, existing: bool = True) -> Settings:
    """Settings for this store. Only the commands that create a store (ingest, discover, demo, serve) pass
    `existing=False`: for every other one a missing store is a typo or a missing first step, not a new store."""
    from assistant.settings import get_settings
    from assistant.store.access import require_store

    settings = get_settings(store)
    if existing:
        require_store(settings.store_dir)
    return settings


def embedding_settings(store: Path | None) -> Settings:
    """The settings of a command that will embed text: the offline model starts loading now, in a thread, while
    the command imports the rest and reads the store."""
    from assistant.embeddings import preload

    settings = settings_for(store)
    preload(settings)
    return settings


def preload_unless_saved(settings: Settings, items: Sequence[CVItem]) -> None:
    """What `embedding_settings` starts, for a command that embeds only these CV items, unless every item's
    vector is saved from an earlier match or draft (embeddings_memo): then nothing will be embedded, and loading
    the model in the background for nothing cost an offline draft 0.35 s of its wall time and 0.6 s of CPU."""
    from assistant.embeddings import embedder_id, preload
    from assistant.embeddings_memo import all_saved, memo_path

    if not all_saved(memo_path(settings.store_dir, embedder_id(settings)), [i.text for i in items]):
        preload(settings)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def info(message: str) -> None:
    click.echo(message, err=True)


def read_student_cv(
    cv_path: Path, settings: Settings, *, offline: bool = False, announce: bool = True
) -> tuple[StudentProfile, Refinement | None]:
    """A CV read offline, refined by the LLM when configured (cv/refine.py); a stderr line says what happened."""
    from assistant.cv.refine import read_student

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


def student_profile(cv_path: Path | None, text: str | None, settings: Settings, offline: bool) -> StudentProfile:
    from assistant.cv import profile_from_interests

    if cv_path and text:
        raise click.UsageError("give --cv or --text, not both")
    if cv_path:
        return read_student_cv(cv_path, settings, offline=offline)[0]
    if text:
        return profile_from_interests(text)
    raise click.UsageError('give --cv CV or --text "your research interests"')


def debug_enabled() -> bool:
    try:
        return settings_for(None, existing=False).debug
    except Exception:  # broken settings must not hide the original error
        return False
