"""The fault suite (issue 15, store and safety): what a user sees when the store is written by two processes at
once, a writer dies mid-write, the disk is full or read-only, the store is missing, a record has nothing in it,
or an ingested text carries instructions. Each test runs the real code path (real SQLite, Chroma and embedding
model; real second processes for the concurrent cases) and checks the message, the exit code and the store.

The slow cases (4 processes x 20 rounds, a real full tmpfs) are in benchmarks/faults.py; planted instructions in
abstracts and CVs, and `ask` on an empty scope, in tests/test_faults_untrusted.py.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.cli import run
from assistant.store import lock as store_lock
from assistant.store import space
from tests.conftest import ROOT, store_fingerprint

PROFESSOR = "Ada Lovelace"
TOPICS = [
    "graph neural networks",
    "coreset selection",
    "federated optimisation",
    "robust statistics",
    "causal discovery",
    "sparse attention",
    "protein folding",
    "program synthesis",
    "speech recognition",
    "bandit algorithms",
    "quantum error correction",
    "climate downscaling",
    "topological data analysis",
    "compiler autotuning",
]


def abstract_list(path: Path, topics: list[str]) -> Path:
    lines = [
        f"Abstract: We study {t} at scale. We propose a method for {t} and prove that it converges on every "
        f"benchmark we tried for {t}."
        for t in topics
    ]
    path.write_text("\n\n".join(lines) + "\n")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def catalog_abstracts(store: Path, professor: str = PROFESSOR) -> list[str]:
    catalog = Catalog(store / "catalog.sqlite")
    prof = catalog.resolve(professor)
    catalog.close()
    return sorted(p.abstract or "" for p in prof.papers)


# ---------------------------------------------------------------- two writers


def _writer_script(go: Path, *, release: Path | None = None, die_after_upsert: bool = False) -> str:
    """A real second process: loads everything first, waits for `go`, then ingests (argv: store, file). After
    its vectors are upserted, before the catalog commit, it prints "upserted", then waits for `release` (holding
    the lock, when there is one), or dies there (`die_after_upsert`)."""
    return textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from assistant.embeddings import get_embedder
        from assistant.index import PaperIndex
        from assistant.ingest import ingest_files
        from assistant.settings import Settings

        settings = Settings(OUTREACH_STORE=sys.argv[1])
        get_embedder(settings).embed(["warm up"])
        upsert = PaperIndex.upsert_vectors
        release = {str(release) if release else None!r}

        def paused_upsert(self, professors, progress=None):
            n = upsert(self, professors, progress)
            print("upserted", flush=True)
            if {die_after_upsert!r}:
                os._exit(9)
            while release and not Path(release).exists():
                time.sleep(0.02)
            return n

        PaperIndex.upsert_vectors = paused_upsert
        print("ready", flush=True)
        while not Path({str(go)!r}).exists():
            time.sleep(0.02)
        ingest_files([Path(sys.argv[2])], settings, professor={PROFESSOR!r})
        print("done", flush=True)
        """
    )


