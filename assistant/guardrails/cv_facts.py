"""What the CV states, as units: a CV entry (a degree with its field, institution and dates; a position with its
employer; a publication with its venue and year; an award) is one block of the CV, and a fact claimed about the
student is compared with one block, not with the CV's words anywhere. "An M.Sc. in Computer Science from ETH
Zurich" is not backed by a CV with an M.Sc. in Computer Science from Zagreb and a summer school at ETH Zurich.

A block is a paragraph of the CV (an entry's heading line with its bullet points); a paragraph that lists several
entries of one kind line by line (several degrees, several papers) is split into its lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.guardrails.acronyms import acronyms
from assistant.guardrails.vocabulary import norm, plural_variants
from assistant.text import content_words

_BLOCK_BREAK_RE = re.compile(r"\n\s*\n")
_LINE_ITEM_RE = re.compile(r"\n(?=\s*(?:[-*•]|\d+\.)\s)")
ANY_ENTRY = re.compile(r"\w")  # `cv_units(kind=ANY_ENTRY)`: every listed line its own entry (papers, awards)
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
YEAR = "the year"
# Fields of study as English clips them: "a B.A. in CS and Maths" is the CV's Computer Science and Mathematics.
_CLIPPED: dict[str, tuple[str, ...]] = {
    "math": ("mathematics", "mathematical"),
    "maths": ("mathematics", "mathematical"),
    "stats": ("statistics", "statistical"),
    "stat": ("statistics", "statistical"),
    "econ": ("economics",),
    "bio": ("biology",),
    "chem": ("chemistry",),
    "phys": ("physics",),
    "psych": ("psychology",),
    "compsci": ("computer",),
    "comp": ("computer", "computational"),
    "sci": ("science", "sciences"),
    "eng": ("engineering",),
    "engg": ("engineering",),
}


def clipped_forms(word: str) -> tuple[str, ...]:
    """The words a clipped field name stands for ("maths": mathematics), or ()."""
    return _CLIPPED.get(word.lower(), ())


@dataclass(frozen=True)
class Unit:
    """One entry of the CV: as written, normalised (space-padded), the acronyms its names spell, its years."""

    raw: str
    norm: str
    acronyms: frozenset[str]
    years: frozenset[int]

    def has(self, phrase: str) -> bool:
        """Every content word of `phrase` is in the entry (a plural s tolerated), or is an acronym its names
        spell ("TU Munich" for "Technical University of Munich")."""
        words = content_words(norm(phrase)) or norm(phrase).split()
        return bool(words) and all(self._has_word(w) for w in words)

    def _has_word(self, word: str) -> bool:
        if word.upper() in self.acronyms:
            return True
        return any(f" {v} " in self.norm for w in (word, *_CLIPPED.get(word, ())) for v in plural_variants(w))

    def holds(self, part: Part) -> bool:
        """The entry states this part; a year, within the entry's dates ("2024" in "Oct 2022 – Jul 2024")."""
        if part.what != YEAR:
            return self.has(part.text)
        return bool(self.years) and min(self.years) <= int(part.text) <= max(self.years)


@dataclass(frozen=True)
class Part:
    """One part of a claimed fact and where it is, in the sentence's text."""

    what: str  # what the report calls it: "the institution", "the degree field"...
    text: str
    start: int


def _unit(text: str) -> Unit:
    years = frozenset(int(y) for y in _YEAR_RE.findall(text))
    return Unit(text, f" {norm(text)} ", acronyms(text), years)


@lru_cache(maxsize=32)  # a batch checks every draft against the same CV
def cv_units(cv_raw: str, kind: re.Pattern[str] | None = None) -> tuple[Unit, ...]:
    """The CV's entries. With `kind` (a pattern for one kind of entry, e.g. a degree), a paragraph where more
    than one line matches it is split into its lines, one entry each."""
    out = []
    for block in _BLOCK_BREAK_RE.split(_first_copies(cv_raw)):
        if not block.strip():
            continue
        items = _LINE_ITEM_RE.split(block)
        if kind is not None and sum(bool(kind.search(i)) for i in items) > 1:
            out += [_unit(i) for i in items if i.strip()]
        else:
            out.append(_unit(block))
    return tuple(out)


def _first_copies(cv_raw: str) -> str:
    """The CV text without lines it repeats: the evidence appends the CV items read from its lines to the text,
    and a repeated line appended elsewhere would join entries that the CV keeps apart."""
    seen: set[str] = set()
    kept = []
    for line in cv_raw.split("\n"):
        key = line.strip()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def unbacked_part(units: Sequence[Unit], parts: Sequence[Part]) -> Part | None:
    """None when one entry holds every part; else the first part that the closest entry (the one holding most
    of them) lacks."""
    if not parts:
        return None
    best = max(units, key=lambda u: sum(u.holds(p) for p in parts), default=None)
    return next((p for p in parts if best is None or not best.holds(p)), None)


def year_parts(text: str, offset: int = 0) -> list[Part]:
    """The years in `text` (a claim's clause), as parts to find in the entry's dates."""
    return [Part(YEAR, m.group(), offset + m.start()) for m in _YEAR_RE.finditer(text)]
