"""The `outreach` command: parse arguments, call one library function, render the result.

Results go to stdout (`--json` for machines); progress and messages go to stderr. Heavy libraries (chromadb,
onnxruntime, LangChain, rich) are imported inside commands so `outreach --help` stays instant.

This module builds the `outreach` group and turns errors into exit codes; each command group lives in its own
module (library, student, drafting, asking, discovery, app) and common.py holds what they share.
"""

from __future__ import annotations

import logging
import sys

import click

from assistant.cli.app import demo, serve
from assistant.cli.asking import ask, chat
from assistant.cli.common import debug_enabled
from assistant.cli.discovery import discover
from assistant.cli.drafting import batch, draft, verify
from assistant.cli.library import ingest, papers, professors, reindex, search
from assistant.cli.student import cv, match, shortlist_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.version_option(package_name="outreach")
def cli(verbose: int) -> None:
    """Outreach: find professors whose work fits yours, and write to them with grounded, checked emails."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# click lists commands alphabetically in --help; this order follows the modules, for reading.
for command in (
    ingest,
    professors,
    papers,
    search,
    reindex,
    cv,
    match,
    shortlist_group,
    draft,
    verify,
    batch,
    ask,
    chat,
    discover,
    demo,
    serve,
):
    cli.add_command(command)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: OutreachErrors become a clean message on stderr (a traceback
    with OUTREACH_DEBUG=1); usage errors exit 2."""
    try:
        code = cli.main(args=args, standalone_mode=False)
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        from assistant.errors import OutreachError, error_lines

        debug = debug_enabled()
        if debug:
            raise
        if not isinstance(exc, OutreachError):
            click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("(set OUTREACH_DEBUG=1 for a traceback)", err=True)
            return 1
        click.echo(error_lines(exc), err=True)
        return exc.exit_code


def main() -> None:
    sys.exit(run())
