"""Stable identifiers and the text normalisation they rest on.

Ids come from normalised content so that re-ingesting the same file is an idempotent upsert.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_text(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: punctuation, accents and dashes vanish."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", folded.lower()).strip()


_NON_WORD_UNICODE = re.compile(r"[\W_]+")


def normalize_content(text: str) -> str:
    """Like normalize_text, but keeps non-Latin letters: two Japanese titles must not both become "6".

    Identical to normalize_text for ASCII and accented Latin text, so those ids are unchanged."""
    kept = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD_UNICODE.sub(" ", kept.casefold()).strip()


def slugify(text: str) -> str:
    return normalize_text(text).replace(" ", "-")


# Abstracts arrive truncated or lightly edited from different listings; their opening is what stays put.
ABSTRACT_KEY_CHARS = 240


def paper_id(title: str | None, abstract: str | None) -> str:
    """Hash of the normalised abstract's opening when there is one, else of the normalised title."""
    if abstract and normalize_content(abstract):
        key = "a:" + normalize_content(abstract)[:ABSTRACT_KEY_CHARS]
    elif title and normalize_content(title):
        key = "t:" + normalize_content(title)
    else:
        raise ValueError("a paper needs a title or an abstract")
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def professor_id(name: str) -> str:
    slug = slugify(name)
    if not slug:
        raise ValueError(f"cannot make an id from the name {name!r}")
    return slug
