"""Guardrail benchmark: run every labelled draft in tests/fixtures/guardrails through check_draft.

Prints per-check detection rates on the corrupted drafts, the hard-fabrication catch rate and the false-positive
rate on faithful drafts (a faithful draft with any hard violation), as a table and then one JSON line. Exits 1
when a hard fabrication is missed or the false-positive rate is above 5%.

    python benchmarks/guardrails.py [-v] [fixtures_dir]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.guardrails import CHECKS, GuardrailContext, check_draft  # noqa: E402
from assistant.types import EmailDraft, GuardrailReport, Paper, Professor, StudentProfile  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "guardrails"
MAX_FALSE_POSITIVE_RATE = 0.05


@dataclass
class Case:
    id: str
    draft: EmailDraft
    ctx: GuardrailContext
    faithful: bool
    expected: list[str] = field(default_factory=list)
    severity: str = "hard"  # how bad the planted fabrication is: a soft one only has to be flagged


def load_case(path: Path) -> Case:
    """One self-contained fixture: professor, sources, CV, batch neighbours, draft and label."""
    data = json.loads(path.read_text(encoding="utf-8"))
    professor = Professor.model_validate(data["professor"])
    by_id = {p.id: p for p in professor.papers}
    ctx = GuardrailContext(
        professor=professor,
        sources=[by_id[i] for i in data["sources"]],
        student=StudentProfile.model_validate(data["student"]) if data.get("student") else None,
        other_papers=[(o["professor"], Paper.model_validate(o["paper"])) for o in data.get("other_papers", [])],
        other_drafts=data.get("other_drafts", []),
    )
    label = data["label"]
    return Case(
        id=data["id"],
        draft=EmailDraft.model_validate(data["draft"]),
        ctx=ctx,
        faithful=bool(label["faithful"]),
        expected=list(label.get("expected_checks", [])),
        severity=label.get("severity", "hard"),
    )


def load_cases(directory: Path = FIXTURES) -> list[Case]:
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


def evaluate(cases: list[Case], verbose: bool = False) -> Results:
    results = Results(cases=len(cases))
    start = time.perf_counter()
    for case in cases:
        report = check_draft(case.draft, case.ctx)
        results.reports[case.id] = report
        if verbose:
            _explain(case, report)
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


def _explain(case: Case, report: GuardrailReport) -> None:
    label = "faithful" if case.faithful else f"corrupted {case.expected}"
    print(f"--- {case.id} ({label}): passed={report.passed}", file=sys.stderr)
    for v in report.violations:
        print(f"    [{v.check}/{v.severity}] {v.message} | span={v.span!r}", file=sys.stderr)


def render(results: Results) -> str:
    lines = [f"{'check':<16}{'caught':>8}{'cases':>7}{'rate':>8}"]
    for check, (hit, total) in results.per_check.items():
        if total:
            lines.append(f"{check:<16}{hit:>8}{total:>7}{hit / total:>8.0%}")
    lines.append("")
    lines.append(
        f"hard fabrications caught: {results.hard_caught}/{results.hard_total} ({results.hard_catch_rate:.0%})"
    )
    lines.append(
        f"false positives on faithful drafts: {results.false_positives}/{results.faithful} "
        f"({results.false_positive_rate:.1%}); with soft warnings only: {results.faithful_with_warnings}"
    )
    if results.missed:
        lines.append("missed: " + ", ".join(results.missed))
    if results.false_positive_ids:
        lines.append("false positives: " + ", ".join(results.false_positive_ids))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("fixtures", nargs="?", type=Path, default=FIXTURES)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case's violations to stderr")
    args = parser.parse_args(argv)
    results = evaluate(load_cases(args.fixtures), verbose=args.verbose)
    print(render(results))
    print(json.dumps(results.summary()))
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
