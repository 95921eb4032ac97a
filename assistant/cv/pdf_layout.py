"""PDF reading order: pypdf's text for a page, with columns drawn row by row put back in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass
class _PdfLine:
    text: str
    x: float
    y: float


def pdf_page_text(page: Any) -> str:
    """pypdf's text for one page, with row-interleaved columns put back into reading order."""
    fragments: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        fragments.append((text, x, y))

    text: str = page.extract_text(visitor_text=visit)
    if "".join(f[0] for f in fragments) != text:  # the visitor did not see what we got: keep pypdf's order
        return text
    lines = _positioned_lines(fragments)
    return "\n".join(_reading_order(lines, float(page.mediabox.width)))


def _positioned_lines(fragments: list[tuple[str, float, float]]) -> list[_PdfLine]:
    lines: list[_PdfLine] = []
    current = _PdfLine("", 0.0, 0.0)
    placed = False
    for text, x, y in fragments:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if piece.strip() and not placed:
                current.x, current.y, placed = x, y, True
            current.text += piece
            if i < len(pieces) - 1:
                lines.append(current)
                current, placed = _PdfLine("", 0.0, 0.0), False
    if current.text:
        lines.append(current)
    return lines


def _reading_order(lines: list[_PdfLine], page_width: float) -> list[str]:
    """Detect two columns drawn row by row (left, right, left, right…) and emit left column, then right.

    Acts only when several consecutive line pairs sit side by side at the same height and the right-hand
    lines look like running text, so right-aligned dates on a one-column CV are left where they are.
    """
    texts = [line.text for line in lines]
    content = [i for i, line in enumerate(lines) if line.text.strip()]
    pairs = [
        (a, b)
        for a, b in pairwise(content)
        if abs(lines[a].y - lines[b].y) <= 2 and lines[b].x - lines[a].x >= 0.25 * page_width
    ]
    if len(pairs) < 3:
        return texts
    gutter = min(lines[b].x for _, b in pairs) - 1
    first = pairs[0][0]
    right = [i for i in content if i >= first and lines[i].x >= gutter]
    lengths = sorted(len(texts[i].strip()) for i in right)
    if len(right) < 4 or lengths[len(lengths) // 2] < 20:
        return texts
    right_set = set(right)
    left = [i for i in range(first, len(lines)) if i not in right_set]
    return [texts[i] for i in [*range(first), *left, *right]]
