"""The settings' fingerprint (what outputs record and batch reuse depends on) and the offline/LLM mode rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from assistant.settings import Settings


class WithANewSetting(Settings):
    """Settings as they will be once someone adds a setting that changes what a draft says."""

    draft_tone: str = Field(default="formal", alias="OUTREACH_DRAFT_TONE")


def test_a_setting_added_later_changes_the_fingerprint() -> None:
    assert WithANewSetting().fingerprint() != WithANewSetting(OUTREACH_DRAFT_TONE="casual").fingerprint()


@pytest.mark.parametrize(
    "update",
    [
        {"draft_citations": 2},
        {"llm_model": "gpt-4.1-mini"},
        {"llm_temperature": 0.0},
        {"openai_base_url": "http://localhost:11434/v1"},
        {"cv_extraction": "offline"},
    ],
)
def test_settings_that_shape_a_draft_change_the_fingerprint(settings: Settings, update: dict[str, object]) -> None:
    assert settings.model_copy(update=update).fingerprint() != settings.fingerprint()


def test_secrets_storage_and_logging_leave_the_fingerprint_alone(tmp_path: Path) -> None:
    base = Settings(OPENAI_API_KEY="sk-one")
    same = Settings(
        OPENAI_API_KEY="sk-two",  # a rotated key writes the same drafts
        OPENALEX_API_KEY="k",
        OUTREACH_STORE=str(tmp_path / "elsewhere"),
        OUTREACH_CHROMA_HOST="chroma.local",
        OUTREACH_DEBUG="1",
    )
    assert base.fingerprint() == same.fingerprint()
    assert "sk-one" not in repr(base.model_dump(mode="json"))  # and what is hashed never holds a secret


@pytest.mark.parametrize(
    ("configured", "offline", "mode"),
    [
        (False, None, "offline"),
        (True, None, "llm"),
        (True, True, "offline"),
        (False, False, "llm"),  # asked for: the call then says what is missing
    ],
)
def test_mode(configured: bool, offline: bool | None, mode: str) -> None:
    settings = Settings(OPENAI_API_KEY="sk-x") if configured else Settings()
    assert settings.mode(offline) == mode
