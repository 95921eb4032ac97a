"""One structured call: ask in the endpoint's mode, bounded by max_tokens and the call's deadline.

Two loops, kept apart (instructor's issue #1907 shows what mixing them does): transport retries live in
client.py; here, a reply that fails validation goes back to the model once with what was wrong (counted in
`Usage.reasks`), and a request the endpoint refuses as malformed falls back to the next mode once (remembered only
if that mode then works: a refusal may be about something else, like the prompt's length).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from assistant.llm.client import to_messages, token_cap
from assistant.llm.errors import OFFLINE_HINT, LLMError, LLMLimitError, LLMRefused, LLMReplyError, Usage
from assistant.llm.modes import InvalidReply, parse, reply_text, request, schema_of
from assistant.retry import Deadline, DeadlineExceeded
from assistant.settings import CallKind
from assistant.templating import render

if TYPE_CHECKING:
    from assistant.llm import LLM
    from assistant.llm.probe import Profile

T = TypeVar("T", bound=BaseModel)
MAX_ECHOED_REPLY = 12_000  # characters of a bad reply shown back to the model when re-asking


def structured_call(
    llm: LLM, messages: list[tuple[str, str]], model: type[T], *, what: str, kind: CallKind | None
) -> tuple[T, Usage]:
    settings = llm.settings
    usage = Usage()
    deadline = Deadline(settings.llm_deadline_s)
    call: _Call[T] = _Call(llm, messages, model, what, kind, usage, deadline)
    try:
        profile = llm.profile()
        try:
            return call.in_mode(profile), usage
        except LLMRefused as refused:
            if not refused.request_error:
                raise
            better = llm.fall_back(profile, deadline)
            if better is None:
                raise
            parsed = call.in_mode(better)
            llm.adopt(better)
            return parsed, usage
    except DeadlineExceeded as exc:
        raise call.deadline_error() from exc
    except LLMError as exc:
        exc.usage = usage  # everything this call spent, re-ask and fallback included
        raise


class _Call(Generic[T]):
    def __init__(
        self,
        llm: LLM,
        messages: list[tuple[str, str]],
        model: type[T],
        what: str,
        kind: CallKind | None,
        usage: Usage,
        deadline: Deadline,
    ) -> None:
        self.llm, self.messages, self.model, self.what = llm, messages, model, what
        self.usage, self.deadline = usage, deadline
        self.max_tokens, self.cap_name = llm.settings.max_tokens(kind)

    def in_mode(self, profile: Profile) -> T:
        """The reply in `profile.mode`, validated; one re-ask with the validation errors if it does not parse."""
        self.usage.mode = profile.mode
        conversation = list(self.messages)
        for reask in (False, True):
            text = self._ask(profile, conversation)
            try:
                return parse(text, self.model)
            except InvalidReply as bad:
                if reask:
                    raise self._invalid(bad) from bad
                self.usage.reasks += 1
                echoed = text[:MAX_ECHOED_REPLY] or "(empty)"
                conversation = [*self.messages, ("ai", echoed), ("human", render("json_reask", problems=bad.problems))]
        raise AssertionError("unreachable")

    def _ask(self, profile: Profile, conversation: list[tuple[str, str]]) -> str:
        settings = self.llm.settings
        body = {
            "model": settings.llm_model,
            "temperature": settings.llm_temperature,
            **token_cap(settings, self.max_tokens),
            **request(profile.mode, to_messages(conversation, fold_system=profile.fold_system), schema_of(self.model)),
        }
        reply = self.llm.connection.complete(body, deadline=self.deadline, what=self.what)
        self.usage.add(reply.usage)
        if reply.finish_reason == "length":
            raise LLMLimitError(
                f"the model's reply ({self.what}) reached {self.cap_name}={self.max_tokens} tokens before it was "
                "complete",
                limit="length",
                hint=f"raise {self.cap_name}, or use a model that keeps to the format; {OFFLINE_HINT}",
            )
        if reply.refusal:  # asking again with the schema's errors would not change the model's mind
            raise LLMReplyError(
                f"the model declined ({self.what}): refusal: {' '.join(reply.refusal.split())[:200]}",
                usage=self.usage,
                hint=OFFLINE_HINT,
            )
        return reply_text(profile.mode, reply)

    def _invalid(self, bad: InvalidReply) -> LLMReplyError:
        return LLMReplyError(
            f"the model's reply did not match the expected {self.model.__name__} shape ({bad.summary}), even after "
            "it was shown what was wrong",
            hint=f"a small model may not follow the format: try a larger one, or {OFFLINE_HINT}",
        )

    def deadline_error(self) -> LLMLimitError:
        seconds = self.llm.settings.llm_deadline_s
        return LLMLimitError(
            f"the LLM call ({self.what}) did not finish within OUTREACH_LLM_DEADLINE={seconds:g} s",
            limit="deadline",
            usage=self.usage,
            hint=f"a slow local model may need a larger OUTREACH_LLM_DEADLINE; {OFFLINE_HINT}",
        )
