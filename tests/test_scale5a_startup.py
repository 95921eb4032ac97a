"""What a cold offline draft loads: nothing of the LLM path (httpx, openai and tenacity are for calls it never
makes), and the embedding model only when the CV has items whose vectors are not saved yet."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LLM_PATH = ("httpx", "openai", "tenacity", "assistant.llm.seam", "assistant.llm.client")


def _cold(args: list[str], store: Path, modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """stdout of `outreach ARGS` in a fresh interpreter, and which of `modules` it imported."""
    script = f"""
import sys
from assistant.cli import run
code = run(sys.argv[1:])
assert code in (0, 1), code
print(sorted(m for m in {modules!r} if m in sys.modules), file=sys.stderr)
"""
    env = {**os.environ, "OUTREACH_STORE": str(store), "OUTREACH_CV_EXTRACTION": "offline"}
    env.pop("OPENAI_API_KEY", None)
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout, ast.literal_eval(done.stderr.strip().splitlines()[-1])


DRAFT = ["draft", "--cv", str(EXAMPLES / "cvs" / "maya_chen.md"), "--professor", "razaviyayn", "--offline"]


def test_an_offline_draft_imports_nothing_of_the_llm_path(sample_store: Path) -> None:
    out, imported = _cold(DRAFT, sample_store, LLM_PATH)
    assert "Subject:" in out
    assert imported == []


def test_the_model_loads_only_for_cv_items_not_embedded_before(sample_store: Path) -> None:
    first, loaded = _cold(DRAFT, sample_store, ("onnxruntime",))
    assert loaded == ["onnxruntime"]
    again, loaded = _cold(DRAFT, sample_store, ("onnxruntime",))
    assert (again, loaded) == (first, [])
    match = ["match", "--cv", DRAFT[2], "--offline"]
    _, loaded = _cold(match, sample_store, ("onnxruntime",))
    assert loaded == ["onnxruntime"]  # match also scores the CV's skills, which the draft did not embed
    _, loaded = _cold(match, sample_store, ("onnxruntime",))
    assert loaded == []


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
