"""Acronyms as texts spell them: the initials of capitalised names ("UCLA" from "University of California, Los
Angeles") and an acronym whose words a text writes out ("GANs" for "generative adversarial networks")."""

from __future__ import annotations

import re
from functools import lru_cache

import regex

# An acronym, or acronyms joined by hyphens, each part initials ("GANs", "kNN-LM": a lower-case "k" is an initial).
_ACRONYM_RE = re.compile(r"(?:[a-z]?[A-Z]{1,6}s?)(?:-[a-z]?[A-Z]{1,6}s?)*")
_ACRONYM_PART_RE = re.compile(r"([a-z]?[A-Z]{1,6})s?")
_ACRONYM_LETTERS = (2, 8)


def spelled_out(term: str, norm_text: str) -> bool:
    """An acronym whose words one paper spells out ("GANs" for "generative adversarial networks", "kNN-LM" for
    "k-nearest neighbors language model"). Only ever asked of one paper's text: over all of a professor's texts,
    three initials match somewhere by chance."""
    if not _ACRONYM_RE.fullmatch(term):
        return False
    letters = "".join(m.group(1) for p in term.split("-") if (m := _ACRONYM_PART_RE.fullmatch(p))).lower()
    if not _ACRONYM_LETTERS[0] <= len(letters) <= _ACRONYM_LETTERS[1] or sum(c.isupper() for c in term) < 2:
        return False
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
