"""Turning a block into CV items, each with `source_text`, the exact span of the CV text it came from."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from assistant.cv.blocks import Block
from assistant.cv.lines import BULLET, RULE
from assistant.text import sentence_spans
from assistant.types import CVItem, CVSection, StudentProfile


def items_from_block(text: str, block: Block, starts: list[int]) -> list[CVItem]:
    if block.section in ("contact", "other"):
        return []
    if block.section == "skills":
        spans = _list_spans(text, _after_label(text, block.start, block.end), block.end)
    elif block.section == "interests":
        spans = [
            span for sentence in sentence_spans(text, block.start, block.end) for span in _phrase_list(text, *sentence)
        ]
    else:
        spans = [(block.start, block.end)]
    return make_items(text, block.section, spans, starts)


def make_items(text: str, section: CVSection, spans: Iterable[tuple[int, int]], starts: list[int]) -> list[CVItem]:
    items = []
    for a, b in spans:
        a, b = _trim(text, a, b)
        source = text[a:b]
        clean = _clean(source)
        if not re.search(r"\w", clean):  # a lone separator or marker; "C" and "R" are real skills
            continue
        items.append(CVItem(section=section, text=clean, source_text=source, line=bisect_right(starts, a)))
    return items


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink a span past surrounding spaces, list glue ("and", "or") and trailing separators."""
    while a < b and text[a] in " \t\n":
        a += 1
    glue = re.match(r"(?:and|or)\s+", text[a:b], re.IGNORECASE)
    if glue and glue.end() < b - a:
        a += glue.end()
    while b > a and text[b - 1] in " \t\n*_`,;.|·•":
        b -= 1
    if b > a and text[b - 1] == ")" and text.count("(", a, b) < text.count(")", a, b):
        b -= 1
    return a, b


def _after_label(text: str, start: int, end: int) -> int:
    """Skip a category label such as "Languages:" or "**ML:**" at the start of a skills line."""
    match = re.match(r"[^:,;()\n]{1,40}:[*_]*(?!\S)", text[start:end])
    return start + match.end() if match else start


def _list_spans(text: str, start: int, end: int, separators: str = ",;|·•") -> list[tuple[int, int]]:
    """Split on separators outside brackets: "PyTorch (DDP, FSDP), JAX" is two items."""
    spans, depth, begin = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, end))
    return spans


def _phrase_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An interests sentence that is really a list ("coresets; data selection", "A, B, C") becomes its phrases."""
    segment = text[start:end]
    if ";" in segment:
        return _list_spans(text, start, end, ";")
    parts = _list_spans(text, start, end, ",")
    words = [text[a:b].lower().split() for a, b in parts]
    if any(not w or w[0] in _PROSE_OPENERS for w in words):  # "…, e.g. X", "…, which …": a sentence, not a list
        return [(start, end)]
    if (len(parts) >= 3 and all(len(w) <= 5 for w in words)) or (len(parts) == 2 and all(len(w) <= 3 for w in words)):
        return parts
    return [(start, end)]


_PROSE_OPENERS = frozenset(
    "i we my our which that who where while especially including such e.g. i.e. in with for from as but so".split()
)


def _clean(source: str) -> str:
    """The item as a reader means it: one line, no markdown, no bullet."""
    # Spans are bounded (300 characters) so unclosed markers in a long entry cannot make these quadratic.
    text = re.sub(r"\[([^\]\n]{1,300})\]\([^)\s]{0,500}\)", r"\1", source)  # [text](url)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text)  # keep hyphens at line breaks: compounds are common
    text = re.sub(r"(\*\*|__|`)(.{1,300}?)\1", r"\2", text, flags=re.DOTALL)
    text = re.sub(r"(?<!\w)([*_])(\S(?:.{0,300}?\S)?)\1(?!\w)", r"\2", text, flags=re.DOTALL)
    text = BULLET.sub("", text).replace("*", "")  # unpaired emphasis and footnote stars ("M. Chen*")
    return " ".join(text.split()).strip(" #*_`")


def content_start(raw: str) -> int | None:
    if not raw.strip() or RULE.match(raw):
        return None
    bullet = BULLET.match(raw)
    start = bullet.end() if bullet else len(raw) - len(raw.lstrip())
    return start if start < len(raw.rstrip()) else None


def profile_list(profile: StudentProfile, section: CVSection) -> list[CVItem]:
    lists = {
        "education": profile.education,
        "interests": profile.interests,
        "skills": profile.skills,
        "publications": profile.publications,
        "experience": profile.experience,
        "projects": profile.experience,
        "awards": profile.awards,
    }
    return lists[section]
