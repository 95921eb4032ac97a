"""Canned OpenAI chat-completion responses for respx, and a queue to script multi-step flows."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import httpx
from pydantic import BaseModel

CHAT_URL = "https://api.openai.com/v1/chat/completions"


def completion(
    content: str, *, prompt_tokens: int = 120, completion_tokens: int = 80, finish_reason: str = "stop"
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def structured(model: BaseModel | dict[str, Any]) -> httpx.Response:
    """A reply that `with_structured_output(Model)` (json_schema mode) parses from message.content."""
    data = model.model_dump() if isinstance(model, BaseModel) else model
    return httpx.Response(200, json=completion(json.dumps(data)))


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "test"}}, headers=headers or {})


def sse(chunks: list[str], *, finish_reason: str = "stop") -> httpx.Response:
    """A streamed chat completion, as server-sent events."""
    events = []
    for i, text in enumerate(chunks):
        delta = {"role": "assistant", "content": text} if i == 0 else {"content": text}
        body = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        events.append(f"data: {json.dumps(body)}\n\n")
    end = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}],
    }
    events.append(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n")
    return httpx.Response(200, content="".join(events).encode(), headers={"content-type": "text/event-stream"})


class ResponseQueue:
    """A respx side effect that answers each request with the next queued response, and keeps the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = deque(responses)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if not self.responses:
            raise AssertionError("the model was called more times than the test scripted")
        return self.responses.popleft()
