"""Batch benchmark: 50 gold-standard professors drafted against a local stub LLM, at concurrency 1, 2, 4, 8.

The stub (benchmarks/stub_llm_server.py, a separate process on 127.0.0.1) answers every chat completion after
300 ms with a valid EmailDraft, so wall time measures our own overhead around a model's latency: retrieval,
guardrails, file writes, journal fsyncs, the cross-draft check and the summary. Repair rounds and the support
check are off (OUTREACH_REPAIR_ROUNDS=0, OUTREACH_VERIFY_SUPPORT=off: one LLM call per draft) so every
concurrency level does the same work; the guardrails still run on every draft, and their cost (mean ms per draft,
measured around check_draft) is printed: it is CPU work under the GIL and is what bounds the speed-up. Each level
runs `--repeats` times into a fresh folder; medians are printed. Target: speed-up >= 0.8 x concurrency for N <= 8.
Then the offline drafter on the same professors: drafts/s.

`--baseline DIR` instead times this checkout's batch against another checkout's code (e.g.
`git archive 4e3c319^ | tar -x -C /tmp/base`), offline at `--offline-levels` or, with `--mode llm`, against the
stub at `--levels`. Each run is a fresh process of this script (`--worker CHECKOUT`, this virtualenv, or
`--baseline-python` for the baseline: 4e3c319^'s LLM seam needs langchain-openai, which this one lacks) importing
that checkout's code, the two checkouts alternating run by run so both see the same load. Each builds its own store
(`--store DIR` and `--baseline-store DIR` keep them), does one untimed warm-up batch, then the timed ones; medians
of wall and CPU time (the worker's threads; the stub's process is not counted), their ratios and the mean time
inside check_draft are printed.

Papers per professor are capped (`--max-papers`, most recent first) so building the store stays near a minute
on 2 cores; `--store DIR` keeps the built store for the next run.

    python benchmarks/batch.py [--professors 50] [--repeats 3] [--levels 1,2,4,8] [--delay 0.3] [--store DIR]
    python benchmarks/batch.py --baseline /tmp/base [--mode offline|llm] [--baseline-store DIR] [--store DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
WORKER = "--worker"  # --worker CHECKOUT: one process timing that checkout's code (see compare_baseline)


def use_checkout(root: Path) -> None:
    """Import `assistant` from `root`, its prompts and examples included: the editable install maps
    assistant.prompts and assistant.examples to *this* checkout's folders (pyproject's package-dir), so another
    checkout's are registered by hand, as benchmarks/same_outputs.py does."""
    import importlib.util

    sys.path.insert(0, str(root))
    import assistant

    for sub in ("prompts", "examples"):
        folder = root / sub
        spec = importlib.util.spec_from_file_location(
            f"assistant.{sub}", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"assistant.{sub}"] = module
        spec.loader.exec_module(module)
        setattr(assistant, sub, module)


use_checkout(Path(sys.argv[sys.argv.index(WORKER) + 1]).resolve() if WORKER in sys.argv else ROOT)

from assistant.batch import BatchOptions, Target, run_batch  # noqa: E402
from assistant.cv import read_cv  # noqa: E402
from assistant.index import PaperIndex  # noqa: E402
from assistant.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    from assistant.types import BatchSummary  # not in the baseline's assistant.types: only for annotations

DEFAULT_DATA = ROOT.parent / "shared/data/goldstandard/corpus/professors.jsonl"
DEFAULT_CV = ROOT / "examples/cvs/maya_chen.md"


# ---------------------------------------------------------------- the store


def subset(data: Path, professors: int, max_papers: int, dest: Path) -> list[str]:
    """The first `professors` records, each with at most `max_papers` of its most recent papers."""
    names, lines = [], []
    for line in data.read_text(encoding="utf-8").splitlines()[:professors]:
        record = json.loads(line)
        if max_papers:
            record["papers"] = sorted(record["papers"], key=lambda p: -(p.get("year") or 0))[:max_papers]
        names.append(record["name"])
        lines.append(json.dumps(record))
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names


def build_store(settings: Settings, args: argparse.Namespace) -> tuple[list[str], float]:
    from assistant.ingest import ingest_files

    wanted = settings.store_dir / "benchmark-subset.jsonl"
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    fresh = settings.store_dir / "benchmark-subset.new"
    names = subset(args.data, args.professors, args.max_papers, fresh)
    if wanted.exists() and wanted.read_bytes() == fresh.read_bytes():
        fresh.unlink()
        return names, 0.0
    start = time.perf_counter()
    ingest_files([fresh], settings, fmt="jsonl")
    fresh.replace(wanted)
    return names, time.perf_counter() - start


