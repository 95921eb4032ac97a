"""A local OpenAI-compatible chat endpoint for benchmarks: answers after a fixed delay with a valid EmailDraft.

POST /v1/chat/completions sleeps `--delay` seconds (a model's latency), then returns a chat completion whose
message.content is an EmailDraft as JSON — what `ChatOpenAI.with_structured_output(EmailDraft)` (json_schema
mode) parses — plus `usage` (characters / 4). The draft cites the first two retrieved sources of the prompt by
their exact titles and addresses the professor by surname, so the guardrails have real work to do.

Bounded: it listens on 127.0.0.1 only, and stops by itself after `--max-seconds`, after `--idle-seconds` without
a request, or after `--max-requests`. It prints `PORT <n>` on its first line of stdout when ready.

    python benchmarks/stub_llm_server.py [--port 0] [--delay 0.3] [--max-seconds 900]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SOURCE = re.compile(r'\[source id=(\w+)\] (?:title: "(?P<title>[^"\n]+)"|untitled \((?P<where>[^)\n]*)\))')
PROFESSOR = re.compile(r"to Professor ([^\n(]+?)(?: \(|\.\n)")


def make_draft(prompt: str) -> dict[str, Any]:
    name_match = PROFESSOR.search(prompt)
    surname = name_match.group(1).split()[-1] if name_match else "Professor"
    sources = list(SOURCE.finditer(prompt))[:2]
    mentions = [f"\u201c{m.group('title')}\u201d" if m.group("title") else "your recent paper" for m in sources]
    citing = (
        f"I read {' and '.join(mentions)} with great interest, because the questions they raise are close to the "
        "ones I have been working on in my own projects."
        if mentions
        else "I have followed your group's recent work with great interest."
    )
    body = (
        f"Dear Professor {surname},\n\n"
        "I am a graduate student writing to ask whether you might have room for a new student in your group. "
        f"{citing} In my research I have focused on choosing which training examples matter most, and I would "
        "like to learn how those ideas carry over to the problems your group studies. I would be grateful for "
        "a short conversation at a time that suits you, and I am happy to share more about my projects.\n\n"
        "Thank you for your time.\n\nBest regards"
    )
    return {
        "subject": "Prospective graduate student interested in your group's work",
        "body": body,
        "cited_paper_ids": [m.group(1) for m in sources],
        "citations": [{"paper_id": m.group(1), "where": citing} for m in sources],
        "student_claims": [],
    }


class StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, delay: float) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.delay = delay
        self.requests = 0
        self.last_request = time.monotonic()
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: StubServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds ~40 ms to every reply,
    # which the benchmark would charge to our code.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the benchmark prints the results
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        with self.server.lock:
            self.server.requests += 1
            self.server.last_request = time.monotonic()
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        time.sleep(self.server.delay)
        prompt = "\n".join(str(m.get("content", "")) for m in payload.get("messages", []))
        content = json.dumps(make_draft(prompt))
        prompt_tokens, completion_tokens = len(prompt) // 4, len(content) // 4
        self._send(
            200,
            {
                "id": f"chatcmpl-stub-{self.server.requests}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": payload.get("model", "stub"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def watchdog(server: StubServer, max_seconds: float, idle_seconds: float, max_requests: int) -> None:
    started = time.monotonic()
    while True:
        time.sleep(0.5)
        now = time.monotonic()
        if now - started > max_seconds or now - server.last_request > idle_seconds or server.requests >= max_requests:
            server.shutdown()
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds before each answer")
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--idle-seconds", type=float, default=120)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    server = StubServer(args.port, args.delay)
    threading.Thread(
        target=watchdog, args=(server, args.max_seconds, args.idle_seconds, args.max_requests), daemon=True
    ).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    print(f"served {server.requests} requests", file=sys.stderr)


if __name__ == "__main__":
    main()
