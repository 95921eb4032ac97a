"""Chat follow-ups: "the first one", "its", "[2]" resolve against the papers of earlier answers, offline and in
LLM mode; a new question is answered as one. The labelled conversations are tests/fixtures/ask/followups.json."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import respx

from assistant.ask import Asker, AskReply, ChatSession, Cited, make_scope, paper_sentences, refers_to
from assistant.cli import run
from assistant.index import PaperIndex
from assistant.settings import Settings
from tests.openai_mock import CHAT_URL, ResponseQueue, structured

CASES = json.loads((Path(__file__).parent / "fixtures" / "ask" / "followups.json").read_text(encoding="utf-8"))
MEMORY = "What has he published on memory?"  # offline, Razaviyayn: cites [1] Memory Caching, then [2] ATLAS


def resolve(case: dict[str, Any]) -> list[int] | None:
    cited = Cited(case["previous"], case.get("listed", ()), case.get("known", ()))
    return refers_to(case["question"], cited)


def expected(case: dict[str, Any]) -> list[int] | None:
    return None if case["refers_to"] == "none" else case["refers_to"]


@pytest.mark.parametrize("case", [c for c in CASES["cases"] if c["set"] != "after"], ids=lambda c: c["question"])
def test_labelled_follow_ups_resolve(case: dict[str, Any]) -> None:
    assert resolve(case) == expected(case)


def test_follow_ups_written_after_the_resolver() -> None:
    """The 'after' cases were run once, untuned: 12 of 15 right. The misses, kept as measured, are "the first
    result she published" and "the last paper she published" (her papers overall, read as the previous answer's)
    and "the first or the second" (a bare "the first" before "or" is not read as an ordinal)."""
    after = [c for c in CASES["cases"] if c["set"] == "after"]
    missed = [c["question"] for c in after if resolve(c) != expected(c)]
    assert missed == [
        "What was the first result she published on coresets?",
        "Which is better, the first or the second?",
        "What's the last paper she published?",
    ]
    assert len(after) == 15


def test_nothing_refers_back_in_a_conversation_without_citations() -> None:
    assert refers_to("Tell me more about the first one", Cited(previous=[])) is None


@pytest.fixture
def session(sample_store: Path) -> ChatSession:
    index = PaperIndex(Settings())
    return ChatSession(Asker(index.settings, make_scope(index, "razaviyayn"), index=index))


def test_tell_me_more_about_the_first_one_is_about_that_paper(session: ChatSession) -> None:
    first = session.ask(MEMORY)
    assert [s.marker for s in first.cited] == [1, 2]
    more = session.ask("Tell me more about the first one")
    assert [c.marker for c in more.answer.citations] == [1]
    assert more.answer.answer != first.answer.answer and more.answer.answer.startswith("From [1]:")
    quotes = [line[3:-5] for line in more.answer.answer.splitlines()[1:]]  # - “…” [1]
    assert quotes and all(q in paper_sentences(first.cited[0].paper) for q in quotes)
    assert more.answer.supported and more.answer.guardrails.passed


def test_a_pronoun_refers_to_the_paper_just_discussed(session: ChatSession) -> None:
    session.ask(MEMORY)
    session.ask("What about the second one?")
    limits = session.ask("what about its limitations?")
    assert [c.marker for c in limits.answer.citations] == [2]  # ATLAS, discussed last; not [1]
    assert limits.answer.answer == "The abstract of [2] doesn't cover limitations."
    assert not limits.answer.supported


def test_a_reference_to_no_paper_of_the_conversation_says_so(session: ChatSession) -> None:
    session.ask(MEMORY)
    result = session.ask("Tell me about [9]")
    assert result.answer.answer == "I can't tell which paper you mean: the last answer cited [1] and [2]."
    assert not result.answer.supported


def test_when_was_a_paper_published(session: ChatSession) -> None:
    session.ask(MEMORY)
    assert session.ask("How recent is the second one?").answer.answer == "[2] is from May 2025."


def test_an_ordinal_that_is_no_reference_is_a_new_question(session: ChatSession) -> None:
    session.ask(MEMORY)
    result = session.ask("What is the first step of data selection?")
    assert not result.answer.answer.startswith(("From [", "I can't tell"))
    asker = session.asker
    fresh = Asker(asker.settings, asker.scope, index=asker.index).ask(result.answer.question)
    assert [c.paper_id for c in result.answer.citations] == [c.paper_id for c in fresh.answer.citations]


def test_in_llm_mode_the_model_is_told_which_paper_is_meant(sample_store: Path, llm_settings: Settings) -> None:
    index = PaperIndex(llm_settings)
    session = ChatSession(Asker(llm_settings, make_scope(index, "Mirzasoleiman"), index=index))
    first = AskReply(answer="XMAS selects data [1]; another paper analyses SFT data [2].", supported=True, cited=[1, 2])
    second = AskReply(answer="It studies what defines high-quality SFT data [2].", supported=True, cited=[2])
    with respx.mock:
        queue = ResponseQueue(structured(first), structured(second))
        respx.post(CHAT_URL).mock(side_effect=queue)
        session.ask("What has she published on data selection?")
        session.ask("Tell me more about the second one")
    prompt = queue.requests[1]["messages"][-1]["content"]
    assert "The question refers back to source [2] of an earlier answer" in prompt
    assert '<source n="2"' in prompt
    assert "refers back" not in queue.requests[0]["messages"][-1]["content"]


def test_outreach_chat_answers_tell_me_more_about_the_first_one(
    sample_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{MEMORY}\nTell me more about the first one\n/exit\n"))
    assert run(["chat", "--professor", "razaviyayn"]) == 0
    turn = capsys.readouterr().out.split("you> ")[2]
    assert turn.startswith("From [1]:\n- \u201cTransformers have been established")
    assert turn.rstrip().endswith("References:\n  [1] Memory Caching: RNNs with Growing Memory (ArXiv.org, 2026-02-27)")
