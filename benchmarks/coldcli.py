"""Cold-CLI timings: each command as a user runs it (a fresh `outreach` process), median wall time and peak RSS.

    python benchmarks/coldcli.py --store DIR [--runs 5] [--pythonpath OLD_CHECKOUT] [--chroma-port N]

`--pythonpath` runs another checkout's code with this virtualenv (to measure a baseline in the same sitting);
`--chroma-port` points the commands at a Chroma server on 127.0.0.1 (the store's catalog stays local).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CV = EXAMPLES / "cvs" / "maya_chen.md"
QUERY = "data selection for efficient training of neural networks"
QUESTION = "What has this group published on efficient training?"
OUTREACH = Path(sys.executable).parent / "outreach"


@dataclass
class Timing:
    command: str
    median_s: float
    runs_s: list[float]
    peak_rss_mb: float


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


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(OUTREACH), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # draft exits 1 for "needs review": still a timing
        raise SystemExit(f"`outreach {' '.join(args)}` failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def time_commands(
    store: Path, professor: str, *, runs: int, pythonpath: Path | None = None, chroma_port: int | None = None
) -> list[Timing]:
    env = {**os.environ, "OUTREACH_STORE": str(store), "OUTREACH_CV_EXTRACTION": "offline"}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OUTREACH_CHROMA_HOST"):
        env.pop(var, None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    if chroma_port:
        env.update(OUTREACH_CHROMA_HOST="127.0.0.1", OUTREACH_CHROMA_PORT=str(chroma_port))
    timings = []
    for name, args in commands(professor).items():
        run_once(args, env)  # the first run may build derived data or warm the page cache: not timed
        walls, rss = [], 0.0
        for _ in range(runs):
            wall, peak, _ = run_once(args, env)
            walls.append(wall)
            rss = max(rss, peak)
        timings.append(Timing(name, statistics.median(walls), walls, rss))
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


def print_table(title: str, timings: list[Timing]) -> None:
    print(f"\n{title}")
    print(f"{'command':22} {'median s':>9} {'peak RSS MB':>12}   runs")
    for t in timings:
        runs = " ".join(f"{x:.2f}" for x in t.runs_s)
        print(f"{t.command:22} {t.median_s:9.2f} {t.peak_rss_mb:12.0f}   {runs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pythonpath", type=Path)
    parser.add_argument("--chroma-port", type=int)
    parser.add_argument("--professor", help="default: the professor with the most papers")
    args = parser.parse_args()
    professor = args.professor or busiest_professor(args.store)
    before = load_average()
    timings = time_commands(
        args.store, professor, runs=args.runs, pythonpath=args.pythonpath, chroma_port=args.chroma_port
    )
    print_table(f"{args.store} (professor {professor}; load average {before} -> {load_average()})", timings)
    print(
        json.dumps(
            {t.command: {"median_s": round(t.median_s, 3), "peak_rss_mb": round(t.peak_rss_mb)} for t in timings}
        )
    )


if __name__ == "__main__":
    main()
