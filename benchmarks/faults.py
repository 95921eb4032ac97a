"""The slow faults of issue 15 (the fast ones are tests/test_faults.py), printed, never asserted in the suite.

    python benchmarks/faults.py [--rounds 20] [--writers 4] [--skip-tmpfs]

1. Concurrent writers: `--writers` real processes, each ingesting 2 new papers per round into professors that
   overlap between writers (writer w writes to professors w % 3 and (w + 1) % 3), all starting each round at the
   same moment. After every round the catalog must hold exactly the union (counts exact), and every writer must
   have exited its round with success.
2. A real full disk: a small tmpfs (`mount -t tmpfs -o size=…`, root only; skipped with the reason otherwise).
   The first ingest fits; then the disk is filled to within a few KB, and an ingest with the free-space
   pre-check switched off must fail with the disk-full message, exit non-zero, and leave the catalog as it was.

Prints the figures and the load average; exit 1 if any check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFESSORS = ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
CLI = "import sys\nfrom assistant.cli import run\nsys.exit(run(sys.argv[1:]))\n"

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assistant.embeddings import get_embedder
    from assistant.ingest import ingest_files
    from assistant.settings import Settings

    store, work, writer, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    settings = Settings(OUTREACH_STORE=str(store))
    get_embedder(settings).embed(["warm up"])
    print("ready", flush=True)
    for r in range(rounds):
        while not (work / f"go-{r}").exists():
            time.sleep(0.01)
        for prof in (writer % 3, (writer + 1) % 3):
            source = work / f"w{writer}-r{r}-p{prof}.txt"
            ingest_files([source], settings, professor=sys.argv[5 + prof])
        (work / f"done-{r}-{writer}").touch()
    """
)


# Distinct enough that the merge never folds two of them together as one paper listed twice.
VOCABULARY = (
    "graph coreset bandit kernel sparse causal quantum protein compiler speech climate robust federated "
    "topology attention diffusion privacy fairness retrieval tensor manifold spectral stochastic convex "
    "genome market vision robot language audio traffic energy fluid lattice cipher proof auction"
).split()


def abstracts(writer: int, round_: int, prof: int) -> str:
    texts = []
    for k in range(2):
        rng = random.Random(f"{writer}-{round_}-{prof}-{k}")
        words = " ".join(rng.sample(VOCABULARY, 12))
        texts.append(f"Abstract: We study {words}. Our method {writer}{round_}{prof}{k} converges quickly.")
    return "\n\n".join(texts)


def expected_counts(writers: int, rounds: int) -> dict[str, int]:
    counts = dict.fromkeys(PROFESSORS, 0)
    for w in range(writers):
        for prof in (w % 3, (w + 1) % 3):
            counts[PROFESSORS[prof]] += 2 * rounds
    return counts


def catalog_counts(store: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{store / 'catalog.sqlite'}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT json_extract(p.data, '$.name'), COUNT(x.paper_id) FROM professors p "
        "LEFT JOIN papers x ON x.professor_id = p.id GROUP BY p.id"
    ).fetchall()
    conn.close()
    return {name: n for name, n in rows}


def concurrent_writers(writers: int, rounds: int) -> bool:
    work = Path(tempfile.mkdtemp(prefix="faults-"))
    store = work / "store"
    for w in range(writers):
        for r in range(rounds):
            for prof in (w % 3, (w + 1) % 3):
                (work / f"w{w}-r{r}-p{prof}.txt").write_text(abstracts(w, r, prof))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(store), str(work), str(w), str(rounds), *PROFESSORS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for w in range(writers)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    ok, waits, started = True, [], time.monotonic()
    for r in range(rounds):
        t0 = time.monotonic()
        (work / f"go-{r}").touch()
        while not all((work / f"done-{r}-{w}").exists() for w in range(writers)):
            if any(proc.poll() not in (None, 0) for proc in procs):
                print(f"round {r}: a writer failed")
                ok = False
                break
            time.sleep(0.05)
        if not ok:
            for proc in procs:  # they wait for rounds that will not come
                proc.kill()
            break
        waits.append(time.monotonic() - t0)
        got, want = catalog_counts(store), expected_counts(writers, r + 1)
        if got != want:
            print(f"round {r}: catalog has {got}, expected {want}")
            ok = False
            for proc in procs:
                proc.kill()
            break
    outputs = [proc.communicate(timeout=600) for proc in procs]
    codes = [proc.returncode for proc in procs]
    waited = sum(err.count("another Outreach process is writing to") for _, err in outputs)
    ok = ok and codes == [0] * writers
    rounds_ok = len(waits)
    median = sorted(waits)[len(waits) // 2] if waits else float("nan")
    print(
        f"concurrent writers: {writers} processes x {rounds} rounds, {rounds_ok} rounds with the exact union "
        f"{catalog_counts(store)}; exit codes {codes}; {waited} waits announced; median round {median:.1f} s, "
        f"total {time.monotonic() - started:.0f} s"
    )
    if not ok:
        for _, err in outputs:
            print(err[-2000:])
    return ok


def tmpfs_full_disk() -> bool | None:
    """True/False: the check's result; None: skipped (not root, or mount not allowed)."""
    if os.geteuid() != 0:
        print("tmpfs full disk: skipped (mount needs root)")
        return None
    mount = Path(tempfile.mkdtemp(prefix="faults-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        print(f"tmpfs full disk: skipped ({done.stderr.decode().strip()})")
        return None
    try:
        return _full_disk_on(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _full_disk_on(mount: Path) -> bool:
    store = mount / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OUTREACH_STORE": str(store)}
    first = subprocess.run(
        [sys.executable, "-c", CLI, "ingest", str(ROOT / "examples" / "profile_razaviyayn.txt")],
        capture_output=True,
        text=True,
        env=env,
    )
    if first.returncode != 0:
        print(f"tmpfs full disk: the first ingest did not fit in 12 MB: {first.stderr[-500:]}")
        return False
    before = catalog_counts(store)
    filler = mount / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    # The pre-check would refuse first (tests/test_faults.py covers that); switched off, the write itself fails.
    script = f"from assistant.store import space\nspace.needed_bytes = lambda new, stored: 0\n{CLI}"
    second = subprocess.run(
        [sys.executable, "-c", script, "ingest", str(ROOT / "examples" / "profile_mirzasoleiman.txt")],
        capture_output=True,
        text=True,
        env=env,
    )
    after = catalog_counts(store)
    message = second.stderr.strip().splitlines()[-1] if second.stderr.strip() else ""
    ok = second.returncode == 1 and "is full" in message and "store is intact" in message and after == before
    print(f"tmpfs full disk: exit {second.returncode}, catalog unchanged: {after == before}; said: {message[:300]}")
    filler.unlink()
    listed = subprocess.run([sys.executable, "-c", CLI, "professors"], capture_output=True, env=env)
    print(f"tmpfs full disk: after freeing space, `professors` exits {listed.returncode}")
    return ok and listed.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--skip-tmpfs", action="store_true")
    args = parser.parse_args()
    cpu0 = os.times()
    results = [concurrent_writers(args.writers, args.rounds)]
    if not args.skip_tmpfs:
        results.append(tmpfs_full_disk())
    cpu = os.times()
    children = (cpu.children_user + cpu.children_system) - (cpu0.children_user + cpu0.children_system)
    print(f"CPU in child processes {children:.0f} s; load average {os.getloadavg()}")
    return 0 if all(r is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
