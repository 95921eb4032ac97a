"""After the drafts: compare them with each other, then write summary.csv, summary.json and the review page."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.batch.journal import Journal, Tokens, draft_paths, sidecar_text
from assistant.batch.plan import Plan
from assistant.catalog import Catalog
from assistant.files import atomic_write_text
from assistant.pricing import estimate_cost
from assistant.types import BatchRow, BatchSummary, BatchViolation, Sidecar, SidecarReport

log = logging.getLogger("assistant.batch")  # one logger for the package: `-v` output names the batch, not a module

SUMMARY_FIELDS = [
    "professor",
    "professor_id",
    "email",
    "match_score",
    "status",
    "verdict",
    "path",
    "tokens",
    "prompt_tokens",
    "completion_tokens",
    "verify_tokens",
    "cost_usd",
    "cost_note",
    "reused",
    "similar_to",
    "error",
]
MAX_TWINS_LISTED = 5  # per draft: enough to act on; a batch of look-alikes would otherwise list every other draft


def load_sidecars(out_dir: Path, plans: Sequence[Plan], journal: Journal) -> dict[str, Sidecar]:
    """The JSON sidecars of every item whose last state is done."""
    latest = journal.latest()
    found = {}
    for plan in plans:
        key = plan.item.key
        last = latest.get(key)
        if plan.action in ("draft", "reuse") and last is not None and last.state == "done":
            path = draft_paths(out_dir, key)["json"]
            try:
                found[key] = Sidecar.model_validate_json(path.read_text(encoding="utf-8"))
            except (OSError, ValidationError) as exc:
                log.warning("batch: cannot read %s (%s); re-run to redraft it", path, exc)
    return found


def cross_check(out_dir: Path, sidecars: dict[str, Sidecar]) -> None:
    """Flag drafts of this batch whose wording is too close to another's: a soft `copying` violation in both
    sidecars (recomputed from scratch on every run, so a redrafted or removed twin clears the flag)."""
    from assistant.guardrails import similar_pairs

    bodies = {key: sidecar.body for key, sidecar in sidecars.items()}
    twins: dict[str, list[tuple[str, float]]] = {key: [] for key in bodies}
    if len(bodies) > 1:
        for a, b, similarity in similar_pairs(bodies):
            twins[a].append((b, similarity))
            twins[b].append((a, similarity))
    changed: dict[Path, str] = {}
    for key, sidecar in sidecars.items():
        before = list(sidecar.guardrails.violations)
        kept = [v for v in before if not v.batch]
        sidecar.guardrails.violations = kept + _twin_violations(sorted(twins[key], key=lambda t: -t[1]))
        if sidecar.guardrails.violations != before:
            changed[draft_paths(out_dir, key)["json"]] = sidecar_text(sidecar)
    # Sidecars are draft files (their guardrail reports must survive a crash), so each rewrite is fsynced; the
    # fsyncs run in parallel because a batch of look-alikes rewrites every sidecar.
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="outreach-cross-check") as pool:
        list(pool.map(atomic_write_text, changed, changed.values()))


def _twin_violations(closest: list[tuple[str, float]]) -> list[BatchViolation]:
    flagged = [
        BatchViolation(
            check="copying",
            severity="soft",
            message=f"the wording is {similarity:.0%} similar to the draft for {other} in this batch; "
            "make each email specific to its professor",
            span=None,
            batch=True,
            similar_to=other,
            similarity=round(similarity, 3),
        )
        for other, similarity in closest[:MAX_TWINS_LISTED]
    ]
    if len(closest) > MAX_TWINS_LISTED:
        flagged[-1].message += f" (and {len(closest) - MAX_TWINS_LISTED} more in this batch)"
    return flagged


def verdict(report: SidecarReport) -> str:
    hard = sum(1 for v in report.violations if v.severity == "hard")
    soft = len(report.violations) - hard
    if hard:
        return f"failed: {hard} hard" + (f", {soft} soft" if soft else "")
    unverified = [c for c in report.checks if c.status == "unverified"]
    if unverified:  # a check that should have run could not: never "passed" (older sidecars list no checks)
        return "; ".join(f"{c.check} {c.note or 'unverified'}" for c in unverified)
    return f"passed, {soft} warning(s)" if soft else "passed"


def summary_row(
    plan: Plan, journal: Journal, sidecars: dict[str, Sidecar], scores: dict[str, float], out: Path, model: str | None
) -> BatchRow:
    item = plan.item
    score = scores.get(item.key)
    base: dict[str, Any] = {
        "professor": item.name,
        "professor_id": item.key,
        "email": item.email,
        "match_score": round(score, 1) if score is not None else None,
    }
    if plan.action == "fail":
        return BatchRow(**base, status="failed", error=item.error)
    if plan.action == "skip":
        return BatchRow(**base, status="skipped", error=f"failed in an earlier run (use --retry-failed): {plan.note}")
    sidecar = sidecars.get(item.key)
    if sidecar is None:
        last = journal.latest().get(item.key)
        error = (last.error if last else None) or f"not finished ({last.state if last else None})"
        return BatchRow(**base, status="failed", error=error, **_spent(last.tokens if last else None, model))
    prov = sidecar.provenance
    verify_tokens = prov.verify_prompt_tokens + prov.verify_completion_tokens
    # The verifier calls the drafter's model (at temperature 0): one price for both.
    prompt, completion = (
        prov.prompt_tokens + prov.verify_prompt_tokens,
        prov.completion_tokens + prov.verify_completion_tokens,
    )
    cost = estimate_cost(prov.model if prov.mode == "llm" else None, prompt, completion)
    return BatchRow(
        **base,
        status=sidecar.status,
        verdict=verdict(sidecar.guardrails),
        path=draft_paths(out, item.key)["md"].name,
        tokens=prompt + completion,
        prompt_tokens=prov.prompt_tokens,
        completion_tokens=prov.completion_tokens,
        verify_tokens=verify_tokens,
        cost_usd=cost.usd,
        cost_note=cost.note,
        reused=plan.action == "reuse",
        similar_to=[v.similar_to for v in sidecar.guardrails.violations if v.batch and v.similar_to],
    )


def _spent(tokens: Tokens | None, model: str | None) -> dict[str, Any]:
    """What a failed draft's calls cost: replies that came back but could not be used are paid for."""
    if tokens is None:
        return {}
    cost = estimate_cost(model, tokens.prompt, tokens.completion)
    return {
        "tokens": tokens.prompt + tokens.completion,
        "prompt_tokens": tokens.prompt,
        "completion_tokens": tokens.completion,
        "cost_usd": cost.usd,
        "cost_note": cost.note,
    }


