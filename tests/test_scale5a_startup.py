"""An offline draft imports nothing of the LLM path: httpx, openai and tenacity are for calls it never makes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LLM_PATH = ("httpx", "openai", "tenacity", "assistant.llm.seam", "assistant.llm.client")


def test_an_offline_draft_imports_nothing_of_the_llm_path(sample_store: Path) -> None:
    script = f"""
import sys
from assistant.cli import run
code = run(["draft", "--cv", sys.argv[1], "--professor", "razaviyayn", "--offline"])
assert code in (0, 1), code
print(sorted(m for m in {LLM_PATH!r} if m in sys.modules), file=sys.stderr)
"""
    env = {**os.environ, "OUTREACH_STORE": str(sample_store)}
    env.pop("OPENAI_API_KEY", None)
    cv = EXAMPLES / "cvs" / "maya_chen.md"
    done = subprocess.run([sys.executable, "-c", script, str(cv)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Subject:" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_the_llm_package_still_gives_its_heavy_names_on_first_use() -> None:
    import assistant.llm as llm
    from assistant.llm.seam import LLM

    assert llm.LLM is LLM
    assert callable(llm.http_client) and callable(llm.call_with_retries)
    try:
        llm.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
