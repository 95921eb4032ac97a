"""Scale benchmark: stores of 3k, 30k and 100k papers, timed from a cold CLI, embedded and against a Chroma server.

    python benchmarks/scale.py [--sizes 3000 30000 100000] [--runs 5] [--work benchmarks/out/scale] [--no-server]
    python benchmarks/scale.py --add-professor COPY_OF_A_STORE [--code OTHER_CHECKOUT] [--name NAME]   # one ingest

The 3k store is the real gold-standard corpus (`professors.jsonl`, 2,933 papers). Larger stores add synthetic
professors of 40 papers each; a synthetic paper recombines real abstract sentences, mostly from one real
researcher (so a synthetic professor has a field) and one from anyone, under a title spliced from two real
titles. Real papers get vectors from the bundled model (cached in `--work`, so only the first run pays);
a synthetic paper gets a fast deterministic stand-in: the normalised mean of the real vectors of the papers its
sentences came from. The stand-in enters through PaperIndex's embedder seam during the build only; every timed
command runs the real CLI with the real model.

Each store is built from the previous one (copied, then the new synthetic professors ingested), which also
exercises the incremental path. For each size it prints: build time; median cold-CLI wall time and peak RSS of
`search`, `search --professor`, `match --cv`, `draft --offline`, `ask --offline` (coldcli.py); the same against
`chroma run` serving the store's Chroma folder; and HNSW recall@10 against exact search at several `ef_search`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coldcli import Timing, as_json, busiest_professor, environment, load_average, print_table, time_commands

from assistant.embeddings import MINILM_MODEL_ID, get_embedder
from assistant.index import PaperIndex
from assistant.ingest import ingest_professors
from assistant.merge import merge_professor
from assistant.settings import Settings
from assistant.sources import read_path
from assistant.types import Paper, Professor

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/goldstandard/corpus/professors.jsonl"
PAPERS_PER_SYNTHETIC = 40
EF_VALUES = (100, 200, 400)


def digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class RealVectors:
    """The bundled model's vectors for the real papers, cached on disk by text hash."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.vectors: dict[str, np.ndarray] = {}
        if cache.exists():
            data = np.load(cache)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def fill(self, texts: Sequence[str], settings: Settings) -> None:
        todo = sorted({t for t in texts if digest(t) not in self.vectors})
        if todo:
            print(f"embedding {len(todo)} real papers with the bundled model (cached for next time)", file=sys.stderr)
            for text, vec in zip(todo, get_embedder(settings).embed(todo), strict=True):
                self.vectors[digest(text)] = vec
            keys = list(self.vectors)
            np.savez(self.cache, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))

    def __getitem__(self, text: str) -> np.ndarray:
        return self.vectors[digest(text)]


class StandInEmbedder:
    """Known texts only: real papers' cached vectors and synthetic papers' mixed vectors (claims MiniLM's id, as
    the stored vectors are MiniLM's or mixtures of them)."""

    model_id = MINILM_MODEL_ID
    dimension = 384

    def __init__(self, real: RealVectors, synthetic: dict[str, np.ndarray]) -> None:
        self.real, self.synthetic = real, synthetic

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.synthetic[t] if t in self.synthetic else self.real[t] for t in texts]).astype(np.float32)


def sentences(text: str) -> list[str]:
    return [s.strip().rstrip(".") + "." for s in text.split(". ") if len(s.split()) >= 6]