# ---------------------------------------------------------------- the stub LLM


@contextmanager
def stub_server(delay: float) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks/stub_llm_server.py"), "--delay", str(delay), "--max-seconds", "1800"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the stub server did not start: {line!r}")
        yield int(line.split()[1]), proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- measuring


@contextmanager
def patched_guardrails(replacement: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """Swap assistant.draft.check_draft for `replacement(original)` for the duration."""
    import assistant.draft

    original = assistant.draft.check_draft
    assistant.draft.check_draft = replacement(original)
    try:
        yield
    finally:
        assistant.draft.check_draft = original


class GuardrailTimer:
    """Time spent inside check_draft (measure it at concurrency 1, where it is pure CPU time)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.calls = 0

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - start
                self.calls += 1

        return timed

    @property
    def mean_ms(self) -> float:
        return 1000 * self.total / self.calls if self.calls else 0.0


def no_guardrails(original: Callable[..., Any]) -> Callable[..., Any]:
    """Diagnostic only: an always-passing report, to show what the batch machinery itself scales to."""
    from assistant.types import GuardrailReport

    return lambda *args, **kwargs: GuardrailReport()


def one_run(settings: Settings, index: PaperIndex, targets: list[Target], out: Path, **options: Any) -> BatchSummary:
    student = read_cv(DEFAULT_CV)
    return run_batch(student, targets, settings, BatchOptions(out_dir=out, **options), index=index)


def timed_runs(
    settings: Settings, index: PaperIndex, targets: list[Target], work: Path, label: str, repeats: int, **options: Any
) -> tuple[list[float], BatchSummary]:
    times, last = [], None
    for r in range(repeats):
        # Flush the previous runs' writeback first: otherwise this run's fsyncs also pay for their dirty pages,
        # and later levels are measured against a busier disk than earlier ones.
        os.sync()
        start = time.perf_counter()
        last = one_run(settings, index, targets, work / f"{label}-{r}", **options)
        times.append(time.perf_counter() - start)
        bad = [row for row in last.rows if row.status == "failed"]
        if bad:
            raise RuntimeError(f"{label}: {len(bad)} item(s) failed, e.g. {bad[0].error}")
    assert last is not None
    return times, last


def sweep(
    settings: Settings,
    index: PaperIndex,
    targets: list[Target],
    work: Path,
    levels: list[int],
    repeats: int,
    tag: str,
    guard: GuardrailTimer | None = None,
) -> list[dict[str, Any]]:
    """Wall-time medians per concurrency level; `guard` times the guardrails during the concurrency-1 runs."""
    medians: dict[int, float] = {}
    for c in levels:
        timing = patched_guardrails(guard.wrap) if guard and c == 1 else nullcontext()
        with timing:
            times, summary = timed_runs(settings, index, targets, work, f"{tag}-c{c}", repeats, concurrency=c)
        medians[c] = statistics.median(times)
        print(f"{tag} c={c}: median {medians[c]:.2f} s of {[round(t, 2) for t in times]} {statuses(summary)}")
    rows = []
    for c in levels:
        speedup = medians[1] / medians[c] if 1 in medians else None
        rows.append(
            {
                "concurrency": c,
                "wall_s": round(medians[c], 2),
                "speedup": round(speedup, 2) if speedup else None,
                "target": round(0.8 * c, 1),
                "meets_target": speedup is not None and speedup >= 0.8 * c,
            }
        )
    return rows


def print_sweep(title: str, rows: list[dict[str, Any]]) -> None:
    print(title)
    print(f"{'concurrency':>11} {'wall s':>8} {'speed-up':>9} {'target':>7}")
    for row in rows:
        mark = "ok" if row["meets_target"] else "BELOW"
        print(f"{row['concurrency']:>11} {row['wall_s']:>8.2f} {row['speedup'] or 0:>9.2f} {row['target']:>7} {mark}")


def statuses(summary: BatchSummary) -> dict[str, int]:
    return {status: n for status, n in summary.counts().items() if n}


# ---------------------------------------------------------------- this checkout against a baseline (offline)


def llm_settings(store: Path, port: int) -> Settings:
    """Against the stub: one LLM call per draft (no repair rounds, no support check)."""
    return Settings(
        OUTREACH_STORE=str(store),
        OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1",
        OPENAI_API_KEY="stub",
        OUTREACH_REPAIR_ROUNDS=0,
        OUTREACH_LLM_MODEL="gpt-4o-mini",
        OUTREACH_VERIFY_SUPPORT="off",  # a setting the baseline does not have: its Settings ignore it
    )


def worker(args: argparse.Namespace) -> None:
    """One process, one checkout (imported by use_checkout): an untimed warm-up batch, then `--runs` timed
    batches (`--mode`); prints one JSON line per timed run. CPU time is this process's (the stub is another)."""
    store = args.store
    names, _ = build_store(Settings(OUTREACH_STORE=str(store)), args)
    targets = [Target(name=n) for n in names]
    offline = args.mode == "offline"
    with tempfile.TemporaryDirectory() as tmp, nullcontext(None) if offline else stub_server(args.delay) as stub:
        settings = Settings(OUTREACH_STORE=str(store)) if stub is None else llm_settings(store, stub[0])
        index = PaperIndex(settings)
        options = {"concurrency": args.concurrency, "offline": offline}
        timed_runs(settings, index, targets, Path(tmp), "warm-up", 1, **options)
        for r in range(args.runs):
            os.sync()
            guard = GuardrailTimer()
            cpu, start = time.process_time(), time.perf_counter()
            with patched_guardrails(guard.wrap):
                one_run(settings, index, targets, Path(tmp) / f"run-{r}", **options)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(json.dumps({"wall_s": wall, "cpu_s": cpu, "guardrails_ms": guard.mean_ms}), flush=True)


def worker_runs(
    code: Path, python: str, store: Path, concurrency: int, runs: int, args: argparse.Namespace
) -> list[dict[str, float]]:
    env = dict(os.environ)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OUTREACH_CHROMA_HOST", "PYTHONPATH"):
        env.pop(var, None)
    command = [python, str(Path(__file__).resolve()), WORKER, str(code), "--store", str(store)]
    command += ["--concurrency", str(concurrency), "--runs", str(runs), "--professors", str(args.professors)]
    command += ["--max-papers", str(args.max_papers), "--data", str(args.data), "--mode", args.mode]
    command += ["--delay", str(args.delay)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"the worker for {code} failed:\n{proc.stderr[-3000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def compare_baseline(args: argparse.Namespace, store: Path, baseline_store: Path) -> dict[str, Any]:
    """Batches of this checkout and the baseline, alternating process by process, at each level."""
    codes = {
        "this checkout": (ROOT, sys.executable, store),
        "baseline": (args.baseline.resolve(), args.baseline_python or sys.executable, baseline_store),
    }
    levels = [int(x) for x in (args.offline_levels if args.mode == "offline" else args.levels).split(",")]
    result: dict[str, Any] = {"baseline": str(args.baseline), "mode": args.mode, "levels": []}
    for c in levels:
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
        for r in range(args.repeats):
            for name, (code, python, where) in codes.items() if r % 2 == 0 else reversed(codes.items()):
                samples[name] += worker_runs(code, python, where, c, args.runs_per_process, args)
        row: dict[str, Any] = {"concurrency": c}
        for name, got in samples.items():
            keys = ("wall_s", "cpu_s", "guardrails_ms")
            row[name] = {key: round(statistics.median(s[key] for s in got), 3) for key in keys}
            row[name]["runs_wall_s"] = [round(s["wall_s"], 3) for s in got]
        new, old = row["this checkout"], row["baseline"]
        row["wall_ratio"] = round(new["wall_s"] / old["wall_s"], 3)
        row["cpu_ratio"] = round(new["cpu_s"] / old["cpu_s"], 3)
        row["load_average"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(row), flush=True)
        result["levels"].append(row)
    return result


def print_comparison(result: dict[str, Any], professors: int) -> None:
    print(f"{result['mode']} batch of {professors}, this checkout against {result['baseline']} (medians):")
    walls = f"{'wall s':>7} {'base wall':>9} {'wall x':>6}"
    guards = f"{'guard ms':>8} {'base guard':>10}"
    print(f"{'concurrency':>11} {walls} {'CPU s':>6} {'base CPU':>8} {'CPU x':>6} {guards}  load")
    for row in result["levels"]:
        new, old = row["this checkout"], row["baseline"]
        load = " ".join(f"{x:.2f}" for x in row["load_average"])
        print(
            f"{row['concurrency']:>11} {new['wall_s']:>7.2f} {old['wall_s']:>9.2f} {row['wall_ratio']:>6.2f} "
            f"{new['cpu_s']:>6.2f} {old['cpu_s']:>8.2f} {row['cpu_ratio']:>6.2f} "
            f"{new['guardrails_ms']:>8.1f} {old['guardrails_ms']:>10.1f}  {load}"
        )
    print("guard ms: mean wall time inside check_draft per draft (CPU only at concurrency 1)")


def run_comparison(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "store"
        result = compare_baseline(args, store, args.baseline_store or Path(tmp) / "baseline-store")
    print()
    print_comparison(result, args.professors)
    out = args.out.with_name(f"{args.out.stem}-baseline-{args.mode}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--professors", type=int, default=50)
    parser.add_argument("--max-papers", type=int, default=40, help="per professor, most recent first; 0 = all")
    parser.add_argument("--levels", default="1,2,4,8")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.3, help="the stub's latency per call, seconds")
    parser.add_argument("--store", type=Path, help="build (or reuse) the store here instead of a temp dir")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/out/batch.json")
    parser.add_argument(
        "--diagnose", action="store_true", help="also sweep with the guardrails replaced by a no-op (diagnostic)"
    )
    parser.add_argument("--baseline", type=Path, help="another checkout: time its offline batch against this one")
    parser.add_argument("--baseline-store", type=Path, help="the baseline's own store (default: a temp dir)")
    parser.add_argument("--baseline-python", help="the interpreter for the baseline (default: this one)")
    parser.add_argument("--mode", choices=["offline", "llm"], default="offline", help="with --baseline")
    parser.add_argument("--offline-levels", default="1,4", help="with --baseline --mode offline: the levels")
    parser.add_argument("--runs-per-process", type=int, default=1, help="with --baseline: timed runs per process")
    parser.add_argument(WORKER, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=1, help=argparse.SUPPRESS)  # the worker's
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)  # the worker's
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.baseline:
        run_comparison(args)
        return
    levels = [int(x) for x in args.levels.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "store"
        base = Settings(OUTREACH_STORE=str(store))
        names, ingest_s = build_store(base, args)
        targets = [Target(name=n) for n in names]
        built = f"built in {ingest_s:.0f} s" if ingest_s else "reused"
        print(f"store: {len(names)} professors ({built})")
        work = Path(tmp) / "runs"
        result: dict[str, Any] = {"professors": len(names), "delay_s": args.delay, "repeats": args.repeats}

        with stub_server(args.delay) as (port, _):
            settings = llm_settings(store, port)
            index = PaperIndex(settings)
            one_run(settings, index, targets[:2], work / "warm-up", concurrency=2)  # imports, model load
            guard = GuardrailTimer()
            result["llm"] = sweep(settings, index, targets, work, levels, args.repeats, "llm", guard)
            result["guardrails_ms_per_draft"] = round(guard.mean_ms, 1)
            result["llm_floor_s"] = round(len(names) * args.delay, 1)
            if args.diagnose:
                with patched_guardrails(no_guardrails):
                    result["llm_without_guardrails"] = sweep(
                        settings, index, targets, work, levels, args.repeats, "noguard"
                    )

        offline = Settings(OUTREACH_STORE=str(store))
        offline_rows = []
        for c in (1, 4):
            times, _ = timed_runs(
                offline, PaperIndex(offline), targets, work, f"off{c}", args.repeats, concurrency=c, offline=True
            )
            wall = statistics.median(times)
            rate = round(len(names) / wall, 1)
            offline_rows.append({"concurrency": c, "wall_s": round(wall, 2), "drafts_per_s": rate})
        result["offline"] = offline_rows
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]

    print()
    floor = f"{result['llm_floor_s']} s of stub latency at concurrency 1"
    print_sweep(f"LLM mode, {len(names)} professors, {floor}, medians of {args.repeats}:", result["llm"])
    print(f"guardrails: {result['guardrails_ms_per_draft']} ms per draft at concurrency 1 (CPU under the GIL)")
    if "llm_without_guardrails" in result:
        print_sweep("diagnostic, check_draft replaced by a no-op:", result["llm_without_guardrails"])
    for row in result["offline"]:
        print(f"offline, concurrency {row['concurrency']}: {row['wall_s']:.2f} s, {row['drafts_per_s']} drafts/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
