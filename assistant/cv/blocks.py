"""Grouping a CV's lines into blocks, one entry each: headings switch section, wrapped lines join their entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.cv.lines import Kind, Line
from assistant.types import CVSection


@dataclass
class Block:
    section: CVSection
    start: int  # offset of the entry's content (after any bullet marker)
    end: int  # offset just past its last character
    first: Line
    last: Line
    bullet: bool


_CONNECTOR_WORDS = frozenset("and or of in on for the a an to with via from by at as into using".split())


def group_blocks(lines: list[Line], kinds: list[Kind], *, wrapped: bool) -> Iterator[Block]:
    """Walk the lines: headings switch section; bullets, blank lines and finished lines end an entry."""
    widths = _section_widths(lines, kinds)
    section: CVSection = "contact"
    current: Block | None = None
    bullet_pending = False
    for line, kind in zip(lines, kinds, strict=True):
        if kind.blank or kind.rule or kind.contact_field or kind.bullet_only:
            if current:
                yield current
            current = None
            bullet_pending = kind.bullet_only
            continue
        if kind.section is not None:
            if current:
                yield current
            section, current, bullet_pending = kind.section, None, False
            if kind.inline is not None:
                current = _new_block(section, line, kind.inline, bullet=False)
            continue
        content = kind.bullet if kind.bullet is not None else len(line.raw) - len(line.raw.lstrip())
        is_bullet = kind.bullet is not None or bullet_pending
        bullet_pending = False
        if current and not is_bullet and _continues(current, line, wrapped=wrapped, width=widths[line.number]):
            current.end, current.last = line.start + len(line.raw), line
            continue
        if current:
            yield current
        current = _new_block(section, line, content, bullet=is_bullet)
    if current:
        yield current


def _new_block(section: CVSection, line: Line, content: int, *, bullet: bool) -> Block:
    return Block(section, line.start + content, line.start + len(line.raw), line, line, bullet)


def _continues(block: Block, line: Line, *, wrapped: bool, width: float) -> bool:
    """Is this line the rest of the entry above it (a wrapped line) rather than a new entry?"""
    prev, cur = block.last.raw.rstrip(), line.raw.strip()
    last_word = prev.rsplit(None, 1)[-1].lower() if prev.split() else ""
    if re.search(r"\w-$", prev) or prev.endswith((",", ";", "(", "/", "&", "+", "–", "—")):
        return True
    if last_word in _CONNECTOR_WORDS or cur[0].islower() or cur[0] in ")],;":
        return True
    if not wrapped:
        indent = len(line.raw) - len(line.raw.lstrip())
        first_indent = len(block.first.raw) - len(block.first.raw.lstrip())
        return block.bullet and indent > first_indent
    # Inside a bullet a shortish line still wraps; unbulleted lines must fill the column to count as wrapped.
    if len(prev) < (0.55 if block.bullet else 0.85) * width:
        return False  # the line above ended early: its entry was complete
    if prev.endswith((".", "!", "?", ":")):
        return block.bullet and len(prev) >= 0.85 * width
    return True


def _section_widths(lines: list[Line], kinds: list[Kind]) -> dict[int, float]:
    """The typical full-line length in each section (columns differ), for telling wrapped lines from short ones."""

    def p90(values: list[int]) -> float:
        values = sorted(values)
        return float(values[int(0.9 * (len(values) - 1))]) if values else 0.0

    lengths = [len(line.raw.strip()) for line, kind in zip(lines, kinds, strict=True) if not kind.blank]
    overall = p90(lengths)
    widths: dict[int, float] = {}
    group: list[Line] = []

    def close() -> None:
        local = [len(line.raw.strip()) for line in group if line.raw.strip()]
        width = p90(local) if len(local) >= 5 else overall
        widths.update((line.number, width) for line in group)

    for line, kind in zip(lines, kinds, strict=True):
        if kind.section is not None:
            close()
            group = []
        group.append(line)
    close()
    return widths


def headingless_blocks(lines: list[Line], kinds: list[Kind]) -> list[Block]:
    """A CV with no recognisable headings: its paragraphs (past the name/contact lines) become interests."""
    blocks = []
    for block in group_blocks(lines, kinds, wrapped=False):
        contact_like = re.search(r"@|https?://|www\.|\+?\d[\d ()-]{7,}", block.first.raw)
        if block.first.number == 1 or contact_like or len(block.first.raw.split()) < 4:
            continue
        block.section = "interests"
        blocks.append(block)
    return blocks
