"""Ingest benchmark: the 3,112-paper gold-standard corpus into a fresh store, then 200 searches.

Prints papers/s (embedding-bound) with the process's CPU time and the load average, store size on disk, and
search latency p50/p95 including query embedding; then ingests the same file again and checks that re-ingest is
idempotent (same catalog version, nothing embedded, no derived folder rewritten). Targets on the 2-core
reference machine: ingest >= 25 papers/s, search p50 <= 30 ms. `--runs N` builds N fresh stores and reports
the median (each run's figures are printed as they come).

    python benchmarks/ingest.py [--data ../shared/data/goldstandard/corpus/professors.jsonl] [--queries 200]
    python benchmarks/ingest.py --runs 3 --queries 0       # ingest throughput only, median of 3
    python benchmarks/ingest.py --searches-only STORE --queries 1000     # search figures of an existing store

Each query is the first 8 words of a random paper's title (or abstract); besides latency it reports how often
search finds that paper first and in its top 10 (a check that search quality holds when the ranking changes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/goldstandard/corpus/professors.jsonl"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def search_figures(index: PaperIndex, queries: int) -> dict[str, float]:
    rng = random.Random(0)
    pool = [p for _, p in index.catalog.all_papers()]
    sample = rng.sample(pool, queries)
    texts = [" ".join((p.title or p.abstract or "").split()[:8]) for p in sample]
    index.search("warm up the model and the derived data", k=10)
    latencies, found_at = [], []
    for q, paper in zip(texts, sample, strict=True):
        t = time.perf_counter()
        hits = index.search(q, k=10)
        latencies.append((time.perf_counter() - t) * 1000)
        found_at.append(next((i for i, h in enumerate(hits) if h.paper_id == paper.id), None))
    latencies.sort()
    return {
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
        "queries": len(latencies),
        "own_paper_recall_at_1": round(sum(1 for r in found_at if r == 0) / len(found_at), 3),
        "own_paper_recall_at_10": round(sum(1 for r in found_at if r is not None) / len(found_at), 3),
    }


def print_search(result: dict[str, float]) -> None:
    print(
        f"search latency over {result['queries']} queries: p50 {result['search_p50_ms']} ms (target <= 30), "
        f"p95 {result['search_p95_ms']} ms"
    )
    print(
        f"the queried paper itself found first in {result['own_paper_recall_at_1']:.1%} of the searches, "
        f"in the top 10 in {result['own_paper_recall_at_10']:.1%}"
    )


def derived_state(store: Path) -> dict[str, float]:
    """Every derived file with its modification time: a re-ingest that rewrites nothing leaves this unchanged."""
    return {str(f.relative_to(store)): f.stat().st_mtime for f in (store / "derived").rglob("*") if f.is_file()}


def ingest_once(data: Path, store: Path, queries: int) -> dict[str, float]:
    settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
    index = PaperIndex(settings)
    index.embedder.embed(["warm up"])  # model load is start-up, not ingest throughput
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    report = ingest_files([data], settings, index=index)
    ingest_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    papers = sum(index.catalog.paper_counts().values())
    result: dict[str, float] = {
        "papers": papers,
        "papers_embedded": report.papers_embedded,
        "ingest_seconds": round(ingest_s, 1),
        "ingest_cpu_seconds": round(cpu_s, 1),
        "papers_per_second": round(papers / ingest_s, 1),
        "load_average": round(max(load_before, os.getloadavg()[0]), 2),
        "store_mb": round(dir_size(settings.store_dir) / 1e6, 1),
    }
    result.update(reingest_figures(data, settings, index))
    if queries:
        result.update(search_figures(index, queries))
    return result


def reingest_figures(data: Path, settings: Settings, index: PaperIndex) -> dict[str, float]:
    version, derived = index.catalog.version, derived_state(settings.store_dir)
    start = time.perf_counter()
    again = ingest_files([data], settings, index=index)
    idempotent = (
        index.catalog.version == version and again.papers_embedded == 0 and derived_state(settings.store_dir) == derived
    )
    return {"reingest_seconds": round(time.perf_counter() - start, 1), "reingest_idempotent": float(idempotent)}


def one_run_in_a_process(data: Path, queries: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--runs", "1", "--queries", str(queries), "--data", str(data)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="fresh stores to ingest; the median is reported")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temporary folder)")
    parser.add_argument("--searches-only", type=Path, metavar="STORE", help="only time searches of this store")
    args = parser.parse_args()
    if args.searches_only:
        settings = Settings(OUTREACH_STORE=str(args.searches_only))  # type: ignore[call-arg]
        figures = search_figures(PaperIndex(settings), args.queries)
        print_search(figures)
        print(json.dumps(figures))
        return

    if args.runs == 1:
        with tempfile.TemporaryDirectory() as tmp:
            runs = [ingest_once(args.data, args.keep or Path(tmp) / "store", args.queries)]
    else:  # each run in a fresh process: the model remembers the vectors of texts it embedded before
        runs = [one_run_in_a_process(args.data, args.queries if run == 0 else 0) for run in range(args.runs)]
    result = dict(runs[0])
    for key in ("ingest_seconds", "ingest_cpu_seconds", "papers_per_second"):
        result[key] = round(statistics.median(r[key] for r in runs), 1)
    result["load_average"] = max(r["load_average"] for r in runs)
    result["reingest_idempotent"] = float(all(r["reingest_idempotent"] for r in runs))
    print(
        f"ingested {result['papers']} papers in {result['ingest_seconds']} s ({result['ingest_cpu_seconds']} s CPU): "
        f"{result['papers_per_second']} papers/s (target >= 25; median of {len(runs)}, load average up to "
        f"{result['load_average']})"
    )
    print(f"re-ingest idempotent (same version, nothing embedded or rewritten): {bool(result['reingest_idempotent'])}")
    print(f"store size: {result['store_mb']} MB")
    if "search_p50_ms" in result:
        print_search(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
