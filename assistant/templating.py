"""Prompt templates: files in prompts/*.j2, rendered with StrictUndefined so a missing variable fails fast."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(_load)
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _load(name: str) -> str:
    try:
        return (resources.files("assistant.prompts") / name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise jinja2.TemplateNotFound(name) from exc


def template_names() -> list[str]:
    return sorted(p.name for p in resources.files("assistant.prompts").iterdir() if p.name.endswith(".j2"))


def render(name: str, **variables: Any) -> str:
    """Render prompts/<name> ('.j2' optional); an undefined variable raises jinja2.UndefinedError."""
    if not name.endswith(".j2"):
        name += ".j2"
    return environment().get_template(name).render(**variables).strip()
