"""Whether an item's words occur in the CV: the test that holds what an email says against what the CV says."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def item_in_cv(item_text: str, cv_text: str) -> bool:
    """True when the item's words occur, in order and contiguously, in the CV.

    Comparison ignores case, accents, punctuation and whitespace, and accepts a word broken across a line
    with a hyphen either way ("effi-\\ncient" matches "efficient"; "data-\\nefficient" matches "data-efficient").
    """
    needles = {form for form in _match_forms(item_text) if form}
    if not needles:
        return False
    haystacks = [f" {form} " for form in _match_forms(cv_text)]
    return any(f" {needle} " in hay for needle in needles for hay in haystacks)


@lru_cache(maxsize=16)
def _match_forms(text: str) -> tuple[str, str]:
    """Two comparable forms: a line-break hyphen read as a word break, and read as hyphenation."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("&", " and ")
    broken = re.sub(r"(\w)-\s+(\w)", r"\1 \2", text)
    joined = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)
    return _words(broken), _words(joined)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w+#]|_", " ", text).split())