def summary_json(summary: BatchSummary) -> dict[str, Any]:
    spent = [r for r in summary.rows if r.status in ("clean", "needs review") or r.tokens]
    costs = [r.cost_usd for r in spent] + [summary.cv_cost_usd]
    data = summary.model_dump()
    data["totals"] = dict(summary.counts()) | {
        "tokens": sum(r.tokens for r in summary.rows) + summary.cv_tokens,
        "verify_tokens": sum(r.verify_tokens for r in summary.rows),
        "tokens_this_run": sum(r.tokens for r in summary.rows if not r.reused) + summary.cv_tokens,
        "cost_usd": None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
    }
    data["exit_code"] = summary.exit_code
    return data


def write_summary(out_dir: Path, summary: BatchSummary) -> None:
    summary_text = json.dumps(summary_json(summary), indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(out_dir / "summary.json", summary_text, durable=False)  # rewritten by every run
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in summary.rows:
        record = row.model_dump(include=set(SUMMARY_FIELDS))
        record["similar_to"] = ";".join(row.similar_to)
        writer.writerow(record)
    atomic_write_text(out_dir / "summary.csv", buffer.getvalue(), durable=False)


def mark_drafted(catalog: Catalog, rows: Sequence[BatchRow]) -> list[str]:
    """Shortlisted professors with a clean draft move from to-draft to drafted (never back from sent/replied)."""
    from assistant import shortlist

    waiting = {e.professor_id for e in shortlist.entries(catalog) if e.status == "to-draft"}
    moved = [r.professor_id for r in rows if r.status == "clean" and r.professor_id in waiting]
    for pid in moved:
        shortlist.set_status(catalog, pid, "drafted")
    return moved
