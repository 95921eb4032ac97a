"""A streamed reply with an explicit end: text chunks as they come, then one `StreamEnd` that says why it stopped
(the model finished, max_tokens, the deadline, a stalled or broken connection) in words a user can read.

Transport retries cover opening the stream only: once text is on the screen, it stays, and a fault ends the stream
instead of restarting it. A model that never stops is cut at max_tokens by the server and at the deadline here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.llm.client import Connection, to_messages, token_cap
from assistant.llm.errors import LLMLimitError, Usage, is_timeout
from assistant.retry import Deadline, DeadlineExceeded
from assistant.settings import CallKind

EndReason = Literal["stop", "length", "deadline", "timeout", "error"]


@dataclass
class StreamEnd:
    reason: EndReason
    usage: Usage = field(default_factory=Usage)
    detail: str = ""  # why the reply was cut, in plain words; empty when the model finished

    @property
    def cut(self) -> bool:
        return self.reason != "stop"


class Streamed:
    """A streamed reply: iterate it for the text chunks; once iteration is over, `end` says why it stopped.

    `for chunk in llm.stream(...)` is all a caller that only shows text needs; one that must know whether the
    answer is whole reads `.end` afterwards (None only if the caller stopped iterating early)."""

    def __init__(self, events: Iterator[str | StreamEnd]) -> None:
        self._events = events
        self.end: StreamEnd | None = None

    def __iter__(self) -> Iterator[str]:
        for event in self._events:
            if isinstance(event, StreamEnd):
                self.end = event
                return
            yield event


def stream_events(
    connection: Connection,
    messages: list[tuple[str, str]],
    *,
    fold_system: bool,
    what: str,
    kind: CallKind,
) -> Iterator[str | StreamEnd]:
    settings = connection.settings
    max_tokens, cap_name = settings.max_tokens(kind)
    deadline = Deadline(settings.llm_deadline_s)
    body = {
        "model": settings.llm_model,
        "temperature": settings.llm_temperature,
        "messages": to_messages(messages, fold_system=fold_system),
        **token_cap(settings, max_tokens),
    }
    try:
        stream = connection.open_stream(body, deadline=deadline, what=what)
    except DeadlineExceeded as exc:
        raise LLMLimitError(
            f"the LLM endpoint did not start answering within OUTREACH_LLM_DEADLINE={settings.llm_deadline_s:g} s",
            limit="deadline",
        ) from exc
    words = {
        "length": f"the answer reached {cap_name}={max_tokens} tokens and was cut there",
        "deadline": f"the answer was still coming at OUTREACH_LLM_DEADLINE={settings.llm_deadline_s:g} s and was "
        "cut there",
        "timeout": f"the endpoint sent nothing for OUTREACH_LLM_TIMEOUT={settings.llm_timeout_s:g} s mid-answer",
    }
    return _events(stream, deadline, words)


def _events(stream: Any, deadline: Deadline, words: dict[str, str]) -> Iterator[str | StreamEnd]:
    usage = Usage()
    finish: str | None = None
    try:
        for chunk in _chunks(stream):
            if chunk is not None and chunk.get("error"):
                yield StreamEnd("error", usage, _failure(chunk["error"]))
                return
            if chunk is not None:
                usage = _usage(chunk) or usage
                for choice in (chunk.get("choices") or [])[:1]:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
                    finish = choice.get("finish_reason") or finish
            if finish is None and deadline.expired():
                yield StreamEnd("deadline", usage, words["deadline"])
                return
    except Exception as exc:  # mid-stream: what was shown stays shown, and the end says what happened
        if is_timeout(exc):
            yield StreamEnd("timeout", usage, words["timeout"])
        else:
            yield StreamEnd("error", usage, f"the connection to the endpoint broke mid-answer ({type(exc).__name__})")
        return
    finally:
        stream.close()
    if finish == "length":
        yield StreamEnd("length", usage, words["length"])
    elif finish is None:
        yield StreamEnd("error", usage, "the endpoint closed the stream before the answer was finished")
    else:
        yield StreamEnd("stop", usage)


def _chunks(stream: Any) -> Iterator[dict[str, Any] | None]:
    """The stream's chunks as dicts, and None for every other line. The SDK's own iterator swallows keep-alive
    comments, so a server that sends only those (llama-cpp-python's pings while it is busy with another request)
    would hold the caller past its deadline without ever giving it control: reading the lines here does."""
    for line in stream.response.iter_lines():
        data = line[5:].strip() if line.startswith("data:") else ""
        if data == "[DONE]":
            return
        yield _json(data) if data else None


def _json(data: str) -> dict[str, Any] | None:
    try:
        chunk = json.loads(data)
    except ValueError:
        return None
    return chunk if isinstance(chunk, dict) else None


def _failure(error: Any) -> str:
    """An error event mid-stream, in the server's own words (short)."""
    said = error.get("message") if isinstance(error, dict) else error
    return f"the endpoint failed mid-answer: {' '.join(str(said).split())[:200]}"


def _usage(chunk: dict[str, Any]) -> Usage | None:
    found = chunk.get("usage")
    if not isinstance(found, dict):
        return None
    return Usage(int(found.get("prompt_tokens") or 0), int(found.get("completion_tokens") or 0))
