"""The terminal side of ask and chat: the reference list printed after an answer, and the chat loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from assistant.ask.asker import Asker, Conversation
from assistant.ask.result import AskEvent, AskResult, answer_of
from assistant.ask.retrieve import Source
from assistant.ask.wording import date_key, month_year
from assistant.errors import OutreachError, error_lines
from assistant.types import Paper

CHAT_HELP = "Ask about their papers; /papers lists them, /exit quits (Ctrl-D works too)."


def reference_line(source: Source) -> str:
    where = source.where() if source.paper.title else ""  # label() already places an untitled paper
    return f"[{source.marker}] {source.paper.label()}" + (f" ({where})" if where else "")


def references_text(result: AskResult) -> str:
    """The numbered reference list (grouped by professor when several are cited), and any guardrail findings."""
    from assistant.export import report_lines

    cited = sorted(result.cited, key=lambda s: s.marker)
    several = len({s.professor_id for s in cited}) > 1
    title = "References:" if result.answer.supported else "Closest papers:"
    lines = [title] if cited else []
    if several:
        for name in dict.fromkeys(s.professor_name for s in cited):
            lines.append(f"  {name}")
            lines += [f"    {reference_line(s)}" for s in cited if s.professor_name == name]
    else:
        lines += [f"  {reference_line(s)}" for s in cited]
    if result.answer.guardrails.violations or not result.answer.guardrails.passed:
        lines += ["", *report_lines(result.answer.guardrails)]
    return "\n".join(lines)


class ChatSession:
    """A conversation about one professor's papers: follow-ups resolve against the previous answer."""

    def __init__(self, asker: Asker) -> None:
        self.asker = asker
        self.conversation = Conversation()

    def ask(self, question: str) -> AskResult:
        return self.asker.ask(question, conversation=self.conversation)

    def stream(self, question: str) -> Iterator[AskEvent]:
        return self.asker.stream(question, conversation=self.conversation)

    def papers(self) -> list[Paper]:
        prof = self.asker.scope.professor
        return list(prof.papers) if prof else []


class Writer(Protocol):
    def __call__(self, text: str, /, *, nl: bool = True) -> None: ...


def chat_loop(session: ChatSession, read: Callable[[str], str], write: Writer) -> int:
    """Read questions until /exit, end of input or Ctrl-C; answers stream as they are made. Returns 0."""
    write(CHAT_HELP)
    try:
        while (line := _read_line(read, write)) is not None:
            command = line.strip()
            if command in ("/exit", "/quit"):
                break
            if command == "/papers":
                write("\n".join(_paper_lines(session)))
            elif command.startswith("/"):
                write(f"unknown command {command}: {CHAT_HELP}")
            elif command:
                _chat_turn(session, command, write)
    except KeyboardInterrupt:
        write("")
    return 0


def _chat_turn(session: ChatSession, question: str, write: Writer) -> None:
    """One question and its answer; a failed turn (the endpoint is down, a limit was hit) is reported and the
    session goes on."""
    try:
        done = answer_of(session.stream(question), lambda text: write(text, nl=False))
    except OutreachError as exc:
        write(error_lines(exc))
        return
    write("")
    if done.result.cut:
        write(f"[answer cut: {done.result.cut}]")
    write(references_text(done.result))


def _read_line(read: Callable[[str], str], write: Writer) -> str | None:
    try:
        return read("you> ")
    except EOFError:
        write("")  # end the prompt's line
        return None


def _paper_lines(session: ChatSession) -> list[str]:
    papers = session.papers()
    if not papers:
        return ["no papers indexed for this professor"]
    return [f"- {p.label()}" + (f" ({month_year(p)})" if date_key(p) else "") for p in papers]
