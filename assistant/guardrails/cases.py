"""The labelled guardrail cases (`tests/fixtures/guardrails/*.json`): one self-contained JSON file per case with
the professor, the retrieved sources, the CV, the other professors' papers, the draft and its label; and how a
run over them is scored. Used by the tests and by `benchmarks/guardrails.py` (README, "Guardrails")."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.guardrails import CHECKS, check_draft
from assistant.guardrails.evidence import GuardrailContext
from assistant.types import EmailDraft, GuardrailReport, Paper, Professor, StudentProfile

MAX_FALSE_POSITIVE_RATE = 0.05


@dataclass
class Case:
    id: str
    draft: EmailDraft
    ctx: GuardrailContext
    faithful: bool
    expected: list[str] = field(default_factory=list)  # the checks that must fire on a corrupted draft
    severity: str = "hard"  # how bad the planted fabrication is: a soft one only has to be flagged
    batch: list[str] = field(default_factory=list)  # bodies of the other drafts of its batch, when it had one


def load_case(path: Path) -> Case:
    data = json.loads(path.read_text(encoding="utf-8"))
    professor = Professor.model_validate(data["professor"])
    by_id = {p.id: p for p in professor.papers}
    ctx = GuardrailContext(
        professor=professor,
        sources=[by_id[i] for i in data["sources"]],
        student=StudentProfile.model_validate(data["student"]) if data.get("student") else None,
        other_papers=[(o["professor"], Paper.model_validate(o["paper"])) for o in data.get("other_papers", [])],
    )
    label = data["label"]
    return Case(
        id=data["id"],
        draft=EmailDraft.model_validate(data["draft"]),
        ctx=ctx,
        faithful=bool(label["faithful"]),
        expected=list(label.get("expected_checks", [])),
        severity=label.get("severity", "hard"),
        batch=list(data.get("other_drafts", [])),
    )


def load_cases(directory: Path) -> list[Case]:
    return [load_case(p) for p in sorted(directory.glob("*.json"))]


def fired(report: GuardrailReport) -> set[str]:
    """The checks that reported at least one violation (any severity)."""
    return {c.check for c in report.checks if c.violations}


def caught(case: Case, report: GuardrailReport) -> bool:
    """Every expected check fired, and a hard fabrication also blocks the draft."""
    ok = set(case.expected) <= fired(report)
    return ok and (case.severity == "soft" or not report.passed)


@dataclass
class Results:
    cases: int = 0
    per_check: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0] for c in CHECKS})  # [fired, total]
    hard_total: int = 0
    hard_caught: int = 0
    faithful: int = 0
    false_positives: int = 0
    faithful_with_warnings: int = 0
    missed: list[str] = field(default_factory=list)
    false_positive_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reports: dict[str, GuardrailReport] = field(default_factory=dict)

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.faithful if self.faithful else 0.0

    @property
    def hard_catch_rate(self) -> float:
        return self.hard_caught / self.hard_total if self.hard_total else 1.0

    @property
    def ok(self) -> bool:
        return self.hard_caught == self.hard_total and self.false_positive_rate <= MAX_FALSE_POSITIVE_RATE

    def summary(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "faithful": self.faithful,
            "corrupted": self.cases - self.faithful,
            "detection": {c: round(f / t, 3) for c, (f, t) in self.per_check.items() if t},
            "hard_catch_rate": round(self.hard_catch_rate, 3),
            "hard_caught": self.hard_caught,
            "hard_total": self.hard_total,
            "false_positive_rate": round(self.false_positive_rate, 3),
            "false_positives": self.false_positive_ids,
            "missed": self.missed,
            "faithful_with_soft_warnings": self.faithful_with_warnings,
            "seconds": round(self.seconds, 2),
            "ok": self.ok,
        }


def evaluate(cases: list[Case], explain: Callable[[Case, GuardrailReport], None] | None = None) -> Results:
    """Every case through check_draft, scored: what was caught, what was missed, what was flagged wrongly."""
    results = Results(cases=len(cases))
    start = time.perf_counter()
    for case in cases:
        report = check_draft(case.draft, case.ctx)
        results.reports[case.id] = report
        if explain:
            explain(case, report)
        if case.faithful:
            _score_faithful(results, case, report)
        else:
            _score_corrupted(results, case, report)
    results.seconds = time.perf_counter() - start
    return results


def _score_faithful(results: Results, case: Case, report: GuardrailReport) -> None:
    results.faithful += 1
    if report.hard_violations:
        results.false_positives += 1
        results.false_positive_ids.append(case.id)
    elif report.violations:
        results.faithful_with_warnings += 1


def _score_corrupted(results: Results, case: Case, report: GuardrailReport) -> None:
    for check in case.expected:
        results.per_check[check][1] += 1
        results.per_check[check][0] += check in fired(report)
    if case.severity == "hard":
        results.hard_total += 1
        results.hard_caught += caught(case, report)
    if not caught(case, report):
        results.missed.append(case.id)
