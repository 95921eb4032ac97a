"""A draft as the student will use it: Markdown for reading, .eml for a mail client, JSON for tools."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from assistant.types import DraftResult, GuardrailReport, Paper


def reference_line(n: int, paper: Paper) -> str:
    # An untitled paper's label already names its venue and date.
    where = paper.where(exact_date=False) if paper.title else ""
    link = f" {paper.url or ('https://doi.org/' + paper.doi if paper.doi else '')}".rstrip()
    return f"[{n}] {paper.label()}" + (f" ({where})" if where else "") + link


def cited_papers(result: DraftResult) -> list[Paper]:
    by_id = {p.id: p for p in result.sources}
    return [by_id[pid] for pid in dict.fromkeys(result.draft.cited_paper_ids) if pid in by_id]


def report_json(report: GuardrailReport) -> dict[str, Any]:
    """`passed` (kept for older readers) is true only when `status` is "passed"; `status` is "failed" (a hard
    violation) or "unverified" (none, but a check that should have run could not: see its note)."""
    return {
        "passed": report.passed,
        "status": report.verdict,
        "checks": [c.model_dump(include={"check", "status", "severity", "note"}) for c in report.checks],
        "violations": [
            v.model_dump(include={"check", "severity", "message", "span", "evidence"}) for v in report.violations
        ],
    }


VERDICT_LINES = {
    "passed": "PASSED",
    "failed": "NEEDS REVIEW — hard checks failed",
    "unverified": "NEEDS REVIEW — unverified: a check that should have run could not",
}
_MARKS = {"passed": "ok  ", "skipped": "skip", "unverified": "??  "}


def report_lines(report: GuardrailReport) -> list[str]:
    lines = [f"Guardrails: {VERDICT_LINES[report.verdict]}"]
    for check in report.checks:
        mark = _MARKS.get(check.status) or ("FAIL" if check.severity == "hard" else "warn")
        lines.append(f"  {mark} {check.check}" + (f" ({check.note})" if check.note else ""))
        for v in check.violations:
            span = f' — "{v.span}"' if v.span else ""
            lines.append(f"       [{v.severity}] {v.message}{span}")
            if v.evidence:  # the paper's words, for the reader to check the verdict against
                lines.append(f"         {v.evidence}")
    return lines


def review_reason(report: GuardrailReport) -> str:
    """Why a report is not clean, in one line (for the message a command prints before exiting 1)."""
    if report.hard_violations:
        return f"{len(report.hard_violations)} hard guardrail violation(s)"
    return "; ".join(f"{c.check} {c.note}" for c in report.unverified)  # "support unverified: the verifier …"


def to_json(result: DraftResult) -> dict[str, Any]:
    return {
        "professor_id": result.professor_id,
        "subject": result.draft.subject,
        "body": result.draft.body,
        "citations": [{"paper_id": p.id, "title": p.title} for p in cited_papers(result)],
        "student_claims": [c.model_dump() for c in result.draft.student_claims],
        "mode": result.provenance.mode,
        "status": result.status,
        "guardrails": report_json(result.report),
        "provenance": result.provenance.model_dump(),
    }


def to_markdown(result: DraftResult) -> str:
    refs = [reference_line(i, p) for i, p in enumerate(cited_papers(result), start=1)]
    parts = [
        f"Subject: {result.draft.subject}",
        "",
        result.draft.body,
        "",
        "---",
        "References (the professor's papers this draft cites):",
        *(refs or ["(none)"]),
        "",
        *report_lines(result.report),
        "",
        f"Made by: {result.provenance.mode}"
        + (f" ({result.provenance.model})" if result.provenance.model else "")
        + f", settings {result.provenance.settings_hash}",
    ]
    return "\n".join(parts) + "\n"


def to_eml(result: DraftResult, *, to: str | None = None, sender: str | None = None) -> str:
    message = EmailMessage()
    message["Subject"] = result.draft.subject
    if to:
        message["To"] = f"{result.professor_name} <{to}>"
    if sender:
        message["From"] = sender
    message["X-Outreach-Guardrails"] = "passed" if result.report.passed else "needs-review"
    message.set_content(result.draft.body)
    return message.as_string()


def render_draft(result: DraftResult, fmt: str, *, to: str | None = None, sender: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "eml":
        return to_eml(result, to=to, sender=sender)
    return to_markdown(result)
