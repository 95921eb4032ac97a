"""Cold-CLI timings: each command as a user runs it (a fresh `outreach` process): median wall time, median CPU
time (user + system: far less sensitive than wall time to other load on a shared machine) and peak RSS.

    python benchmarks/coldcli.py --store DIR [--runs 5] [--baseline OLD_CHECKOUT [--baseline-store DIR]]

`--baseline` also runs another checkout's code with this virtualenv, alternating with this checkout's run by
run so both see the same machine load; `--baseline-store` gives it its own copy of the store (the new code
upgrades a store in place). `--chroma-port` points the commands at a Chroma server on 127.0.0.1.

Both run with Python's bytecode cache, as an installed `outreach` does (pip writes .pyc files at install; an
editable install writes them at first import): this machine sets PYTHONDONTWRITEBYTECODE=1, which made every
run compile our modules from source (0.08 s CPU of a search, 0.2 s of a draft, measured on 2026-12-01). The
cache goes under PYCACHE (PYTHONPYCACHEPREFIX), so no checkout is written to; the untimed first run fills it.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CV = EXAMPLES / "cvs" / "maya_chen.md"
QUERY = "data selection for efficient training of neural networks"
QUESTION = "What has this group published on efficient training?"
OUTREACH = Path(sys.executable).parent / "outreach"
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
PYCACHE = Path(tempfile.gettempdir()) / "outreach-coldcli-pycache"


@dataclass
class Timing:
    command: str
    median_s: float
    runs_s: list[float]
    peak_rss_mb: float
    cpu_s: float = 0.0  # median user + system time


def commands(professor: str) -> dict[str, list[str]]:
    """The commands the scale issue names, each against `professor` where it needs one."""
    return {
        "search": ["search", QUERY],
        "search --professor": ["search", QUERY, "--professor", professor],
        "match --cv": ["match", "--cv", str(CV), "--offline"],
        "draft --offline": ["draft", "--cv", str(CV), "--professor", professor, "--offline"],
        "ask --offline": ["ask", QUESTION, "--professor", professor, "--offline"],
        "papers": ["papers", professor],
        "professors": ["professors"],
    }


def run_once(args: list[str], env: dict[str, str], ok_codes: tuple[int, ...] = (0, 1)) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one fresh process; an exit code not in `ok_codes` stops the
    benchmark (draft exits 1 for "needs review", which is still a timing).

    Peak RSS comes from GNU time (`/usr/bin/time -f %M`) run in between: a child's own ru_maxrss starts from its
    parent's RSS at fork on Linux, so a big benchmark process would inflate every small command's figure."""
    start = time.perf_counter()
    command = [TIME, "-f", "peak-rss-kb %M", str(OUTREACH), *args]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)  # CPU: time's and, through its wait, the command's
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in ok_codes:
        raise SystemExit(f"`outreach {' '.join(args)}` failed: {stderr}")
    peak_kb = next(int(line.split()[1]) for line in reversed(stderr.splitlines()) if line.startswith("peak-rss-kb"))
    return wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024


def environment(store: Path, pythonpath: Path | None = None, chroma_port: int | None = None) -> dict[str, str]:
    env = {**os.environ, "OUTREACH_STORE": str(store), "OUTREACH_CV_EXTRACTION": "offline"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OUTREACH_CHROMA_HOST", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    if chroma_port:
        env.update(OUTREACH_CHROMA_HOST="127.0.0.1", OUTREACH_CHROMA_PORT=str(chroma_port))
    return env


def time_commands(
    professor: str, envs: dict[str, dict[str, str]], *, runs: int, only: Sequence[str] = ()
) -> dict[str, list[Timing]]:
    """Each command (or those in `only`) under each environment, the environments' runs alternating so they
    share the load."""
    timings: dict[str, list[Timing]] = {name: [] for name in envs}
    for command, args in commands(professor).items():
        if only and command not in only:
            continue
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in envs}
        for env in envs.values():
            run_once(args, env)  # the first run may build derived data or warm the page cache: not timed
        for _ in range(runs):
            for name, env in envs.items():
                samples[name].append(run_once(args, env))
        for name, got in samples.items():
            walls = [w for w, _, _ in got]
            cpu = statistics.median(c for _, c, _ in got)
            timings[name].append(Timing(command, statistics.median(walls), walls, max(r for _, _, r in got), cpu))
    return timings


def busiest_professor(store: Path) -> str:
    """The professor with the most papers: the worst case for per-professor commands."""
    import sqlite3

    conn = sqlite3.connect(store / "catalog.sqlite")
    row = conn.execute(
        "SELECT p.id FROM professors p JOIN papers x ON x.professor_id = p.id WHERE p.kind = 'professor' "
        "GROUP BY p.id ORDER BY COUNT(*) DESC, p.id LIMIT 1"
    ).fetchone()
    conn.close()
    return str(row[0])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(title: str, timings: list[Timing], baseline: list[Timing] | None = None) -> None:
    print(f"\n{title}")
    head = f"{'command':22} {'wall s':>7} {'CPU s':>6} {'RSS MB':>7}"
    print(head + (f" {'base wall':>9} {'base CPU':>8} {'base RSS':>8} {'wall x':>6} {'CPU x':>6}" if baseline else ""))
    for i, t in enumerate(timings):
        line = f"{t.command:22} {t.median_s:7.2f} {t.cpu_s:6.2f} {t.peak_rss_mb:7.0f}"
        if baseline:
            b = baseline[i]
            line += f" {b.median_s:9.2f} {b.cpu_s:8.2f} {b.peak_rss_mb:8.0f}"
            line += f" {b.median_s / t.median_s:6.1f} {b.cpu_s / t.cpu_s:6.1f}"
        print(line + "   runs " + " ".join(f"{x:.2f}" for x in t.runs_s))


def as_json(timings: list[Timing]) -> dict[str, dict[str, float]]:
    return {
        t.command: {"wall_s": round(t.median_s, 3), "cpu_s": round(t.cpu_s, 3), "peak_rss_mb": round(t.peak_rss_mb)}
        for t in timings
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to time alongside this one")
    parser.add_argument("--baseline-store", type=Path, help="the baseline's copy of the store (default: --store)")
    parser.add_argument("--chroma-port", type=int)
    parser.add_argument("--professor", help="default: the professor with the most papers")
    parser.add_argument("--commands", nargs="+", default=(), help="only these (names as printed)")
    args = parser.parse_args()
    professor = args.professor or busiest_professor(args.store)
    envs = {"this checkout": environment(args.store, chroma_port=args.chroma_port)}
    if args.baseline:
        envs["baseline"] = environment(args.baseline_store or args.store, args.baseline, args.chroma_port)
    before = load_average()
    timings = time_commands(professor, envs, runs=args.runs, only=args.commands)
    title = f"{args.store} (professor {professor}; load average {before} -> {load_average()})"
    print_table(title, timings["this checkout"], timings.get("baseline"))
    print(json.dumps({name: as_json(t) for name, t in timings.items()}))


if __name__ == "__main__":
    main()
