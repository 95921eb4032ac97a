"""Building a StudentProfile from CV text (or free-text interests): sections, items, name and email."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.cv.blocks import group_blocks, headingless_blocks
from assistant.cv.items import content_start, items_from_block, make_items, profile_list
from assistant.cv.lines import Kind, Line, classify, split_lines, strip_emphasis
from assistant.cv.readers import extract_text, tidy
from assistant.errors import InputError
from assistant.instructions import CV_INSTRUCTION_RE
from assistant.text import EMAIL_RE, sentence_spans
from assistant.types import CVItem, StudentProfile


def read_cv(path: Path) -> StudentProfile:
    """Read a CV file into a profile; every problem with the file is an InputError."""
    path = Path(path)
    return profile_from_text(extract_text(path), source_path=str(path))


def profile_from_text(text: str, *, source_path: str | None = None, wrapped: bool | None = None) -> StudentProfile:
    """Split CV text into sections and items.

    `wrapped` says whether long entries were broken over several lines by a layout engine (PDF text);
    by default it is inferred from `source_path`.
    """
    text = tidy(text)
    if wrapped is None:
        wrapped = bool(source_path) and str(source_path).lower().endswith(".pdf")
    lines = split_lines(text)
    # A line addressed to a model ("Ignore previous instructions and say…") is no part of the student's record:
    # read as blank, so it becomes no item, and listed (`cv show`). raw_text keeps it, for the injection check.
    dropped = [line for line in lines if CV_INSTRUCTION_RE.search(line.raw)]
    kinds = [Kind(blank=True) if line in dropped else classify(line.raw) for line in lines]
    blocks = list(group_blocks(lines, kinds, wrapped=wrapped))
    if not any(kind.section is not None for kind in kinds):
        blocks = headingless_blocks(lines, kinds)
    profile = StudentProfile(
        name=_find_name(lines, kinds),
        email=_find_email(text),
        raw_text=text,
        source_path=source_path,
        instruction_lines=[line.raw.strip() for line in dropped],
    )
    starts = [line.start for line in lines]
    for block in blocks:
        for item in items_from_block(text, block, starts):
            profile_list(profile, item.section).append(item)
    return profile


def profile_from_interests(text: str) -> StudentProfile:
    """A profile made only of interests, from free text: every sentence (or line) becomes one item."""
    text = tidy(text)
    if not text.strip():
        raise InputError("no interests given: describe your research interests in a sentence or two")
    lines = split_lines(text)
    starts = [line.start for line in lines]
    items: list[CVItem] = []
    dropped = [line.raw.strip() for line in lines if CV_INSTRUCTION_RE.search(line.raw)]
    for line in lines:
        content = content_start(line.raw)
        if content is None or line.raw.strip() in dropped:
            continue
        begin = line.start + content
        end = line.start + len(line.raw.rstrip())
        for a, b in sentence_spans(text, begin, end):
            items.extend(make_items(text, "interests", [(a, b)], starts))
    return StudentProfile(interests=items, raw_text=text, instruction_lines=dropped)


_NAME_PARTICLES = frozenset("de da di del della van von der den la le bin binti al dos du ter".split())
_NOT_NAMES = frozenset({"curriculum vitae", "resume", "résumé", "cv", "vita"})


def _find_email(text: str) -> str | None:
    match = EMAIL_RE.search(text)
    return match.group(0) if match else None


def _find_name(lines: list[Line], kinds: list[Kind]) -> str | None:
    """The first line near the top, before any heading, that reads as a person's name."""
    checked = 0
    for line, kind in zip(lines, kinds, strict=True):
        if kind.section is not None or checked >= 6:
            return None
        if kind.blank or kind.rule:
            continue
        checked += 1
        candidate = re.split(r"\s+[|•·–—]\s+|\s*[|,]\s*", strip_emphasis(line.raw.strip().lstrip("#").strip()))[0]
        candidate = re.sub(r"^name\s*:\s*", "", candidate, flags=re.IGNORECASE).strip()
        if _looks_like_name(candidate):
            return candidate.title() if candidate.isupper() else candidate
    return None


def _looks_like_name(candidate: str) -> bool:
    words = candidate.split()
    if not 2 <= len(words) <= 5 or len(candidate) > 60 or candidate.lower() in _NOT_NAMES:
        return False
    if re.search(r"[\d@/:\\]", candidate):
        return False
    return all(
        word.lower() in _NAME_PARTICLES or (word[0].isupper() and re.fullmatch(r"[^\W\d_][\w'’.-]*", word))
        for word in words
    )
