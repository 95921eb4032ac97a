"""The LLM seam: every chat-model call goes through here.

Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server, llama-cpp-python's):
`structured` returns a validated pydantic object however the endpoint takes JSON requests (modes.py, probed once
per endpoint and model: probe.py), `stream` streams text and, once done, says why it stopped (stream.py).
Every call is bounded: max_tokens by kind of call, the timeout on every request, a deadline over the whole call.
Failures are typed (errors.py) and carry the attempts and the tokens they cost.

The errors and `Usage` are imported with the package; `LLM` (seam.py) and the rest load on first use, since they
bring httpx and the OpenAI SDK's machinery (≈ 0.15 s of CPU) that an offline command never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from assistant.llm.errors import (
    LLMError,
    LLMLimitError,
    LLMRefused,
    LLMReplyError,
    LLMUnavailable,
    Usage,
    explain,
    usage_of,
)

if TYPE_CHECKING:
    from assistant.llm.client import http_client, openai_client
    from assistant.llm.seam import LLM
    from assistant.llm.stream import Streamed, StreamEnd
    from assistant.retry import call_with_retries

__all__ = [
    "LLM",
    "LLMError",
    "LLMLimitError",
    "LLMRefused",
    "LLMReplyError",
    "LLMUnavailable",
    "StreamEnd",
    "Streamed",
    "Usage",
    "call_with_retries",
    "explain",
    "http_client",
    "openai_client",
    "usage_of",
]

_LAZY = {
    "LLM": "assistant.llm.seam",
    "StreamEnd": "assistant.llm.stream",
    "Streamed": "assistant.llm.stream",
    "call_with_retries": "assistant.retry",
    "http_client": "assistant.llm.client",
    "openai_client": "assistant.llm.client",
}


def __getattr__(name: str) -> Any:
    """The heavy names, imported when first asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
