"""Reading untrusted OpenAlex JSON: every accessor returns the type it promises or None/empty, never raises."""

from __future__ import annotations

import html
import re
from typing import Any

from assistant.errors import RemoteServiceError

Json = dict[str, Any]

_DOI_PREFIX = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
# Inline markup OpenAlex keeps in some titles (from Crossref/JATS); a bare "<" as in "p < 0.05" is left alone.
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|scp|u|tt|mml:[a-z]+)(?:\s[^>]*)?>", re.IGNORECASE)


def results_of(page: Json, path: str) -> list[Json]:
    results = page.get("results")
    if not isinstance(results, list):
        raise RemoteServiceError(f"OpenAlex returned malformed JSON for {path}: no results list; try later")
    return [r for r in results if isinstance(r, dict)]


def as_dict(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def short_id(url: str | None) -> str | None:
    """The last path segment: https://openalex.org/A123 -> A123, https://orcid.org/0000-… -> 0000-…"""
    return (url.rstrip("/").rsplit("/", 1)[-1] or None) if url else None


def bare_doi(doi: str | None) -> str | None:
    return (_DOI_PREFIX.sub("", doi) or None) if doi else None


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    return " ".join(_INLINE_TAG.sub("", html.unescape(title)).split()) or None
