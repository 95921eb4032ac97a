"""The batch's review page, `index.html`: every draft with its citations, its violations highlighted in place.

CV text and model output are untrusted: the page is rendered by a jinja2 environment with autoescaping on, the
highlighting splits the body into plain-text segments (never pasting HTML together), and a Content-Security-
Policy forbids scripts in case anything ever slipped through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assistant.files import atomic_write_text
from assistant.templating import environment

if TYPE_CHECKING:
    from assistant.batch import BatchRow, BatchSummary

TEMPLATE = "review.html.j2"


@dataclass(frozen=True)
class Segment:
    text: str
    severity: str | None = None  # "hard"/"soft" when this text carries a violation
    message: str = ""


def highlight(body: str, violations: list[dict[str, Any]]) -> list[Segment]:
    """The body cut into segments, each violation's span (its first occurrence) marked; overlaps keep the
    earlier (or, at the same start, the hard) one."""
    marks: list[tuple[int, int, dict[str, Any]]] = []
    for v in violations:
        span = v.get("span")
        if span and (start := body.find(span)) >= 0:
            marks.append((start, start + len(span), v))
    marks.sort(key=lambda m: (m[0], m[2].get("severity") != "hard", -m[1]))
    segments, pos = [], 0
    for start, end, v in marks:
        if start < pos:
            continue
        if start > pos:
            segments.append(Segment(body[pos:start]))
        segments.append(Segment(body[start:end], str(v.get("severity") or "soft"), str(v.get("message") or "")))
        pos = end
    if pos < len(body):
        segments.append(Segment(body[pos:]))
    return segments


def _draft_view(row: BatchRow, data: dict[str, Any] | None) -> dict[str, Any]:
    key = row.professor_id
    view: dict[str, Any] = {
        "row": row,
        "anchor": "draft-" + key,
        "css": row.status.replace(" ", "-"),
        "has_draft": data is not None,
        "files": [],
    }
    if data is None:
        return view
    violations = list(data.get("guardrails", {}).get("violations", []))
    view.update(
        subject=str(data.get("subject", "")),
        segments=highlight(str(data.get("body", "")), violations),
        citations=list(data.get("citations", [])),
        violations=violations,
        files=[{"href": quote(f"{key}.{fmt}"), "label": fmt} for fmt in ("md", "eml", "json")],
    )
    return view


def render_review(summary: BatchSummary, sidecars: dict[str, dict[str, Any]]) -> str:
    counts = {s: summary.count(s) for s in ("clean", "needs review", "failed", "skipped")}
    drafts = [_draft_view(row, sidecars.get(row.professor_id)) for row in summary.rows]
    return environment(html=True).get_template(TEMPLATE).render(summary=summary, counts=counts, drafts=drafts)


def write_review(out_dir: Path, summary: BatchSummary, sidecars: dict[str, dict[str, Any]]) -> Path:
    path = out_dir / "index.html"
    atomic_write_text(path, render_review(summary, sidecars), durable=False)  # rewritten by every run
    return path
