"""Web app benchmark: the match page and the draft editor's re-verify round trip, over real HTTP on loopback.

On the gold-standard corpus store (58 researchers, 2,933 papers; ingested into a temporary store first, about two
minutes, unless --store names one already built), with the Maya Chen sample CV uploaded:

- match page: GET /match, the whole page (ranking cached per CV and store version, filters, rendering); the
  first request, which ranks every professor, is reported apart as "cold";
- re-verify: POST /draft/<top professor>/verify with a 300-word body, what the editor sends as you type.

Targets on the 2-core reference machine: match page p50 <= 300 ms warm, re-verify p50 <= 100 ms.

    python benchmarks/web.py [--data professors.jsonl] [--store DIR] [--runs 50]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import httpx
import uvicorn

from assistant.catalog import Catalog
from assistant.ingest import ingest_files
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.security import Guard

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared/data/goldstandard/corpus/professors.jsonl"
CV = ROOT / "examples" / "cvs" / "maya_chen.md"
BODY_WORDS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings) -> tuple[uvicorn.Server, httpx.Client]:
    guard = Guard("127.0.0.1", free_port())
    config = uvicorn.Config(create_app(settings, guard), host="127.0.0.1", port=guard.port, log_config=None)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{guard.port}"
    headers = {"origin": base, "x-csrf-token": guard.csrf_token, "hx-request": "true"}
    return server, httpx.Client(base_url=base, headers=headers, timeout=120)


def timed(call: Callable[[], httpx.Response], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return sorted(times)


def p50_p95(times: list[float]) -> tuple[float, float]:
    return round(statistics.median(times), 1), round(times[max(0, int(0.95 * len(times)) - 1)], 1)


def body_of(words: int, editor: str, filler: list[str]) -> tuple[str, str]:
    """The generated draft's subject and body, lengthened with sentences from the CV to exactly `words` words."""
    subject = unescape(re.search(r'name="subject" value="([^"]*)"', editor).group(1))  # type: ignore[union-attr]
    body = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", editor, re.S).group(1))  # type: ignore[union-attr]
    head, _, signature = body.rpartition("\n\nThank you")
    extra = iter(filler * 20)
    while len(f"{head} Thank you{signature}".split()) < words:
        head += f" I am also interested in {next(extra).rstrip('.').lower()}."
    text = f"{head}\n\nThank you{signature}"
    cut = len(text.split()) - words
    if cut > 0:
        head = " ".join(head.split(" ")[:-cut])
    return subject, f"{head}\n\nThank you{signature}"


def build_store(data: Path, store: Path) -> None:
    settings = Settings(OUTREACH_STORE=str(store))  # type: ignore[call-arg]
    if Catalog(settings.catalog_path).paper_counts():
        return
    started = time.perf_counter()
    ingest_files([data], settings)
    print(f"ingested {data.name} into {store} in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--store", type=Path, help="a store to (build and) reuse; default: a temporary one")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "store"
        build_store(args.data, store)
        counts = Catalog(Settings(OUTREACH_STORE=str(store)).catalog_path).paper_counts()  # type: ignore[call-arg]
        professors, papers = len(counts), sum(counts.values())
        load_before = os.getloadavg()[0]
        settings = Settings(OUTREACH_STORE=str(store), OUTREACH_CV_EXTRACTION="offline")  # type: ignore[call-arg]
        server, client = start_server(settings)
        client.post("/cv", files={"file": (CV.name, CV.read_bytes())}).raise_for_status()
        cold = timed(lambda: client.get("/match"), 1)[0]
        match = timed(lambda: client.get("/match"), args.runs)
        filtered = timed(lambda: client.get("/match/rows", params={"q": "data selection"}), args.runs)
        top = re.search(r'href="/draft/([^"]+)"', client.get("/match").text).group(1)  # type: ignore[union-attr]
        editor = client.post(f"/draft/{top}/generate").text
        interests = re.findall(r'<span class="item">([^<]+)</span>', client.get("/cv").text)
        subject, body = body_of(BODY_WORDS, editor, [unescape(i) for i in interests])
        form = {"subject": subject, "body": body}
        verify = timed(lambda: client.post(f"/draft/{top}/verify", data=form), args.runs)
        server.should_exit = True
    result = {
        "professors": professors,
        "papers": papers,
        "match_cold_ms": round(cold, 1),
        "match_p50_ms": p50_p95(match)[0],
        "match_p95_ms": p50_p95(match)[1],
        "match_filtered_p50_ms": p50_p95(filtered)[0],
        "verify_p50_ms": p50_p95(verify)[0],
        "verify_p95_ms": p50_p95(verify)[1],
        "verify_words": len(body.split()),
        "runs": args.runs,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(f"store: {professors} professors, {papers} papers; {args.runs} runs each")
    print(
        f"match page (warm): p50 {result['match_p50_ms']} ms, p95 {result['match_p95_ms']} ms (target p50 <= 300); "
        f"first, ranking every professor: {result['match_cold_ms']} ms; filtered rows p50 "
        f"{result['match_filtered_p50_ms']} ms"
    )
    print(
        f"re-verify of a {result['verify_words']}-word draft: p50 {result['verify_p50_ms']} ms, "
        f"p95 {result['verify_p95_ms']} ms (target p50 <= 100)"
    )
    print(f"load average (1 min) before / after: {result['load_average_before_after']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
