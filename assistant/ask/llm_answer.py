"""The LLM answerer: `prompts/ask.j2` puts the retrieved papers in numbered, delimited data blocks and tells the
model to answer only from them. One structured call (`AskReply`) for `--json`, or the same prompt with a
plain-text output rule streamed through `LLM.stream`, citations to papers that were not retrieved dropped before
they are shown."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.ask.checks import answer_sentences
from assistant.ask.markers import MarkerFilter, strip_invalid_markers
from assistant.ask.question import Kind
from assistant.ask.result import Chunk
from assistant.ask.retrieve import Scope, Source
from assistant.ask.wording import NOT_COVERED, not_covered_text
from assistant.llm import LLM, StreamEnd, Usage
from assistant.templating import render
from assistant.untrusted import usable_abstract, usable_title

HISTORY_TURNS = 6  # chat: earlier turns passed to the model
TEMPLATES = ["ask.j2"]


class AskReply(BaseModel):
    """What the model must return in structured mode."""

    answer: str = Field(description="The answer, citing the numbered sources inline as [n].")
    supported: bool = Field(description="False when the sources do not answer the question.")
    cited: list[int] = Field(default_factory=list, description="The source numbers the answer cites.")


@dataclass
class Drafted:
    """An answer before checks: the text, the answerer's own verdict, and what it cost."""

    text: str
    supported: bool
    dropped: list[int] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    # How the answer ended: "stop" when it is complete, else the stream's end (length, deadline, timeout, error),
    # with `cut` saying why in plain words.
    finish: str = "stop"
    cut: str | None = None


def _source_block(source: Source) -> dict[str, object]:
    return {
        "n": source.marker,
        "professor": source.professor_name,
        "title": usable_title(source.paper) or "(title left out: it reads as an instruction or carries a link)",
        "where": source.where() or "no venue or date",
        "abstract": _defang(usable_abstract(source.paper) or "(no abstract)"),
    }


def _defang(text: str) -> str:
    """Text that imitates our delimiters cannot close a data block."""
    return re.sub(r"<\s*/?\s*(?:sources?|question)\b[^>]*>", "[removed tag]", text, flags=re.IGNORECASE)


def ask_messages(
    question: str,
    sources: Sequence[Source],
    scope: Scope,
    kind: Kind,
    *,
    output: Literal["structured", "text"],
    history: Sequence[tuple[str, str]] = (),
    refers_to: Sequence[Source] = (),
) -> list[tuple[str, str]]:
    """The system rules, the chat's earlier turns, then the sources and the question; `refers_to` names the
    earlier papers a follow-up means ("the first one"), so the model need not guess."""
    variables: dict[str, Any] = {
        "output": output,
        "professor_name": scope.professor.name if scope.professor else "",
        "who": kind == "who",
        "sources": [_source_block(s) for s in sorted(sources, key=lambda s: s.marker)],
        "question": _defang(question),
        "refers_to": [s.marker for s in refers_to],
    }
    messages = [("system", render("ask", part="system", **variables))]
    for asked, answered in history[-HISTORY_TURNS:]:
        messages += [("human", asked), ("ai", answered)]
    messages.append(("human", render("ask", part="human", **variables)))
    return messages


def structured_answer(llm: LLM, messages: list[tuple[str, str]], valid: set[int], question: str) -> Drafted:
    reply, usage = llm.structured(messages, AskReply, what="answering", kind="ask_json")
    text, dropped = strip_invalid_markers(reply.answer.strip(), valid)
    dropped += [n for n in reply.cited if n not in valid and n not in dropped]
    if not reply.supported and not NOT_COVERED.search(text):
        text = f"{not_covered_text(question, [])} {text}".strip()
    return Drafted(text, reply.supported, dropped, usage)


def streamed_answer(llm: LLM, messages: list[tuple[str, str]], valid: set[int]) -> Generator[Chunk, None, Drafted]:
    """Yield the plain-text answer in chunks as it arrives, then return it as drafted. `[n]` to papers not
    retrieved are never yielded, nor white space around the whole answer: the chunks join to the drafted text."""
    flt = MarkerFilter(valid)
    shown: list[str] = []
    streamed = llm.stream(messages, what="answering", kind="ask")
    for piece in _trimmed(_filtered(streamed, flt)):
        shown.append(piece)
        yield Chunk(piece)
    text = "".join(shown)
    first = answer_sentences(text)[:1]
    supported = not (first and NOT_COVERED.search(first[0]))
    end = streamed.end or StreamEnd("error", detail="the answer stream ended early")
    return Drafted(text, supported, flt.dropped, end.usage, end.reason, end.detail if end.cut else None)


def _filtered(chunks: Iterable[str], flt: MarkerFilter) -> Iterator[str]:
    for chunk in chunks:
        yield flt.feed(chunk)
    yield flt.flush()


def _trimmed(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces, empty ones left out, without the white space that begins or ends their whole: white space is
    held back until text follows it."""
    held, started = "", False
    for piece in pieces:
        if not started:
            piece = piece.lstrip()
            started = bool(piece)
        body = piece.rstrip()
        if body:
            yield held + body
            held = piece[len(body) :]
        else:
            held += piece
