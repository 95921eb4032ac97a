"""Acronyms as texts spell them: the initials of capitalised names ("UCLA" from "University of California, Los
Angeles") and an acronym whose words a text writes out ("GANs" for "generative adversarial networks")."""

from __future__ import annotations

import re
from functools import lru_cache

import regex

_ACRONYM_RE = re.compile(r"([A-Z]{2,6})s?")


def spelled_out(term: str, norm_text: str) -> bool:
    """An acronym whose words one paper spells out ("GANs" for "generative adversarial networks"). Only ever
    asked of one paper's text: over all of a professor's texts, three initials match somewhere by chance."""
    m = _ACRONYM_RE.fullmatch(term)
    if not m:
        return False
    letters = m.group(1).lower()
    return bool(re.search(r"\b" + r"\w*\s+".join(letters) + r"\w*\b", norm_text))


_CAPITALISED_RUN_RE = regex.compile(
    r"\p{Lu}[\p{L}\p{M}'’-]*(?:(?:,?\s+(?:of|for|and|the|de|&)?\s*)\p{Lu}[\p{L}\p{M}'’-]*)*"
)
_ACRONYM_SKIP = frozenset({"of", "for", "and", "the", "de", "&"})


@lru_cache(maxsize=256)
def acronyms(text: str) -> frozenset[str]:
    """The acronyms the capitalised names in `text` spell ("UCLA" from "University of California, Los Angeles",
    "TU" from "Technical University of Munich"): the initials of every run of their words from its first."""
    out: set[str] = set()
    for run in _CAPITALISED_RUN_RE.findall(text):
        initials = [w[0] for w in regex.split(r"[,\s]+", run) if w and w not in _ACRONYM_SKIP]
        for start in range(len(initials)):
            for end in range(start + 2, min(len(initials), start + 7) + 1):
                out.add("".join(initials[start:end]))
    return frozenset(out)
