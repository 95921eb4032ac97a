"""Four ways to ask an endpoint for JSON (instructor's modes), best first: what each sends, and how the JSON is read
back out of the reply and validated.

- `json_schema`: `response_format` json_schema, strict (OpenAI, vLLM, LM Studio, Ollama, llama.cpp's llama-server);
- `json_object`: `response_format` json_object with a `schema` (llama-cpp-python decodes with it as a grammar), and
  the schema in the prompt too, for servers that take json_object but ignore the schema;
- `tools`: one forced function call whose parameters are the schema;
- `text`: the schema in the prompt, the JSON cut out of whatever comes back (prose, code fences).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.llm.client import Messages, Reply
from assistant.templating import render

Mode = Literal["json_schema", "json_object", "tools", "text"]
LADDER: tuple[Mode, ...] = ("json_schema", "json_object", "tools", "text")
T = TypeVar("T", bound=BaseModel)
MAX_OPENINGS = 50  # `{` positions tried when the JSON is buried in prose


@dataclass(frozen=True)
class Schema:
    name: str
    json: dict[str, Any]  # OpenAI's strict form: every field required, no extra properties
    description: str


@lru_cache(maxsize=32)
def schema_of(model: type[BaseModel]) -> Schema:
    """Built once per model: given the class, the OpenAI SDK would rebuild the strict schema on every call (half the
    client's CPU per call, and CPU under the GIL is a batch's bottleneck)."""
    import openai

    function = openai.pydantic_function_tool(model)["function"]
    return Schema(function["name"], dict(function.get("parameters", {})), function.get("description", ""))


def request(mode: Mode, messages: Messages, schema: Schema) -> dict[str, Any]:
    """The parts of a chat-completion request that ask for `schema` in `mode`."""
    if mode == "json_schema":
        spec = {"name": schema.name, "schema": schema.json, "strict": True}
        return {"messages": messages, "response_format": {"type": "json_schema", "json_schema": spec}}
    if mode == "tools":
        function = {"name": schema.name, "description": schema.description, "parameters": schema.json}
        return {
            "messages": messages,
            "tools": [{"type": "function", "function": function}],
            "tool_choice": {"type": "function", "function": {"name": schema.name}},
        }
    shown = _with_schema_instruction(messages, schema)
    if mode == "json_object":
        return {"messages": shown, "response_format": {"type": "json_object", "schema": schema.json}}
    return {"messages": shown}


def _with_schema_instruction(messages: Messages, schema: Schema) -> Messages:
    """The schema, as an instruction closing the last user turn (the turn the model answers)."""
    instruction = render("json_reply", schema=json.dumps(schema.json, separators=(",", ":")))
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=None)
    if last_user is None:
        return [*messages, {"role": "user", "content": instruction}]
    shown = list(messages)
    shown[last_user] = {**shown[last_user], "content": f"{shown[last_user]['content']}\n\n{instruction}"}
    return shown


def reply_text(mode: Mode, reply: Reply) -> str:
    """Where the JSON is: the tool call's arguments in tools mode (some servers answer in the content instead)."""
    if mode == "tools" and reply.tool_arguments:
        return reply.tool_arguments
    return reply.content


class InvalidReply(Exception):
    """A reply that is not the JSON asked for: `problems` go back to the model, `summary` to the user."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = problems


def parse(text: str, model: type[T]) -> T:
    data = extract_json(text)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Where and what, never the input: it may be CV text, and errors are printed.
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(the object)'}: {e['msg']}" for e in exc.errors()]
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors() if e["loc"]})
        summary = f"wrong or missing: {', '.join(fields[:5])}" if fields else "not the expected object"
        raise InvalidReply(summary, problems[:20]) from exc


def extract_json(text: str) -> Any:
    """The JSON object in a reply: all of it, a fenced block, or the first object found in the prose."""
    stripped = text.strip()
    candidates = [stripped, *re.findall(r"```(?:json)?\s*(.*?)```", text, flags=re.DOTALL)]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for opening in list(re.finditer(r"\{", text))[:MAX_OPENINGS]:
        try:
            found, _ = decoder.raw_decode(text, opening.start())
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    why = "the reply was empty" if not stripped else "not valid JSON"
    raise InvalidReply(why, [f"{why}: reply with one JSON object and nothing else"])
