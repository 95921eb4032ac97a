"""Questions about a lab's work: `ask` and `chat`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli.common import embedding_settings, emit_json, info, json_option, settings_for, store_option


@click.command()
@click.argument("question")
@click.option("--professor", help="Ask about this professor's papers (id or name); default: every professor.")
@click.option("--collection", help="Ask about a listing ingested as a collection instead.")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Papers to retrieve.")
@click.option("--offline", is_flag=True, help="Answer extractively even when an LLM is configured.")
@click.option("--strict", is_flag=True, help="Exit 1 when the guardrails flag the answer (for scripts).")
@store_option
@json_option
def ask(
    question: str,
    professor: str | None,
    collection: str | None,
    k: int,
    offline: bool,
    strict: bool,
    store: Path | None,
    as_json: bool,
) -> None:
    """Answer a question from the indexed papers, with [n] citations checked against the abstracts.

    Exit status: 0 when answered (a flagged answer is printed with its guardrail report); with --strict, 1 when
    any hard guardrail check failed; 1 when a streamed answer was cut (max_tokens, the deadline, a broken
    connection). "The indexed papers don't cover X" is an answer, not a failure."""
    settings = embedding_settings(store)
    from assistant.ask import Asker, answer_of, make_scope, references_text
    from assistant.index import PaperIndex

    index = PaperIndex(settings)
    scope = make_scope(index, professor, collection)
    asker = Asker(index.settings, scope, k=k, index=index, offline=True if offline else None)
    if as_json:
        result = asker.ask(question)
        emit_json(result.to_json())
    else:
        result = answer_of(asker.stream(question), lambda text: click.echo(text, nl=False)).result
        click.echo("")
        click.echo(references_text(result))
    if result.cut:
        info(f"answer cut: {result.cut}")
        sys.exit(1)
    if strict and not result.answer.guardrails.passed:
        sys.exit(1)


@click.command()
@click.option("--professor", required=True, help="The professor to talk about (id or name).")
@click.option("-k", "k", type=click.IntRange(1, 20), default=5, show_default=True, help="Papers per question.")
@click.option("--offline", is_flag=True, help="Answer extractively even when an LLM is configured.")
@store_option
def chat(professor: str, k: int, offline: bool, store: Path | None) -> None:
    """Ask questions about one professor's papers; follow-ups ("which of those is most recent?") resolve."""
    from assistant.ask import Asker, ChatSession, chat_loop, make_scope
    from assistant.index import PaperIndex

    index = PaperIndex(settings_for(store))
    asker = Asker(index.settings, make_scope(index, professor), k=k, index=index, offline=True if offline else None)
    info(f"chatting about {asker.scope.professor.name if asker.scope.professor else professor}")
    sys.exit(chat_loop(ChatSession(asker), input, click.echo))
