"""The LLM seam's one class: structured output and streaming over one endpoint and model (the package's
docstring says how). Kept apart from `assistant/llm/__init__.py` so that importing the package's light names
(errors, `Usage`) does not import httpx and the SDK's machinery: an offline draft never makes a call.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel

from assistant.llm.client import RELIABLE_TOKENS, Connection
from assistant.llm.errors import Usage
from assistant.llm.probe import Profile, probe_modes, remember, resolve
from assistant.llm.stream import Streamed, stream_events
from assistant.llm.structured import structured_call
from assistant.retry import Deadline
from assistant.settings import CallKind, Settings

T = TypeVar("T", bound=BaseModel)


class LLM:
    """Structured output and streaming over one endpoint and model; safe to share between a batch's threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection = Connection(settings)
        self._profile: Profile | None = None
        self._lock = threading.Lock()  # one probe, however many threads ask at once

    @property
    def model_name(self) -> str:
        return self.settings.llm_model

    def profile(self) -> Profile:
        """How this endpoint is asked for JSON: forced, known, remembered or probed (once, then remembered)."""
        with self._lock:
            if self._profile is None:
                self._profile = resolve(self.settings, self.connection)
                if self.connection.speed is None:
                    self.connection.speed = self._profile.tokens_per_s
            return self._profile

    def fall_back(self, failed: Profile, deadline: Deadline) -> Profile | None:
        """The next mode down from one the endpoint refused, or None when plain text was refused too."""
        from assistant.llm.modes import LADDER

        if failed.mode == LADDER[-1] or failed.source == "known":  # OpenAI takes json_schema: the fault is elsewhere
            return None
        with self._lock:
            mode, refused = probe_modes(self.connection, failed.fold_system, deadline, LADDER.index(failed.mode) + 1)
        refused = [*failed.refused, f"{failed.mode}: refused", *refused]
        return Profile(mode, failed.fold_system, "probed", refused, self.connection.speed)

    def adopt(self, profile: Profile) -> None:
        """A fallback mode that worked becomes this endpoint's mode, here and in the store."""
        with self._lock:
            self._profile = profile
        remember(self.settings, profile)

    def structured(
        self, messages: list[tuple[str, str]], schema: type[T], *, what: str = "LLM", kind: CallKind | None = None
    ) -> tuple[T, Usage]:
        """One call returning a validated `schema` instance, or a typed LLMError (with the tokens it cost). `kind`
        picks the max_tokens setting; `what` names the call in messages."""
        try:
            return structured_call(self, messages, schema, what=what, kind=kind)
        finally:
            self._remember_speed()

    def _remember_speed(self) -> None:
        """A long reply's speed replaces the probe's (which mostly timed reading its prompt) in the store, so the
        next process waits for what this server really takes. Forced and known profiles are never written."""
        speed, remembered = self.connection.speed, self._profile
        if speed is None or remembered is None or remembered.source not in ("probed", "remembered"):
            return
        if self.connection.measured_tokens < RELIABLE_TOKENS:
            return
        if remembered.tokens_per_s and 2 / 3 < speed / remembered.tokens_per_s < 3 / 2:
            return
        with self._lock:
            self._profile = replace(remembered, tokens_per_s=speed)
        remember(self.settings, self._profile)

    def stream(self, messages: list[tuple[str, str]], *, what: str = "LLM", kind: CallKind = "ask") -> Streamed:
        """Text chunks as they arrive; after them, `.end` (a StreamEnd: stop / length / deadline / timeout /
        error, the reason in plain words, the usage). Opening the stream is retried; what follows is not."""
        fold = self.profile().fold_system
        return Streamed(stream_events(self.connection, messages, fold_system=fold, what=what, kind=kind))
