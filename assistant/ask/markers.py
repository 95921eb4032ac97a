"""Citation markers in answer text: finding them, dropping those that point to no retrieved paper (also while the
answer streams), and removing them before a sentence is checked."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBERS = r"\d{1,3}(?:\s*[,;]\s*\d{1,3})*"
_MARKER = re.compile(rf"\[({_NUMBERS})\]")
_MARKER_WITH_SPACE = re.compile(rf"[ \t]*\[({_NUMBERS})\]")
# "[1], [2] and [3]": a run of markers with the words that join them, removed as one before checking a sentence.
_MARKER_RUN = re.compile(rf"[ \t]*\[{_NUMBERS}\](?:(?:\s*,)?(?:\s+(?:and|or))?\s*\[{_NUMBERS}\])*")
_PARTIAL_MARKER = re.compile(r"\s*\[[\d,; ]*$")
LEADING_MARKERS = re.compile(r"^(?:\[[\d,; ]+\]\s*)+")


def markers_in(text: str) -> list[int]:
    """Every marker number in the text, in order of first appearance ("[1, 3]" counts as 1 and 3)."""
    found = [int(n) for m in _MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]
    return list(dict.fromkeys(found))


def strip_invalid_markers(text: str, valid: Iterable[int]) -> tuple[str, list[int]]:
    """Drop citations to papers that were not retrieved: "[2, 7]" -> "[2]", "[7]" -> "". Returns the text and
    the dropped numbers."""
    allowed = set(valid)
    dropped: list[int] = []

    def fix(m: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        kept = [n for n in numbers if n in allowed]
        dropped.extend(n for n in numbers if n not in allowed)
        if len(kept) == len(numbers):
            return m.group(0)
        if not kept:
            return ""
        lead = m.group(0)[: m.group(0).index("[")]
        return f"{lead}[{', '.join(str(n) for n in kept)}]"

    return _MARKER_WITH_SPACE.sub(fix, text), list(dict.fromkeys(dropped))


def remove_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER_RUN.sub("", text)).strip()


class MarkerFilter:
    """Streams text through `strip_invalid_markers`: a possible marker (and the spaces before it) is held back
    until it is complete, so what is printed is exactly the final, checked text."""

    def __init__(self, valid: Iterable[int]) -> None:
        self.valid = set(valid)
        self.pending = ""
        self.dropped: list[int] = []

    def feed(self, chunk: str) -> str:
        self.pending += chunk
        hold = _PARTIAL_MARKER.search(self.pending)
        cut = hold.start() if hold else len(self.pending.rstrip(" \t"))
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return self._clean(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self._clean(ready)

    def _clean(self, text: str) -> str:
        cleaned, dropped = strip_invalid_markers(text, self.valid)
        self.dropped.extend(d for d in dropped if d not in self.dropped)
        return cleaned
