"""The batch's review page, `index.html`: every draft with its citations, its violations highlighted in place.

CV text and model output are untrusted: the page is rendered by a jinja2 environment with autoescaping on, the
highlighting splits the body into plain-text segments (never pasting HTML together), and a Content-Security-
Policy forbids scripts in case anything ever slipped through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assistant.files import atomic_write_text
from assistant.templating import environment
from assistant.types import BatchRow, BatchSummary, Sidecar, Violation

TEMPLATE = "review.html.j2"


@dataclass(frozen=True)
class Segment:
    text: str
    severity: str | None = None  # "hard"/"soft" when this text carries a violation
    message: str = ""


def highlight(body: str, violations: Sequence[Violation]) -> list[Segment]:
    """The body cut into segments, each violation's span (its first occurrence) marked; overlaps keep the
    earlier (or, at the same start, the hard) one."""
    marks: list[tuple[int, int, Violation]] = []
    for v in violations:
        if v.span and (start := body.find(v.span)) >= 0:
            marks.append((start, start + len(v.span), v))
    marks.sort(key=lambda m: (m[0], m[2].severity != "hard", -m[1]))
    segments, pos = [], 0
    for start, end, v in marks:
        if start < pos:
            continue
        if start > pos:
            segments.append(Segment(body[pos:start]))
        segments.append(Segment(body[start:end], v.severity, v.message))
        pos = end
    if pos < len(body):
        segments.append(Segment(body[pos:]))
    return segments


def _draft_view(row: BatchRow, sidecar: Sidecar | None) -> dict[str, Any]:
    key = row.professor_id
    view: dict[str, Any] = {
        "row": row,
        "anchor": "draft-" + key,
        "css": row.status.replace(" ", "-"),
        "has_draft": sidecar is not None,
        "files": [],
    }
    if sidecar is None:
        return view
    violations = sidecar.guardrails.violations
    view.update(
        subject=sidecar.subject,
        segments=highlight(sidecar.body, violations),
        citations=sidecar.citations,
        violations=violations,
        files=[{"href": quote(f"{key}.{fmt}"), "label": fmt} for fmt in ("md", "eml", "json")],
    )
    return view


def render_review(summary: BatchSummary, sidecars: dict[str, Sidecar]) -> str:
    drafts = [_draft_view(row, sidecars.get(row.professor_id)) for row in summary.rows]
    template = environment(html=True).get_template(TEMPLATE)
    return template.render(summary=summary, counts=summary.counts(), drafts=drafts)


def write_review(out_dir: Path, summary: BatchSummary, sidecars: dict[str, Sidecar]) -> Path:
    path = out_dir / "index.html"
    atomic_write_text(path, render_review(summary, sidecars), durable=False)  # rewritten by every run
    return path
