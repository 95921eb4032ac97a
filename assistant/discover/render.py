"""How a discovery is shown: a rich table on stdout (notes on stderr), or a documented JSON shape."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from assistant.discover.models import DiscoveredProfessor, Discovery
from assistant.render import err, out

TITLE_CHARS = 60
ITEM_CHARS = 40


def discovery_table(discovery: Discovery) -> None:
    if not discovery.professors:
        err.print(
            f"no candidates to list at {discovery.scope.describe()}: try more places (--institution, --country), "
            "an earlier --since, or more --works-per-item",
            markup=False,
        )
    else:
        table = Table("#", "name", "institution", "status and why", "score", "matching works ⇐ CV item")
        for n, row in enumerate(discovery.professors, start=1):
            table.add_row(str(n), *_cells(row, len(discovery.cv_items)))
        out.print(table)
    for line in notes(discovery):
        err.print(line, markup=False)


def _cells(row: DiscoveredProfessor, n_items: int) -> list[str]:
    c, v = row.candidate, row.verdict
    found = f"{len(c.cv_items)} of {n_items} CV items, {len(c.works)} work(s), newest {c.newest_year}"
    name = f"{c.name}\n{c.id} · {found}"
    status = v.status + ("\n⚠ inactive" if v.inactive else "") + "\n" + "; ".join(v.reasons)  # facts: in --json
    evidence = "\n".join(
        f"{_cut(e.title or e.paper_id, TITLE_CHARS)} ⇐ {_cut(e.cv_item, ITEM_CHARS)} ({e.similarity:.2f})"
        for e in row.match.evidence
    )
    return [name, ", ".join(c.institutions), status, f"{row.match.score:.1f}", evidence]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notes(discovery: Discovery) -> list[str]:
    """What the table leaves out, said rather than hidden."""
    lines = []
    if discovery.students_not_listed:
        names = ", ".join(f"{p.candidate.name} ({p.verdict.reasons[0]})" for p in discovery.students_not_listed[:8])
        more = len(discovery.students_not_listed) - 8
        tail = f" and {more} more" if more > 0 else ""
        lines.append(
            f"not listed, likely students or postdocs ranked among these: {names}{tail} (--include-students lists them)"
        )
    if discovery.ranked_below:
        lines.append(f"{discovery.ranked_below} more candidate(s) ranked below these (a larger --top lists them)")
    if discovery.ingest is not None:
        lines.append(f"ingested into the store: {', '.join(discovery.ingest.professors) or 'nobody'}")
    if discovery.shortlisted:
        lines.append(f"on the shortlist: {', '.join(discovery.shortlisted)}")
    return lines


def discovery_json(discovery: Discovery) -> dict[str, Any]:
    return {
        "scope": discovery.scope.model_dump(),
        "cv_items": discovery.cv_items,
        "professors": [professor_json(p) for p in discovery.professors],
        "students_not_listed": [professor_json(p) for p in discovery.students_not_listed],
        "ranked_below": discovery.ranked_below,
        "candidates_found": discovery.candidates_found,
        "calls": discovery.calls.model_dump(),
        "ingested": discovery.ingest.professors if discovery.ingest else [],
        "shortlisted": discovery.shortlisted,
    }


def professor_json(row: DiscoveredProfessor) -> dict[str, Any]:
    c, m = row.candidate, row.match
    return {
        "openalex_id": c.id,
        "name": c.name,
        "institutions": c.institutions,
        "status": row.verdict.status,
        "reasons": row.verdict.reasons,
        "facts": row.verdict.facts,
        "inactive": row.verdict.inactive,
        "score": m.score,
        "components": m.components.model_dump(),
        "confidence": m.confidence,
        "matched_cv_items": c.cv_items,
        "works": [w.model_dump() for w in c.works],
        "evidence": [e.model_dump() for e in m.evidence],
        "author": row.facts.model_dump(),
    }
