"""How an endpoint wants to be asked: which JSON mode it takes and whether its chat template keeps a system
message. Found out once per endpoint and model with a few tiny requests, and remembered in the store
(`llm-modes.json`, keyed by base URL and model, never the key); OpenAI's own API is known and never probed, and
OUTREACH_LLM_STRUCTURED_MODE / OUTREACH_LLM_SYSTEM_ROLE skip the probe they name.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel

from assistant.files import atomic_write_text
from assistant.llm.client import Connection, endpoint, is_openai, to_messages, token_cap
from assistant.llm.errors import LLMRefused, server_detail
from assistant.llm.modes import LADDER, InvalidReply, Mode, parse, reply_text, request, schema_of
from assistant.retry import Deadline
from assistant.settings import Settings

log = logging.getLogger(__name__)
MEMORY_FILE = "llm-modes.json"
PROBE_TOKENS = 32
_memory_lock = threading.Lock()  # a batch's threads may remember a fallback at once


class _Probe(BaseModel):
    # The prompt never names this key in json_schema mode, so only a server that enforces the schema writes it:
    # one that accepts json_schema and ignores it is found out.
    outreach_probe_ok: bool


_PROBE_MESSAGES = [("system", "You answer in JSON."), ("human", "Is water wet?")]
_SYSTEM_PROBE = "You are a careful assistant who answers every question briefly, precisely and politely."


@dataclass
class Profile:
    mode: Mode
    fold_system: bool
    source: Literal["known", "forced", "remembered", "probed"]
    refused: list[str] = field(default_factory=list)  # the better modes the endpoint refused, and why
    tokens_per_s: float | None = None  # completion speed measured by the probe's replies: how long a reply may take

    def describe(self) -> str:
        system = "system text folded into the first user turn" if self.fold_system else "system role kept"
        return f"structured output via {self.mode}, {system} ({self.source})"


def memory_key(settings: Settings) -> str:
    return f"{endpoint(settings)} {settings.llm_model}"


def _memory_path(settings: Settings) -> Path:
    return settings.store_dir / MEMORY_FILE


def _read_memory(settings: Settings) -> dict[str, Any]:
    try:
        data = json.loads(_memory_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(settings: Settings, profile: Profile) -> None:
    """Best effort: a store that cannot be written costs a probe next time, nothing more."""
    entry = asdict(profile) | {"probed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    entry.pop("source")
    with _memory_lock:
        data = _read_memory(settings) | {memory_key(settings): entry}
        try:
            atomic_write_text(_memory_path(settings), json.dumps(data, indent=2, sort_keys=True) + "\n")
        except OSError as exc:
            log.warning("could not remember the LLM endpoint's mode in %s: %s", _memory_path(settings), exc)


def recalled(settings: Settings) -> Profile | None:
    entry = _read_memory(settings).get(memory_key(settings))
    if not isinstance(entry, dict) or entry.get("mode") not in LADDER:
        return None
    speed = entry.get("tokens_per_s")
    return Profile(
        cast(Mode, entry["mode"]),
        bool(entry.get("fold_system")),
        "remembered",
        entry.get("refused", []),
        float(speed) if isinstance(speed, int | float) and speed > 0 else None,
    )


def resolve(settings: Settings, connection: Connection) -> Profile:
    """The profile for this endpoint and model: forced, known, remembered, or probed now (and remembered)."""
    forced_mode = None if settings.llm_structured_mode == "auto" else cast(Mode, settings.llm_structured_mode)
    forced_fold = None if settings.llm_system_role == "auto" else settings.llm_system_role == "fold"
    if is_openai(settings):
        return Profile(forced_mode or "json_schema", bool(forced_fold), "forced" if forced_mode else "known")
    known = recalled(settings)
    if forced_mode and forced_fold is not None:
        return Profile(forced_mode, forced_fold, "forced", tokens_per_s=known.tokens_per_s if known else None)
    if known is not None:
        return _overridden(known, forced_mode, forced_fold)
    deadline = Deadline(settings.llm_deadline_s)
    fold = forced_fold if forced_fold is not None else system_is_dropped(connection, deadline)
    if forced_mode:
        return Profile(forced_mode, fold, "forced")
    mode, refused = probe_modes(connection, fold, deadline)
    profile = Profile(mode, fold, "probed", refused, connection.speed)
    remember(settings, profile)
    (log.warning if refused else log.info)("LLM endpoint %s: %s", memory_key(settings), _explained(profile))
    return profile


def _overridden(known: Profile, mode: Mode | None, fold: bool | None) -> Profile:
    if mode is None and fold is None:
        return known
    return Profile(
        mode or known.mode, known.fold_system if fold is None else fold, "forced", known.refused, known.tokens_per_s
    )


def _explained(profile: Profile) -> str:
    refused = f"; refused: {'; '.join(profile.refused)}" if profile.refused else ""
    return profile.describe() + refused


def probe_modes(connection: Connection, fold: bool, deadline: Deadline, start: int = 0) -> tuple[Mode, list[str]]:
    """The first mode from LADDER[start] whose tiny probe comes back as valid JSON; `text` needs no probe. A
    request error moves on; an unreachable endpoint or a bad key is raised (nothing would work)."""
    settings = connection.settings
    refused: list[str] = []
    messages = to_messages(_PROBE_MESSAGES, fold_system=fold)
    for mode in LADDER[start:-1]:
        body = {"model": settings.llm_model, "temperature": 0.0, **token_cap(settings, PROBE_TOKENS)}
        try:
            reply = connection.complete(
                body | request(mode, messages, schema_of(_Probe)), deadline=deadline, what=f"probing {mode}"
            )
            parse(reply_text(mode, reply), _Probe)
        except LLMRefused as exc:
            if not exc.request_error:
                raise
            refused.append(f"{mode}: HTTP {exc.status}: {server_detail(exc.__cause__) if exc.__cause__ else exc}")
            continue
        except InvalidReply as exc:
            refused.append(f"{mode}: the reply did not follow the schema ({exc.summary})")
            continue
        return mode, refused
    return "text", refused


def system_is_dropped(connection: Connection, deadline: Deadline) -> bool:
    """True when the chat template refuses the system role, or drops it: the same prompt with and without a
    system message then costs the same number of prompt tokens (llama-cpp-python's `gemma` format)."""
    settings = connection.settings
    body = {"model": settings.llm_model, "temperature": 0.0, **token_cap(settings, 1)}
    bare = [("human", "Say hello.")]
    try:
        with_system = connection.complete(
            body | {"messages": to_messages([("system", _SYSTEM_PROBE), *bare], fold_system=False)},
            deadline=deadline,
            what="probing the system role",
        )
    except LLMRefused as exc:
        if exc.request_error:
            return True
        raise
    without = connection.complete(
        body | {"messages": to_messages(bare, fold_system=False)}, deadline=deadline, what="probing the system role"
    )
    counted = with_system.usage.prompt_tokens, without.usage.prompt_tokens
    return all(counted) and counted[0] <= counted[1]
