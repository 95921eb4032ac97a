"""The live tier: a real small model (Gemma 3 270M) behind the two real servers in ../shared/llm, on 127.0.0.1.

Each server is started once per session on a free port by `serve.sh PORT KIND`, waited for until it answers
`/v1/models` (skipping, with its log, if serve.sh exits first), probed once for its JSON mode, and stopped (its
process group, which we started) at the end. Without ../shared/llm every live test skips, saying why. The first
start installs the model into ~/.cache/outreach-llm (about a minute).

The model is weak and the machine may be busy, so every call here is bounded by small max_tokens and a deadline:
these tests prove the protocol, the limits and the verdicts, not the quality of the emails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.llm import LLM
from assistant.llm.probe import MEMORY_FILE, Profile
from assistant.settings import Settings, reset_settings_cache

ROOT = Path(__file__).resolve().parents[2]
SHARED_LLM = Path(os.environ.get("OUTREACH_SHARED_LLM", ROOT.parent / "shared" / "llm"))
KINDS = ("llama-server", "llama-cpp-python")
START_TIMEOUT_S = 420  # a fresh machine installs the model (and the wheel) first
MODEL = "gemma-3-270m"

pytestmark = pytest.mark.live


@dataclass(frozen=True)
class LiveServer:
    kind: str
    base_url: str
    log: Path
    profile: Profile  # what the probe found, once per session (tests start from it, as a user's second run does)
    memory: Path  # the llm-modes.json that probe wrote


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT_S:
        if proc.poll() is not None:  # it cannot start here (no model, no network to install it): say so
            pytest.skip(f"serve.sh exited with {proc.returncode} before serving:\n{log.read_text()[-1500:]}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the model server was not ready after {START_TIMEOUT_S} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="session", params=KINDS)
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    serve = SHARED_LLM / "serve.sh"
    if not serve.exists():
        pytest.skip(f"no local model servers at {SHARED_LLM} (serve.sh missing)")
    kind, port = str(request.param), _free_port()
    log = tmp_path_factory.mktemp(f"live-{kind}") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(serve), str(port), kind], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(proc, url, log)
        store = log.parent / "probe-store"
        settings = Settings(  # type: ignore[call-arg]
            OUTREACH_STORE=str(store), OPENAI_BASE_URL=url, OPENAI_API_KEY="local", OUTREACH_LLM_MODEL=MODEL
        )
        profile = LLM(settings).profile()
        yield LiveServer(kind, url, log, profile, store / MEMORY_FILE)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group serve.sh started, and only that
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# Small caps keep each call to seconds on a quiet machine (~50 tokens/s); on a busy one a call may run into the
# deadline instead, which is a path worth proving too. llama-cpp-python decodes JSON under a grammar at about
# 1 token/s with Gemma's vocabulary, so the tests run it in text mode (the README's advice) after probing it once.
LIMITS = {
    "OUTREACH_LLM_TIMEOUT": "45",
    "OUTREACH_LLM_DEADLINE": "45",  # 12 calls: at most ~9 min in all, however busy the machine
    "OUTREACH_LLM_MAX_ATTEMPTS": "1",  # a timed-out local server would start the same prompt over
    "OUTREACH_REPAIR_ROUNDS": "0",  # repair rounds are the stubs' to test; here, the first verdict
    "OUTREACH_LLM_MAX_TOKENS_DRAFT": "320",
    "OUTREACH_LLM_MAX_TOKENS_REPAIR": "320",
    "OUTREACH_LLM_MAX_TOKENS_ASK": "48",
    "OUTREACH_LLM_MAX_TOKENS_ASK_JSON": "128",
    "OUTREACH_LLM_MAX_TOKENS_CV_REFINE": "128",
    "OUTREACH_LLM_MAX_TOKENS_VERIFY": "64",
    "OUTREACH_CV_EXTRACTION": "offline",  # one model call per command; the cv test turns refinement on,
    "OUTREACH_VERIFY_SUPPORT": "off",  # and the verify test the support check's verifier
}


@pytest.fixture
def live(
    live_server: LiveServer, isolated_store: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> LiveServer:
    """The environment a user of that server sets, and the mode its probe found, remembered in this test's store."""
    if "sample_store" in request.fixturenames:
        request.getfixturevalue("sample_store")  # it copies the sample store to the store path: first
    env = {"OPENAI_BASE_URL": live_server.base_url, "OPENAI_API_KEY": "local", "OUTREACH_LLM_MODEL": MODEL}
    if live_server.kind == "llama-cpp-python":
        env["OUTREACH_LLM_STRUCTURED_MODE"] = "text"  # the README's advice for that server: grammar is too slow
    for name, value in {**LIMITS, **env}.items():
        monkeypatch.setenv(name, value)
    isolated_store.mkdir(parents=True, exist_ok=True)
    shutil.copy(live_server.memory, isolated_store / MEMORY_FILE)
    reset_settings_cache()
    return live_server
