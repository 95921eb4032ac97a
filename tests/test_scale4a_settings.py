"""Settings read without pydantic-settings (assistant/settings.py) give what pydantic-settings' BaseSettings, as
configured before, gave: the same values from keyword arguments, the environment and `.env`, and the same errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.settings import Settings


class _Before(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)


# The same fields on the old base class, under the same name (so error titles match too).
Before: Any = create_model(  # type: ignore[call-overload]
    "Settings", __base__=_Before, **{name: (info.annotation, info) for name, info in Settings.model_fields.items()}
)

CASES = {
    "defaults": ({}, None, {}),
    "environment": ({"OUTREACH_STORE": "/tmp/x", "OUTREACH_DEBUG": "1", "OPENAI_API_KEY": "sk-a"}, None, {}),
    "names in any case": ({"outreach_llm_model": "m1", "Outreach_Draft_Citations": "5"}, None, {}),
    "empty means unset": ({"OUTREACH_DEBUG": "", "OPENAI_BASE_URL": ""}, "OUTREACH_LLM_MODEL=\n", {}),
    "dotenv": ({}, "# a comment\nOUTREACH_LLM_MODEL='from file'\nexport OUTREACH_DEBUG=true\nBARE\nOTHER=1\n", {}),
    "environment over dotenv": (
        {"OUTREACH_LLM_MODEL": "env"},
        "OUTREACH_LLM_MODEL=file\nOUTREACH_REPAIR_ROUNDS=3\n",
        {},
    ),
    "empty environment falls back to dotenv": ({"OUTREACH_LLM_MODEL": ""}, "OUTREACH_LLM_MODEL=file\n", {}),
    "arguments over both": ({"OUTREACH_STORE": "/env"}, "OUTREACH_STORE=/file\n", {"OUTREACH_STORE": "/arg"}),
    "other variables ignored": ({"HOME_STORE": "x", "OUTREACH_UNKNOWN": "y"}, None, {}),
}
BAD = {
    "not a bool": ({"OUTREACH_DEBUG": "maybe"}, None),
    "out of range": ({"OUTREACH_DRAFT_CITATIONS": "0"}, None),
    "not a choice, from dotenv": ({}, "OUTREACH_EMBEDDING_BACKEND=torch\n"),
    "two at once": ({"OUTREACH_CHROMA_PORT": "x", "OUTREACH_LLM_TIMEOUT": "-1"}, None),
}


def _arrange(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], dotenv: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")


@pytest.mark.parametrize(("env", "dotenv", "kwargs"), CASES.values(), ids=CASES.keys())
def test_the_same_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], dotenv: str | None, kwargs: dict[str, str]
) -> None:
    _arrange(monkeypatch, tmp_path, env, dotenv)
    assert Settings(**kwargs).model_dump() == Before(**kwargs).model_dump()


@pytest.mark.parametrize(("env", "dotenv"), BAD.values(), ids=BAD.keys())
def test_the_same_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], dotenv: str | None
) -> None:
    _arrange(monkeypatch, tmp_path, env, dotenv)
    with pytest.raises(ValidationError) as now:
        Settings()
    with pytest.raises(ValidationError) as before:
        Before()
    assert str(now.value) == str(before.value)
