"""Drafts from a real local model: the sample CVs x gold-standard researchers, through one of ../shared/llm's servers.

Prints, per draft, the JSON mode the endpoint got, whether the reply parsed, the guardrail verdict (every hard
violation by check), tokens and seconds; then the share that parsed, the share clean after repair, and the
medians. Writes the first `--read` drafts in full, with their verdicts, to a Markdown file for a person to read
(is any PASSED draft claiming something the papers or the CV do not say?).

    python benchmarks/live_llm.py [--kind llama-server|llama-cpp-python] [--base-url URL] [--professors 10]
        [--limit N] [--read 5] [--out benchmarks/out/live_llm.md]

Without --base-url it starts `../shared/llm/serve.sh` on a free port and stops it at the end. The researchers are
the first `--professors` of the gold-standard corpus (their most recent `--max-papers` papers). Limits come from
the usual settings (OUTREACH_LLM_MAX_TOKENS_DRAFT, OUTREACH_LLM_DEADLINE, ...), so a run measures what users get.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch import DEFAULT_DATA, subset  # noqa: E402

from assistant.cv import read_cv  # noqa: E402
from assistant.draft import draft_email  # noqa: E402
from assistant.errors import OutreachError  # noqa: E402
from assistant.index import PaperIndex  # noqa: E402
from assistant.ingest import ingest_files  # noqa: E402
from assistant.llm import LLM  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import DraftResult  # noqa: E402

SHARED_LLM = ROOT.parent / "shared" / "llm"
CVS = sorted(p for p in (ROOT / "examples" / "cvs").glob("*_*.*") if p.suffix in (".md", ".docx", ".pdf"))


@dataclass
class Row:
    cv: str
    professor: str
    seconds: float
    result: DraftResult | None = None
    error: str | None = None
    hard: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        prov = self.result.provenance if self.result else None
        return prov.prompt_tokens + prov.completion_tokens if prov else 0


@contextmanager
def served(kind: str) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkdtemp()) / "server.log"
    with log.open("wb") as out:
        command = [str(SHARED_LLM / "serve.sh"), str(port), kind]
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(420):
            if proc.poll() is not None:
                raise SystemExit(f"serve.sh exited:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def one(cv: Path, professor_id: str, index: PaperIndex, settings: Settings, llm: LLM) -> Row:
    student = read_cv(cv)
    prof = index.catalog.resolve(professor_id, kind="professor")
    started = time.perf_counter()
    try:
        result = draft_email(student, prof, settings, index=index, llm=llm)
    except OutreachError as exc:
        return Row(cv.name, prof.name, time.perf_counter() - started, error=str(exc))
    hard = [f"{v.check}: {v.message}" for v in result.report.hard_violations]
    return Row(cv.name, prof.name, time.perf_counter() - started, result, hard=hard)


def report(rows: list[Row], mode: str) -> None:
    done = [r for r in rows if r.result]
    clean = [r for r in done if not r.hard]
    print(f"\nmode chosen: {mode}")
    print(f"parsed: {len(done)}/{len(rows)}; clean after repair: {len(clean)}/{len(rows)}")
    if done:
        print(f"median tokens per draft: {statistics.median(r.tokens for r in done):.0f}")
    print(f"median seconds per draft: {statistics.median(r.seconds for r in rows):.1f}")
    verdicts = Counter(h.split(":")[0] for r in done for h in r.hard)
    print("hard violations by check:", dict(verdicts) or "none")


def line(row: Row) -> str:
    if row.result is None:
        return f"{row.cv:16} {row.professor[:28]:28} FAILED {row.seconds:6.1f}s  {row.error}"
    prov = row.result.provenance
    verdict = "PASSED" if not row.hard else "NEEDS REVIEW: " + "; ".join(h.split(":")[0] for h in row.hard)
    extra = f" re-asks {prov.reasks}, repairs {prov.repair_rounds}"
    return f"{row.cv:16} {row.professor[:28]:28} {row.tokens:5} tok {row.seconds:6.1f}s {extra}  {verdict}"


def write_reading(rows: list[Row], count: int, out: Path, mode: str) -> None:
    parts = [f"# Live drafts to read (gemma-3-270m, {mode})\n"]
    for row in [r for r in rows if r.result][:count]:
        assert row.result is not None
        verdict = "PASSED" if not row.hard else "NEEDS REVIEW\n" + "\n".join(f"- {h}" for h in row.hard)
        papers = "\n".join(f"- {p.title}" for p in row.result.sources)
        parts.append(
            f"## {row.cv} to {row.professor}\n\nGuardrails: {verdict}\n\nGrounded on:\n{papers}\n\n"
            f"Subject: {row.result.draft.subject}\n\n{row.result.draft.body}\n"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")


def run(base_url: str, args: argparse.Namespace) -> None:
    os.environ.update({"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "local", "OUTREACH_LLM_MODEL": "gemma-3-270m"})
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(OUTREACH_STORE=str(Path(tmp) / "store"))  # type: ignore[call-arg]
        records = Path(tmp) / "professors.jsonl"
        subset(args.data, args.professors, args.max_papers, records)
        ingest_files([records], settings, fmt="jsonl")
        index, llm = PaperIndex(settings), LLM(settings)
        mode = llm.profile().describe()
        ids = [p.id for p in index.catalog.professors(kind="professor")]
        pairs = [(cv, pid) for cv in CVS for pid in ids][: args.limit or None]
        rows = []
        for cv, pid in pairs:
            rows.append(one(cv, pid, index, settings, llm))
            print(line(rows[-1]), flush=True)
            write_reading(rows, args.read, args.out, mode)  # after each draft: a long run stopped early keeps them
        report(rows, mode)
        print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="llama-server", choices=["llama-server", "llama-cpp-python"])
    parser.add_argument("--base-url", help="an OpenAI-compatible server already running (no serve.sh)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--professors", type=int, default=10)
    parser.add_argument("--max-papers", type=int, default=8)
    parser.add_argument("--limit", type=int, default=0, help="at most this many drafts (0: all)")
    parser.add_argument("--read", type=int, default=5, help="drafts written in full for a person to read")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "live_llm.md")
    args = parser.parse_args()
    if args.base_url:
        run(args.base_url, args)
    else:
        with served(args.kind) as url:
            run(url, args)


if __name__ == "__main__":
    main()
