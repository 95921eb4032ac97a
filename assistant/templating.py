"""Templates: files in prompts/*.j2, rendered with StrictUndefined so a missing variable fails fast.

Prompts render as text; HTML pages (the batch review page) autoescape every value, since they show CV text and
model output.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2


@lru_cache(maxsize=2)
def environment(*, html: bool = False) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        keep_trailing_newline=False,
        # Prompts keep every newline as written; the page's {% for %} lines would otherwise leave blank lines.
        trim_blocks=html,
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
