"""`outreach serve`: run the web app with uvicorn on this machine (loopback unless told otherwise)."""

from __future__ import annotations

import logging
import secrets
import sys
import threading
import webbrowser

from assistant.errors import InputError
from assistant.settings import Settings
from assistant.web.security import LOOPBACK_NAMES, Guard

SHUTDOWN_GRACE_S = 3  # open event streams would otherwise hold Ctrl-C until the browser lets go


def url_for(guard: Guard) -> str:
    host = guard.host if guard.host not in ("0.0.0.0", "::") else "127.0.0.1"
    token = f"?token={guard.access_token}" if guard.access_token else ""
    return f"http://{host}:{guard.port}/{token}"


def make_guard(host: str, port: int, *, allow_remote: bool) -> Guard:
    """Loopback by default; any other address only with --allow-remote, and then only with the access token."""
    host = "[::1]" if host == "::1" else host  # as it appears in a URL and a Host header
    if host not in LOOPBACK_NAMES and not allow_remote:
        raise InputError(
            f"--host {host} would let other machines reach your CV and store; "
            "add --allow-remote to accept that (every request then needs the access token printed at start)"
        )
    return Guard(host=host, port=port, access_token=secrets.token_urlsafe(24) if allow_remote else None)


def serve(settings: Settings, guard: Guard, *, open_browser: bool = False) -> None:
    import uvicorn

    from assistant.web.app import create_app

    app = create_app(settings, guard)
    url = url_for(guard)
    print(f"Outreach is running at {url}  (store: {settings.store_dir}; Ctrl-C stops it)", flush=True)
    if guard.access_token:
        print("Remote access is on: anyone with that URL (it holds the access token) can use this app.", flush=True)
    _log_requests()
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    uvicorn.run(
        app,
        host=guard.host.strip("[]"),
        port=guard.port,
        access_log=False,  # ours logs the path only: a query string can hold the token or CV text
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )


def _log_requests() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    access = logging.getLogger("outreach.web.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
