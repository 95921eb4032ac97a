"""Ingest benchmark: the 3,112-paper gold-standard corpus into a fresh store, then 200 searches.

Prints papers/s (embedding-bound), store size on disk, and search latency p50/p95 including query embedding.
Targets on the 2-core reference machine: ingest >= 15 papers/s, search p50 <= 30 ms.

    python benchmarks/ingest.py [--data ../shared/data/goldstandard/corpus/professors.jsonl] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/goldstandard/corpus/professors.jsonl"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = args.keep or Path(tmp) / "store"
        settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
        index = PaperIndex(settings)
        index.embedder.embed(["warm up"])  # model load is start-up, not ingest throughput
        start = time.perf_counter()
        report = ingest_files([args.data], settings, index=index)
        ingest_s = time.perf_counter() - start
        papers = sum(index.catalog.paper_counts().values())

        rng = random.Random(0)
        pool = [p for _, p in index.catalog.all_papers()]
        sample = rng.sample(pool, args.queries)
        queries = [" ".join((p.title or p.abstract or "").split()[:8]) for p in sample]
        index.search("warm up the snapshot and BM25", k=10)
        latencies, found_at = [], []
        for q, paper in zip(queries, sample, strict=True):
            t = time.perf_counter()
            hits = index.search(q, k=10)
            latencies.append((time.perf_counter() - t) * 1000)
            found_at.append(next((i for i, h in enumerate(hits) if h.paper_id == paper.id), None))
        latencies.sort()
        result = {
            "papers": papers,
            "papers_embedded": report.papers_embedded,
            "ingest_seconds": round(ingest_s, 1),
            "papers_per_second": round(papers / ingest_s, 1),
            "store_mb": round(dir_size(settings.store_dir) / 1e6, 1),
            "search_p50_ms": round(statistics.median(latencies), 1),
            "search_p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 1),
            "queries": len(latencies),
            # Each query is the opening of a paper's own title (or abstract): is that paper what search finds?
            "own_paper_recall_at_1": round(sum(1 for r in found_at if r == 0) / len(found_at), 3),
            "own_paper_recall_at_10": round(sum(1 for r in found_at if r is not None) / len(found_at), 3),
        }
    print(
        f"ingested {result['papers']} papers in {result['ingest_seconds']} s: {result['papers_per_second']} papers/s "
        f"(target >= 15)"
    )
    print(f"store size: {result['store_mb']} MB")
    print(
        f"search latency over {result['queries']} queries: p50 {result['search_p50_ms']} ms (target <= 30), "
        f"p95 {result['search_p95_ms']} ms"
    )
    print(
        f"the queried paper itself found first in {result['own_paper_recall_at_1']:.1%} of the searches, "
        f"in the top 10 in {result['own_paper_recall_at_10']:.1%}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
