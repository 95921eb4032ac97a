"""Guardrail benchmark: run every labelled draft in tests/fixtures/guardrails through check_draft.

Prints per-check detection rates on the corrupted drafts, the hard-fabrication catch rate and the false-positive
rate on faithful drafts (a faithful draft with any hard violation), as a table; then the time `check_text` takes
on a 336-word hand-written email (two faithful drafts combined; median of `--runs` runs, wall and thread CPU
time; target: under 50 ms), and one JSON line with all of it. Exits 1 when a hard fabrication is missed or the
false-positive rate is above 5%.

    python benchmarks/guardrails.py [-v] [--runs 100] [fixtures_dir]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.guardrails import check_text  # noqa: E402
from assistant.guardrails.cases import Case, Results, evaluate, load_cases  # noqa: E402
from assistant.types import GuardrailReport  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "guardrails"


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


def timing_email(cases: list[Case]) -> tuple[str, Case]:
    """A ~300-word email: the long faithful draft to Mirzasoleiman with a paragraph of another one added."""
    by_id = {c.id: c for c in cases}
    base, extra = by_id["mirza_maya_long"], by_id["mirza_xmas_maya"]
    paragraph = extra.draft.body.split("\n\n")[2]
    body = base.draft.body.replace("I believe my experience", f"{paragraph}\n\nI believe my experience")
    return f"Subject: {base.draft.subject}\n\n{body}", base


def time_check_text(cases: list[Case], runs: int) -> dict[str, float]:
    text, case = timing_email(cases)
    for _ in range(5):  # warm the caches a batch would have warm
        check_text(text, case.ctx)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        check_text(text, case.ctx)
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return {
        "words": len(text.split()),
        "runs": runs,
        "wall_ms_median": round(1000 * statistics.median(wall), 2),
        "cpu_ms_median": round(1000 * statistics.median(cpu), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("fixtures", nargs="?", type=Path, default=FIXTURES)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case's violations to stderr")
    parser.add_argument("--runs", type=int, default=100, help="timed check_text runs (median reported)")
    args = parser.parse_args(argv)
    cases = load_cases(args.fixtures)
    results = evaluate(cases, explain=_explain if args.verbose else None)
    speed = time_check_text(cases, args.runs)
    print(render(results))
    print(
        f"check_text on a {speed['words']}-word email: median {speed['wall_ms_median']} ms wall, "
        f"{speed['cpu_ms_median']} ms CPU over {speed['runs']} runs (load average {speed['load_average_1min']}; "
        "target < 50 ms)"
    )
    print(json.dumps({**results.summary(), "check_text": speed}))
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
