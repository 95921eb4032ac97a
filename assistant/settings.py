"""The one settings object. Nothing else in the package reads environment variables.

Settings come from keyword arguments (by variable name), then the environment, then `.env` in the working
directory, then the defaults, as pydantic-settings' `BaseSettings` reads them (names matched case-insensitively,
an empty value meaning unset, other keys ignored). They are read here, in a few lines, because importing
pydantic-settings cost 0.2 s of CPU, a fifth of a cold `outreach search` (README "Scale", round 4a).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr

# The kinds of LLM call, each with its own max_tokens setting.
CallKind = Literal["draft", "repair", "ask", "ask_json", "cv_refine", "verify"]


ENV_FILE = ".env"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_configured(type(self)), **values})

    # Where local data lives: the Chroma database, the catalog, the shortlist.
    store_dir: Path = Field(default=Path("store"), alias="OUTREACH_STORE")
    debug: bool = Field(default=False, alias="OUTREACH_DEBUG")

    # Embeddings: the bundled offline MiniLM, or an OpenAI-compatible embeddings endpoint.
    embedding_backend: Literal["minilm", "openai"] = Field(default="minilm", alias="OUTREACH_EMBEDDING_BACKEND")
    embedding_model: str = Field(default="text-embedding-3-small", alias="OUTREACH_EMBEDDING_MODEL")
    # Texts per ONNX run of the bundled model: on 2 cores 4 embeds abstracts about 15% faster than 16 (less padding,
    # smaller activations; benchmarks/ingest.py), and a text's vector does not depend on its batch.
    embedding_batch_size: int = Field(default=4, alias="OUTREACH_EMBEDDING_BATCH_SIZE", ge=1, le=256)

    # Chroma: embedded (PersistentClient under store_dir) unless a server host is given.
    chroma_host: str | None = Field(default=None, alias="OUTREACH_CHROMA_HOST")
    chroma_port: int = Field(default=8000, alias="OUTREACH_CHROMA_PORT")

    # The LLM: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, LM Studio...).
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="OUTREACH_LLM_MODEL")
    llm_temperature: float = Field(default=0.3, alias="OUTREACH_LLM_TEMPERATURE")
    # The longest wait for the endpoint's next bytes (the whole reply, unless streamed), per attempt.
    llm_timeout_s: float = Field(default=60.0, alias="OUTREACH_LLM_TIMEOUT", gt=0)
    # The most one LLM call may take, transport retries and the re-ask of an invalid reply included; a stream is
    # cut there.
    llm_deadline_s: float = Field(default=180.0, alias="OUTREACH_LLM_DEADLINE", gt=0)
    llm_max_attempts: int = Field(default=4, alias="OUTREACH_LLM_MAX_ATTEMPTS", ge=1, le=10)
    llm_max_backoff_s: float = Field(default=30.0, alias="OUTREACH_LLM_MAX_BACKOFF")
    # How to ask for JSON: "auto" probes the endpoint once (json_schema, then json_object with the schema, then
    # tool calling, then plain text) and remembers the answer in the store; a mode named here is used as is.
    llm_structured_mode: Literal["auto", "json_schema", "json_object", "tools", "text"] = Field(
        default="auto", alias="OUTREACH_LLM_STRUCTURED_MODE"
    )
    # Chat templates without a system role (Gemma) drop or refuse system messages: "fold" puts the system text at
    # the start of the first user turn; "auto" finds out once per endpoint and model.
    llm_system_role: Literal["auto", "native", "fold"] = Field(default="auto", alias="OUTREACH_LLM_SYSTEM_ROLE")
    # The most tokens the model may write per call, by kind of call (benchmarks/live_llm.py measures real ones).
    llm_max_tokens_draft: int = Field(default=1200, alias="OUTREACH_LLM_MAX_TOKENS_DRAFT", ge=16)
    llm_max_tokens_repair: int = Field(default=1200, alias="OUTREACH_LLM_MAX_TOKENS_REPAIR", ge=16)
    llm_max_tokens_ask: int = Field(default=600, alias="OUTREACH_LLM_MAX_TOKENS_ASK", ge=16)
    llm_max_tokens_ask_json: int = Field(default=800, alias="OUTREACH_LLM_MAX_TOKENS_ASK_JSON", ge=16)
    llm_max_tokens_cv_refine: int = Field(default=3000, alias="OUTREACH_LLM_MAX_TOKENS_CV_REFINE", ge=16)
    llm_max_tokens_verify: int = Field(default=400, alias="OUTREACH_LLM_MAX_TOKENS_VERIFY", ge=16)

    # CV reading: "auto" lets a configured LLM refine the offline extraction (items it cannot quote from the CV
    # are dropped); "offline" never sends the CV to the LLM for this; "llm" makes a failed refinement an error.
    cv_extraction: Literal["auto", "offline", "llm"] = Field(default="auto", alias="OUTREACH_CV_EXTRACTION")

    # OpenAlex: since 2026-02-13 a (free) key is what counts; calls are metered against its daily allowance.
    # The mailto of the old "polite pool" is still sent when set, which is harmless.
    openalex_api_key: SecretStr | None = Field(default=None, alias="OPENALEX_API_KEY")
    openalex_mailto: str | None = Field(default=None, alias="OPENALEX_MAILTO")
    openalex_base_url: str = Field(default="https://api.openalex.org", alias="OPENALEX_BASE_URL")
    openalex_max_works: int = Field(default=500, alias="OPENALEX_MAX_WORKS", ge=1)
    openalex_max_attempts: int = Field(default=4, alias="OPENALEX_MAX_ATTEMPTS", ge=1, le=10)
    openalex_max_backoff_s: float = Field(default=30.0, alias="OPENALEX_MAX_BACKOFF")
    openalex_timeout_s: float = Field(default=30.0, alias="OPENALEX_TIMEOUT")
    # `outreach discover` keeps OpenAlex answers under the store this long, so a re-run costs no calls.
    openalex_cache_ttl_days: float = Field(default=7.0, alias="OPENALEX_CACHE_TTL_DAYS", ge=0)

    # Drafting and guardrails.
    draft_citations: int = Field(default=3, alias="OUTREACH_DRAFT_CITATIONS", ge=1, le=8)
    draft_min_words: int = Field(default=80, alias="OUTREACH_DRAFT_MIN_WORDS")
    draft_max_words: int = Field(default=400, alias="OUTREACH_DRAFT_MAX_WORDS")
    repair_rounds: int = Field(default=2, alias="OUTREACH_REPAIR_ROUNDS", ge=0, le=5)
    # The support check (guardrails/checks/support.py): "auto" asks the configured LLM whether each claim about
    # the professor's work is backed by the paper's abstract, unless the run is offline; "off" skips it;
    # "required" leaves every draft unverified (never clean) when it cannot run.
    verify_support: Literal["auto", "off", "required"] = Field(default="auto", alias="OUTREACH_VERIFY_SUPPORT")

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    def mode(self, offline: bool | None = None) -> Literal["llm", "offline"]:
        """How to draft or answer: as asked (`offline` True or False), else by the LLM when one is configured."""
        if offline is None:
            offline = not self.llm_configured
        return "offline" if offline else "llm"

    def max_tokens(self, kind: CallKind | None) -> tuple[int, str]:
        """The reply cap for a kind of call, and the variable that sets it (for messages). A call of no declared
        kind (a guardrail check asking the model) gets the verify cap."""
        field = f"llm_max_tokens_{kind or 'verify'}"
        alias = type(self).model_fields[field].alias or field
        return int(getattr(self, field)), alias

    @property
    def chroma_dir(self) -> Path:
        return self.store_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.store_dir / "catalog.sqlite"

    def fingerprint(self) -> str:
        """A short hash of every setting but secrets and where things are stored: what may shape an output.
        Outputs record it, and a batch redoes a draft whose fingerprint changed. Computed from the whole dump, so
        a setting added later counts without anyone remembering to list it (erring toward redoing a draft)."""
        shaping = {k: v for k, v in self.model_dump(mode="json").items() if k not in _unfingerprinted(type(self))}
        return hashlib.md5(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:12]


# Where data is kept and how much is logged cannot change what a draft says; secrets and paths are found by type.
# Settings that change how, not what: a text's vector is bit for bit the same at any embedding batch size.
_NOT_SHAPING = frozenset({"chroma_host", "chroma_port", "debug", "embedding_batch_size"})


@lru_cache(maxsize=8)
def _unfingerprinted(cls: type[Settings]) -> frozenset[str]:
    def secret_or_path(annotation: object) -> bool:
        return bool({SecretStr, Path} & set(get_args(annotation) or (annotation,)))

    found = {name for name, info in cls.model_fields.items() if secret_or_path(info.annotation)}
    return _NOT_SHAPING | found


def _configured(cls: type[Settings]) -> dict[str, str]:
    """The fields' values set in `.env` and the environment (which wins), keyed by variable name. An empty value
    (`OPENAI_BASE_URL=` in .env) means unset: otherwise it fails bool parsing or, as "", turns the LLM path on
    with no URL."""
    names = {(info.alias or name).lower(): info.alias or name for name, info in cls.model_fields.items()}
    found: dict[str, str] = {}
    for source in (_dotenv(), os.environ):
        for key, value in source.items():
            if value and key.lower() in names:
                found[names[key.lower()]] = value
    return found


def _dotenv() -> Mapping[str, str | None]:
    path = Path(ENV_FILE)
    if not (path.is_file() or path.is_fifo()):
        return {}
    from dotenv import dotenv_values  # python-dotenv: only when there is a file to read

    return dotenv_values(path, encoding="utf-8")


@lru_cache(maxsize=1)
def _cached() -> Settings:
    return Settings()


def get_settings(store: Path | None = None) -> Settings:
    """Settings from the environment and `.env`; `store` (the CLI's --store) overrides the store dir."""
    base = _cached()
    if store is None:
        return base
    return base.model_copy(update={"store_dir": Path(store)})


def reset_settings_cache() -> None:
    _cached.cache_clear()
