"""A real server and a real browser: uvicorn on a free loopback port in a thread of the test process (so respx
mocks reach it), driven by Debian's Chromium through Playwright. Skipped, with the reason, when either is missing.

Screenshots go to $OUTREACH_SCREENSHOTS, or benchmarks/out/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from tests.conftest import ROOT

CHROMIUM = os.environ.get("OUTREACH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium reaches for the (closed) network at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser per module: Playwright's sync API holds an event loop on the main thread while it is open,
    and the rest of the suite runs asyncio code there."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=90_000)  # a shared 2-core machine at load 15, an ingest with the model load took >30 s
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("OUTREACH_SCREENSHOTS") or ROOT / "benchmarks" / "out" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, folder: Path, name: str) -> None:
    """The page at 1280×800 and at a 390-px phone width, full length."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from assistant.web.app import create_app
        from assistant.web.security import Guard

        self.guard = Guard("127.0.0.1", free_port())
        self.app = create_app(settings, self.guard)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.guard.port, access_log=False, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.guard.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def server(sample_store: Path) -> Iterator[LiveServer]:
    """The app over a private copy of the sample store, with the settings of the test's environment."""
    with LiveServer(Settings()) as live:
        yield live