def _spawn(script: str, store: Path, source: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(store), str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_line(proc: subprocess.Popen[str], line: str, timeout_s: float = 240) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = proc.stdout.readline()
        if got.strip() == line:
            return
        if not got and proc.poll() is not None:
            break
    raise AssertionError(f"the writer never printed {line!r}: {proc.stderr.read() if proc.stderr else ''}")


def _stderr_line(proc: subprocess.Popen[str], needle: str, timeout_s: float = 240) -> str | None:
    """The first stderr line containing `needle`, or None when the process ends without one."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return line
        if not line:
            return None
    raise AssertionError(f"no {needle!r} on stderr within {timeout_s} s")


def test_two_processes_ingesting_one_professor_end_with_the_union(tmp_path: Path, isolated_store: Path) -> None:
    """Issue 15.1: two ingests of different papers of the same professor from two processes, the second starting
    while the first is mid-write. Before the writer lock the second merged with the record as it was before the
    first committed, and the last commit won: 7 of 14 papers lost, both exiting 0. Now the second waits, says
    for whom, and merges with what the first committed."""
    first = abstract_list(tmp_path / "first.txt", TOPICS[:7])
    second = abstract_list(tmp_path / "second.txt", TOPICS[7:])
    go_a, go_b, release = tmp_path / "go-a", tmp_path / "go-b", tmp_path / "release"
    a = _spawn(_writer_script(go_a, release=release), isolated_store, first)
    b = _spawn(_writer_script(go_b), isolated_store, second)
    try:
        for proc in (a, b):
            _wait_for_line(proc, "ready")
        go_a.touch()
        _wait_for_line(a, "upserted")  # a is inside its write: vectors in, catalog not committed
        go_b.touch()
        waited = _stderr_line(b, "another Outreach process is writing to")
        release.touch()
        outputs = [proc.communicate(timeout=300) for proc in (a, b)]
    finally:
        release.touch()
        for proc in (a, b):
            proc.kill()
    assert [a.returncode, b.returncode] == [0, 0], outputs
    assert len(catalog_abstracts(isolated_store)) == 14
    assert waited is not None and f"writing to {isolated_store} (pid {a.pid}); waiting" in waited


def test_a_writer_that_waits_too_long_gets_a_clear_error(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process holds the lock (a long ingest elsewhere): this one waits, then gives up with a message
    naming the holder, exit 1, nothing written."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom assistant.store.lock import StoreLock\n"
            "with StoreLock(Path(sys.argv[1])).hold():\n    print('held', flush=True)\n    time.sleep(60)\n",
            str(sample_store),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        _wait_for_line(holder, "held")
        monkeypatch.setattr(store_lock, "WAIT_S", 0.5)
        before = store_fingerprint(sample_store)
        source = abstract_list(tmp_path / "more.txt", TOPICS[:2])
        code, _, err = cli(capsys, "ingest", str(source), "--professor", "Baharan Mirzasoleiman")
        assert code == 1
        assert f"another Outreach process is writing to {sample_store} (pid {holder.pid}); waiting" in err
        assert f"another Outreach process (pid {holder.pid}) has been writing" in err and "Nothing was written" in err
        assert store_fingerprint(sample_store) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_killed_mid_write_leaves_the_store_as_it_was(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kill -9 after the vectors are upserted and before the catalog commits: the catalog is at its old version,
    reads give what they gave before, the lock is free, and the next ingest writes the whole file."""
    code, before_search, _ = cli(capsys, "search", "data selection", "--json")
    assert code == 0
    before = store_fingerprint(sample_store)[:2]  # catalog rows: Chroma may hold the dead writer's vectors
    source = abstract_list(tmp_path / "more.txt", TOPICS[:3])
    proc = _spawn(_writer_script(tmp_path / "go", die_after_upsert=True), sample_store, source)
    _wait_for_line(proc, "ready")
    (tmp_path / "go").touch()
    proc.communicate(timeout=300)
    assert proc.returncode == 9
    assert store_fingerprint(sample_store)[:2] == before
    assert cli(capsys, "search", "data selection", "--json")[:2] == (0, before_search)
    code, _, err = cli(capsys, "ingest", str(source), "--professor", PROFESSOR)
    assert code == 0 and "waiting" not in err, err
    assert len(catalog_abstracts(sample_store)) == 3


# ---------------------------------------------------------------- full disk


def _fail_upsert(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def upsert(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr("chromadb.api.models.Collection.Collection.upsert", upsert)


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        sqlite3.OperationalError("database or disk is full"),
    ],
    ids=["ENOSPC", "sqlite-full"],
)
def test_a_full_disk_during_ingest_says_so_and_leaves_the_store_intact(
    sample_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    exc: BaseException,
) -> None:
    before = store_fingerprint(sample_store)
    _fail_upsert(monkeypatch, exc)
    source = abstract_list(tmp_path / "more.txt", TOPICS[:3])
    code, _, err = cli(capsys, "ingest", str(source), "--professor", PROFESSOR)
    assert code == 1
    assert f"the disk holding {sample_store} is full" in err and "the store is intact" in err
    assert "Free some space" in err and "unexpected" not in err
    monkeypatch.undo()
    assert store_fingerprint(sample_store) == before
    assert cli(capsys, "match", "--text", "data selection for training", "--top", "1")[0] == 0


def test_a_failed_catalog_commit_on_a_full_disk_leaves_the_store_intact(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectors went in, then SQLite found the disk full: the catalog rolls back and says so."""
    before = store_fingerprint(sample_store)[:2]

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Catalog, "save_professors", full)
    source = abstract_list(tmp_path / "more.txt", TOPICS[:3])
    code, _, err = cli(capsys, "ingest", str(source), "--professor", PROFESSOR)
    assert code == 1 and "is full (database or disk is full" in err and "the store is intact" in err
    monkeypatch.undo()
    assert store_fingerprint(sample_store)[:2] == before


def test_chromas_compaction_error_on_a_nearly_full_disk_reads_as_disk_full(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Chroma says on a full disk ("Error in compaction: Failed to apply logs…") names no space; with the
    disk nearly full we say what it means."""
    from chromadb.errors import InternalError

    before = store_fingerprint(sample_store)
    source = abstract_list(tmp_path / "more.txt", TOPICS[:1])
    _fail_upsert(monkeypatch, InternalError("Error in compaction: Failed to apply logs to the metadata segment"))
    monkeypatch.setattr(space, "needed_bytes", lambda new, stored: 0)  # past the pre-check, then "full"
    monkeypatch.setattr(space, "free_bytes", lambda store_dir: 1000)
    code, _, err = cli(capsys, "ingest", str(source), "--professor", PROFESSOR)
    assert code == 1 and "is full (Error in compaction" in err and "the store is intact" in err
    monkeypatch.undo()
    assert store_fingerprint(sample_store) == before


def test_too_little_free_space_is_refused_before_anything_is_written(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store_fingerprint(sample_store)
    monkeypatch.setattr(space, "free_bytes", lambda store_dir: 2 * 2**20)
    source = abstract_list(tmp_path / "more.txt", TOPICS[:3])
    code, _, err = cli(capsys, "ingest", str(source), "--professor", PROFESSOR)
    assert code == 1
    assert "ingesting 3 papers needs about" in err and "which has 2.0 MB free" in err and "Free at least" in err
    monkeypatch.undo()
    assert store_fingerprint(sample_store) == before


# ---------------------------------------------------------------- read-only store


@pytest.fixture
def read_only_store(sample_store: Path, tmp_path: Path) -> Iterator[Path]:
    """The sample store on a read-only mount (root ignores file modes, so chmod alone proves nothing there)."""
    if os.geteuid() != 0:
        for path in [sample_store, *sample_store.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        yield sample_store
        for path in [sample_store, *sample_store.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(sample_store), str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {done.stderr.decode().strip()}")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
    try:
        yield mount
    finally:
        # Lazy: this process still holds the store's files open (SQLite connections, Chroma's client).
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_read_only_store_serves_reads_and_refuses_writes(
    read_only_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15.4: every command failed with "unable to open database file", even `professors`."""
    store = str(read_only_store)
    code, out, _ = cli(capsys, "professors", "--store", store, "--json")
    assert code == 0 and "Baharan Mirzasoleiman" in out
    assert cli(capsys, "papers", "Razaviyayn", "--store", store)[0] == 0
    code, out, _ = cli(capsys, "search", "data selection", "--store", store, "--json")
    assert code == 0 and "paper_id" in out
    code, out, _ = cli(capsys, "match", "--text", "data selection for training", "--store", store, "--json")
    assert code == 0 and "Mirzasoleiman" in out
    source = abstract_list(tmp_path / "more.txt", TOPICS[:1])
    for args in (["ingest", str(source), "--professor", PROFESSOR], ["shortlist", "add", "Razaviyayn"]):
        code, _, err = cli(capsys, *args, "--store", store)
        assert code == 1 and f"the store at {store} is read-only" in err and "Nothing was written" in err, err


# ---------------------------------------------------------------- missing store, phantom records


@pytest.mark.parametrize(
    "args",
    [["professors"], ["papers", "x"], ["search", "q"], ["match", "--text", "q"], ["ask", "q"], ["shortlist", "list"]],
)
def test_a_read_command_on_a_missing_store_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    typo = tmp_path / "stroe"
    code, _, err = cli(capsys, *args, "--store", str(typo))
    assert code == 1 and f"no store at {typo}; run `outreach ingest` first" in err
    assert not typo.exists()


def test_cv_show_accepts_store_like_every_other_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples_dir: Path
) -> None:
    cv = next((examples_dir / "cvs").iterdir())
    code, out, _ = cli(capsys, "cv", "show", str(cv), "--offline", "--store", str(tmp_path / "any"), "--json")
    assert code == 0 and '"interests"' in out


@pytest.mark.parametrize(
    ("fmt", "text", "reason"),
    [
        ("profile", "Welcome to our lab!\n\nWe do great research.\nJoin us!\n", "does not read as a name"),
        (
            "profile",
            "Grace Hopper\nProfessor, Yale University\n\nAbout\nShe works on compilers.\n",
            "no publication with a title or an abstract",
        ),
        ("listing", "lorem ipsum dolor\nsit amet consectetur\n\nadipiscing elit\n", "no paper entries found"),
    ],
    ids=["marketing-page", "profile-without-papers", "random-listing"],
)
def test_a_record_with_nothing_to_index_is_refused_with_the_reason(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, text: str, reason: str
) -> None:
    """Issue 15.5: these made a professor "Welcome to our lab!" with 0 papers, or an empty collection."""
    before = store_fingerprint(sample_store)
    source = tmp_path / "page.txt"
    source.write_text(text)
    code, _, err = cli(capsys, "ingest", str(source), "--format", fmt)
    assert code == 1 and reason in err and "Welcome to our lab!" not in cli(capsys, "professors")[1]
    assert store_fingerprint(sample_store) == before
