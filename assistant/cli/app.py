"""The bundled demo and the web app: `demo` and `serve`."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.common import settings_for, store_option


@click.command()
@store_option
def demo(store: Path | None) -> None:
    """Run the main job end to end on the bundled sample data, offline."""
    from assistant.demo import run_demo

    settings = settings_for(store, existing=False)
    run_demo(settings)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the default browser.")
@click.option(
    "--allow-remote", is_flag=True, help="Allow a non-loopback --host; every request then needs a printed token."
)
@store_option
def serve(host: str, port: int, open_browser: bool, allow_remote: bool, store: Path | None) -> None:
    """Run the web app: the whole journey in a browser, over the same store, settings and library as the CLI."""
    from assistant.web.server import make_guard
    from assistant.web.server import serve as run_server

    guard = make_guard(host, port, allow_remote=allow_remote)
    run_server(settings_for(store, existing=False), guard, open_browser=open_browser)
