"""A small OpenAI-compatible chat server on 127.0.0.1, one knob per way real servers differ, so each path of the
LLM seam has a fast, deterministic test over a real socket (respx cannot show timeouts, dropped connections or a
stream that never ends).

What a `Stub` varies, after the servers that behave so:
- `accepts`: the JSON modes it honours (llama-cpp-python: json_object and tools; some servers only tools, or only
  text); a request in any other mode gets `refusal` (400, 422, or llama-cpp-python's 500 with a validation body);
- `system`: kept, dropped without a word (llama-cpp-python's `gemma` format: the prompt tokens show it) or refused;
- `replies`: what the "model" writes, in order (the last one repeats): a dict becomes JSON in whatever form the
  mode asks for (prose around it in text mode with `chatty`), a str is sent as is;
- `delay`: seconds before answering; `speed`: completion tokens per second, a non-streamed reply sent only once
  all of it is "generated" (a CPU llama.cpp server); `stream`: "stop", "length" (honours max_tokens), "forever"
  (ignores it), "drop" (the connection dies mid-answer) or "pings" (keep-alive comments and never a token:
  llama-cpp-python's SSE while it is busy with an earlier request); `always`: one (status, body) for every request.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Mode = Literal["json_schema", "json_object", "tools", "text"]
ALL_MODES: frozenset[str] = frozenset({"json_schema", "json_object", "tools", "text"})
PROBE_KEY = "outreach_probe_ok"
# llama-cpp-python's answer to `response_format: json_schema`, as measured (its route handler turns every
# exception, request validation included, into a 500).
VALIDATION_500 = (
    500,
    {
        "error": {
            "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
            "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}\n\n  File \"app.py\"",
            "type": "internal_server_error",
            "param": None,
            "code": None,
        }
    },
)
REFUSED_400 = (400, {"error": {"message": "response_format is not supported by this server", "type": "invalid"}})
REFUSED_422 = (
    422,
    {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "response_format"],
                "msg": "Extra inputs are not permitted",
                "input": {"type": "json_schema"},
            }
        ]
    },
)


@dataclass
class Stub:
    accepts: frozenset[str] = ALL_MODES
    refusal: tuple[int, dict[str, Any]] = REFUSED_400
    system: Literal["kept", "dropped", "refused"] = "kept"
    replies: list[dict[str, Any] | str] = field(default_factory=lambda: [{}])
    chatty: bool = False
    delay: float = 0.0
    speed: float | None = None
    stream: Literal["stop", "length", "forever", "drop", "pings"] = "stop"
    stream_text: str = "The indexed papers show [1] a clear result."
    always: tuple[int, dict[str, Any]] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    answered: int = 0  # model replies given (not counting probes)

    def mode_of(self, payload: dict[str, Any]) -> str:
        kind = (payload.get("response_format") or {}).get("type")
        if kind in ("json_schema", "json_object"):
            return str(kind)
        return "tools" if payload.get("tools") else "text"

    def is_probe(self, payload: dict[str, Any]) -> bool:
        return PROBE_KEY in json.dumps(payload)

    def next_reply(self) -> dict[str, Any] | str:
        reply = self.replies[min(self.answered, len(self.replies) - 1)]
        self.answered += 1
        return reply


def prompt_tokens(stub: Stub, payload: dict[str, Any]) -> int:
    messages = payload.get("messages", [])
    kept = [m for m in messages if not (stub.system == "dropped" and m.get("role") == "system")]
    return sum(len(str(m.get("content", "")).split()) for m in kept) + 4 * len(kept)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        stub = self.server.stub
        stub.requests.append(payload)
        time.sleep(stub.delay)
        refusal = self._refusal(stub, payload)
        if refusal:
            self._json(*refusal)
        elif payload.get("stream"):
            self._stream(stub, payload)
        else:
            completion = self._completion(stub, payload)
            if stub.speed:
                time.sleep(completion["usage"]["completion_tokens"] / stub.speed)
            self._json(200, completion)

    def _refusal(self, stub: Stub, payload: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        if stub.always:
            return stub.always
        if stub.system == "refused" and any(m.get("role") == "system" for m in payload.get("messages", [])):
            return 500, {"error": {"message": "System role not supported", "type": "server_error"}}
        return None if self.server.stub.mode_of(payload) in stub.accepts else stub.refusal

    def _completion(self, stub: Stub, payload: dict[str, Any]) -> dict[str, Any]:
        mode = stub.mode_of(payload)
        if payload.get("max_tokens") == 1 or payload.get("max_completion_tokens") == 1:
            content: dict[str, Any] | str = "Hi"
        elif stub.is_probe(payload):
            content = {PROBE_KEY: True}
        else:
            content = stub.next_reply()
        message: dict[str, Any] = {"role": "assistant", "content": None}
        text = content if isinstance(content, str) else json.dumps(content)
        if mode == "tools" and not isinstance(content, str):
            call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": text}}
            message["tool_calls"] = [call]
        elif stub.chatty and mode == "text":
            message["content"] = f"Sure! Here is the JSON you asked for:\n```json\n{text}\n```\nHope this helps."
        else:
            message["content"] = text
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        usage = {"prompt_tokens": prompt_tokens(stub, payload), "completion_tokens": max(1, len(text) // 4)}
        return {
            "id": "stub",
            "object": "chat.completion",
            "created": 1,
            "model": payload.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage | {"total_tokens": sum(usage.values())},
        }

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, stub: Stub, payload: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        cap = payload.get("max_tokens") or payload.get("max_completion_tokens") or 10**9
        words = stub.stream_text.split(" ")
        try:
            for n in itertools.count():
                if stub.stream == "drop" and n == 3:
                    self.connection.shutdown(socket.SHUT_RDWR)  # mid-body, no terminating chunk
                    return
                if stub.stream == "length" and n >= cap:
                    return self._end_stream("length")
                if stub.stream in ("stop", "drop") and n >= len(words):
                    return self._end_stream("stop")
                if stub.stream in ("forever", "pings") and n > 10_000:  # a safety net: the deadline ends it first
                    return
                if stub.stream == "pings":
                    self._chunk(b": ping\n\n")
                    time.sleep(0.02)
                    continue
                self._event({"content": words[n % len(words)] + " "}, None)
                if stub.stream == "forever":
                    time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped listening: what a deadline does
            return

    def _event(self, delta: dict[str, Any], finish: str | None) -> None:
        chunk = {
            "id": "s",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "stub",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())

    def _end_stream(self, finish: str) -> None:
        self._event({}, finish)
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stub: Stub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stub = stub

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a connection the test dropped on purpose


@contextmanager
def serve(stub: Stub) -> Iterator[str]:
    """Run `stub` on a free port of 127.0.0.1 for the block; yields its base URL (…/v1)."""
    server = _Server(stub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
