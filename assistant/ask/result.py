"""What callers get from `ask`: the checked answer (`AskResult`), and the events of an answer being made — its
text in chunks as it is made, then one `Done` with what was appended after them and the result. `answer_of` is
the one way to consume them (the CLI, the chat loop and the web app all do)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assistant.ask.question import Kind
from assistant.ask.retrieve import Source
from assistant.types import AskAnswer


@dataclass
class AskResult:
    answer: AskAnswer
    sources: list[Source]  # everything retrieved, with markers
    kind: Kind = "topic"
    cut: str | None = None  # a streamed answer that stopped short: why, in plain words

    @property
    def cited(self) -> list[Source]:
        by_marker = {s.marker: s for s in self.sources}
        return [by_marker[c.marker] for c in self.answer.citations if c.marker in by_marker]

    def to_json(self) -> dict[str, Any]:
        from assistant.export import report_json

        return {
            "answer": self.answer.answer,
            "supported": self.answer.supported,
            "citations": [c.model_dump(include={"marker", "paper_id", "title"}) for c in self.answer.citations],
            "guardrails": report_json(self.answer.guardrails),
        }


@dataclass(frozen=True)
class Chunk:
    """A piece of the answer's text, already checked for markers: it is shown as it comes."""

    text: str


@dataclass(frozen=True)
class Done:
    """The last event: the text appended after the chunks (the closest papers, when the answer cited none), the
    checked result, and how the answer ended. The chunks and `appended` join to exactly `result.answer.answer`."""

    appended: str
    result: AskResult
    finish: str = "stop"  # see Drafted.finish


AskEvent = Chunk | Done


def answer_of(events: Iterable[AskEvent], on_text: Callable[[str], None] | None = None) -> Done:
    """Consume an answer's events: each piece of its text goes to `on_text` as it comes (the chunks, then what was
    appended), and the final event is returned."""
    for event in events:
        text = event.text if isinstance(event, Chunk) else event.appended
        if text and on_text:
            on_text(text)
        if isinstance(event, Done):
            return event
    raise RuntimeError("the answer's events ended without a result")