def synthesise(
    real: list[Professor], vectors: RealVectors, count: int, start: int, seed: int
) -> tuple[list[Professor], dict[str, np.ndarray]]:
    """`count` synthetic professors (numbered from `start`), and each synthetic paper's stand-in vector."""
    rng = random.Random(seed)
    pool = [(p, s) for prof in real for p in prof.papers if p.abstract for s in sentences(p.abstract)]
    by_owner = {prof.id: [(p, s) for p in prof.papers if p.abstract for s in sentences(p.abstract)] for prof in real}
    owners = [pid for pid, items in by_owner.items() if len(items) >= 8]
    titles = [p.title for prof in real for p in prof.papers if p.title]
    professors, mixed = [], {}
    for i in range(start, start + count):
        anchor = by_owner[owners[rng.randrange(len(owners))]]
        papers, vector_of = [], {}
        for j in range(PAPERS_PER_SYNTHETIC):
            picked = [*rng.sample(anchor, 3), pool[rng.randrange(len(pool))]]
            a, b = rng.sample(titles, 2)
            title = " ".join(a.split()[: max(2, len(a.split()) // 2)] + b.split()[len(b.split()) // 2 :])
            title = f"{title} ({i}.{j})"  # unique, so merging never folds two synthetic papers together
            abstract = " ".join(s for _, s in picked)
            year = picked[0][0].year or rng.randint(2010, 2026)
            paper = Paper(id=digest(f"{i}.{j}.{abstract}")[:16], title=title, abstract=abstract, year=year)
            vec = np.mean([vectors[p.embedding_text()] for p, _ in picked], axis=0)
            vector_of[paper.id] = (vec / np.linalg.norm(vec)).astype(np.float32)
            papers.append(paper)
        # Ingest folds near-duplicates (two papers opening with the same sentences) as it would real ones; a
        # merged paper keeps its first id and the longer abstract, so key the stand-in vectors by the merged text.
        prof, _ = merge_professor(None, Professor(id=f"synthetic-{i:05d}", name=f"Synthetic Researcher {i:05d}"))
        prof, _ = merge_professor(prof, prof.model_copy(update={"papers": papers}))
        mixed.update((paper.embedding_text(), vector_of[paper.id]) for paper in prof.papers)
        professors.append(prof)
    return professors, mixed


def build_stores(sizes: list[int], work: Path, data: Path) -> dict[int, tuple[Path, float]]:
    """Each size's store (path, build seconds), each built on a copy of the previous one."""
    real = read_path(data, "auto").professors
    cache = RealVectors(work / "real_vectors.npz")
    cache.fill([p.embedding_text() for prof in real for p in prof.papers], Settings())
    built: dict[int, tuple[Path, float]] = {}
    previous: Path | None = None
    made = 0
    for size in sorted(sizes):
        store = work / f"store-{size}"
        done = store / "built.json"
        if done.exists():  # built by an earlier run
            info = json.loads(done.read_text())
            built[size], previous, made = (store, info["seconds"]), store, info["synthetic"]
            continue
        shutil.rmtree(store, ignore_errors=True)
        start = time.perf_counter()
        if previous is None:
            todo, mixed = real, {}
        else:
            shutil.copytree(previous, store, ignore=shutil.ignore_patterns("built.json"))
            count = max(0, (size - _papers_in(store)) // PAPERS_PER_SYNTHETIC)
            todo, mixed = synthesise(real, cache, count, made, seed=size)
            made += count
        settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
        index = PaperIndex(settings, embedder=StandInEmbedder(cache, mixed))
        ingest_professors(todo, settings, index=index)
        seconds = time.perf_counter() - start
        (store / "built.json").write_text(json.dumps({"seconds": seconds, "synthetic": made}))
        print(f"built {store}: {_papers_in(store)} papers in {seconds:.0f} s", file=sys.stderr)
        built[size], previous = (store, seconds), store
    return built


def _papers_in(store: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(store / "catalog.sqlite")
    n = int(conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
    conn.close()
    return n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """`chroma run` serving `path` on a free loopback port; stopped on exit."""
    import httpx

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("chroma run did not answer within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def hnsw_recall(store: Path, queries: int = 200) -> dict[int, float]:
    """Recall@10 of Chroma's HNSW against exact search over the same vectors, for several ef_search values;
    queries are real papers' vectors nudged off the stored points (as a query never equals a paper)."""
    settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
    index = PaperIndex(settings)
    snap = index.snapshot()
    matrix = np.asarray(snap.matrix)
    rng = np.random.default_rng(0)
    rows = rng.choice(len(matrix), size=queries, replace=False)
    noise = rng.normal(scale=0.03, size=(queries, matrix.shape[1])).astype(np.float32)
    qs = matrix[rows] + noise
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    ids = [f"{pid}:{p.id}" for pid in snap.rows_of for p in snap.papers.of(pid)]
    exact = [{ids[i] for i in np.argsort(-(matrix @ q))[:10]} for q in qs]
    recall = {}
    original = index.collection.configuration.get("hnsw", {}).get("ef_search")
    for ef in EF_VALUES:
        index.collection.modify(configuration={"hnsw": {"ef_search": ef}})
        got = index.collection.query(query_embeddings=qs.tolist(), n_results=10, include=[])["ids"]
        recall[ef] = float(np.mean([len(exact[i] & set(g)) / 10 for i, g in enumerate(got)]))
    if original:
        index.collection.modify(configuration={"hnsw": {"ef_search": original}})
    return recall


def add_one_professor(store: Path, pythonpath: Path | None, name: str = "Added Professor") -> None:
    """Time one cold `outreach ingest` of a new 20-paper professor into `store` (which it changes: pass a copy),
    with this checkout's code or `pythonpath`'s. The papers are the sample abstract list's, under `name` (another
    name for each professor added to the same copy: the same one again is an idempotent re-ingest)."""
    from coldcli import EXAMPLES, run_once

    lines = (EXAMPLES / "abstracts_mirzasoleiman.txt").read_text().splitlines()[:20]
    source = store.parent / f"{store.name}-added-professor.txt"
    source.write_text("\n".join(lines) + "\n")
    before = load_average()
    command = ["ingest", str(source), "--professor", name]
    wall, cpu, rss = run_once(command, environment(store, pythonpath), ok_codes=(0,))  # 1 is a failed ingest
    print(
        f"{store} ({pythonpath or 'this checkout'}): ingest of one 20-paper professor: wall {wall:.2f} s, "
        f"CPU {cpu:.2f} s, peak RSS {rss:.0f} MB (load average {before} -> {load_average()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--add-professor", type=Path, metavar="STORE", help="only time adding one professor")
    parser.add_argument("--code", type=Path, help="with --add-professor: another checkout's code")
    parser.add_argument("--name", default="Added Professor", help="with --add-professor: the new professor's name")
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out/scale"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-server", action="store_true", help="skip the Chroma server timings")
    args = parser.parse_args()
    if args.add_professor:
        add_one_professor(args.add_professor, args.code, args.name)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.pop("OUTREACH_CHROMA_HOST", None)
    stores = build_stores(args.sizes, args.work, args.data)
    summary: dict[str, object] = {}
    for _, (store, seconds) in sorted(stores.items()):
        professor = busiest_professor(store)
        papers = _papers_in(store)
        print(f"\n== {papers} papers (build {seconds:.0f} s; load average {load_average()})")
        embedded = time_commands(professor, {"embedded": environment(store)}, runs=args.runs)["embedded"]
        print_table(f"embedded Chroma, professor {professor}", embedded)
        # Before the server runs: a `chroma run` just stopped can leave its SQLite locked for a moment, and
        # the recall measurement writes the collection's configuration ("database is locked", seen here).
        recall = hnsw_recall(store)
        print("HNSW recall@10 against exact search: " + ", ".join(f"ef {ef}: {r:.3f}" for ef, r in recall.items()))
        served: list[Timing] = []
        if not args.no_server:
            with chroma_server(store / "chroma") as port:
                env = environment(store, chroma_port=port)
                served = time_commands(professor, {"server": env}, runs=args.runs)["server"]
            print_table(f"Chroma server (chroma run on 127.0.0.1), load average {load_average()}", served)
        summary[str(papers)] = {
            "build_s": round(seconds),
            "embedded": as_json(embedded),
            "server": as_json(served),
            "recall_at_10": recall,
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
