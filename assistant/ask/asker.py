"""Answering one question within a scope: retrieval, the LLM or the offline answerer, then the checks. A chat
passes a `Conversation` from turn to turn, which keeps markers stable and lets follow-ups refer back."""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Literal

from assistant.ask.checks import check_answer, dropped_marker_violations, uncited_violation
from assistant.ask.extractive import SentenceScorer, offline_answer
from assistant.ask.followup import Cited, refers_to
from assistant.ask.followup_answer import followup_answer
from assistant.ask.llm_answer import TEMPLATES, Drafted, ask_messages, streamed_answer, structured_answer
from assistant.ask.markers import markers_in
from assistant.ask.question import METHODOLOGY_QUERY, Kind, question_kind
from assistant.ask.result import AskEvent, AskResult, Chunk, Done, answer_of
from assistant.ask.retrieve import MarkerRegistry, Scope, Source, make_scope, retrieve
from assistant.ask.wording import closest_text, not_covered_text
from assistant.guardrails.verifier import SupportVerifier, support_verifier, verifier_llm
from assistant.index import PaperIndex
from assistant.llm import LLM
from assistant.settings import Settings
from assistant.types import AskAnswer, AskCitation, GuardrailReport, Provenance


@dataclass
class Conversation:
    """A chat's memory: stable markers, and each turn's question and result."""

    registry: MarkerRegistry = field(default_factory=MarkerRegistry)
    turns: list[tuple[str, AskResult]] = field(default_factory=list)

    @property
    def last(self) -> AskResult | None:
        return self.turns[-1][1] if self.turns else None

    def history(self) -> list[tuple[str, str]]:
        return [(q, r.answer.answer) for q, r in self.turns]

    def referred(self, question: str) -> list[Source] | None:
        """The papers of earlier answers the question refers back to ("the first one", "its", "[2]"); [] when it
        names one the conversation has not cited; None for a new question."""
        answers = [r.cited for _, r in self.turns]
        if not answers:
            return None
        cited = Cited(
            previous=[s.marker for s in answers[-1]],
            listed=next(([s.marker for s in a] for a in reversed(answers) if len(a) > 1), []),
            known=[s.marker for a in answers for s in a],
        )
        markers = refers_to(question, cited)
        if markers is None:
            return None
        by_marker = {s.marker: s for a in answers for s in a}
        return [by_marker[m] for m in markers]


class Asker:
    """Answers questions within one scope: `ask` answers in one go, `stream` as events while the answer is made.
    A chat passes the same Conversation to every call."""

    def __init__(
        self,
        settings: Settings,
        scope: Scope,
        *,
        k: int = 5,
        index: PaperIndex | None = None,
        llm: LLM | None = None,
        offline: bool | None = None,
    ) -> None:
        self.settings = settings
        self.scope = scope
        self.k = k
        self.index = index or PaperIndex(settings)
        self.use_llm = settings.mode(offline) == "llm"
        self.llm = llm or (LLM(settings) if self.use_llm else None)
        self.verify_llm = verifier_llm(settings) if self.use_llm else None  # built lazily: no call unless used
        self._scorer: SentenceScorer | None = None

    @property
    def scorer(self) -> SentenceScorer:
        if self._scorer is None:
            self._scorer = SentenceScorer(self.index)
        return self._scorer

    def ask(self, question: str, *, conversation: Conversation | None = None) -> AskResult:
        """Answer one question in one go (in LLM mode, one structured call)."""
        return answer_of(self._events(question, conversation or Conversation(), streamed=False)).result

    def stream(self, question: str, *, conversation: Conversation | None = None) -> Iterator[AskEvent]:
        """Answer one question as events: its text in chunks as it is made (streamed from the model in LLM mode,
        in one chunk offline), then one `Done`."""
        return self._events(question, conversation or Conversation(), streamed=True)

    def _events(self, question: str, conv: Conversation, *, streamed: bool) -> Iterator[AskEvent]:
        kind = question_kind(question, self.scope.across_professors)
        previous = conv.last.cited if conv.last else []
        meant = conv.referred(question)
        if not self.use_llm and meant is not None:
            kind, sources = "topic", meant or previous
            drafted = Drafted(*followup_answer(question, meant, previous, self.scorer))
            yield Chunk(drafted.text)
        else:
            sources = self._sources(question, kind, conv, [*previous, *(meant or [])])
            drafted = yield from self._draft(question, kind, sources, conv, meant or [], streamed=streamed)
        result = self._finish(question, kind, sources, drafted)
        conv.turns.append((question, result))
        yield Done(result.answer.answer[len(drafted.text) :], result, drafted.finish)

    def _sources(self, question: str, kind: Kind, conv: Conversation, earlier: list[Source]) -> list[Source]:
        query = f"{question} {METHODOLOGY_QUERY}" if kind == "methodology" else question
        per_professor = math.ceil(self.k / 2) if kind == "who" else None
        found = retrieve(self.index, query, self.scope, self.k, conv.registry, per_professor=per_professor)
        if not self.use_llm:
            return found
        # The model resolves follow-ups itself; it needs the earlier answers' papers it may refer to, under their
        # markers: those the last answer cited, and those the question names.
        kept = list({s.marker: s for s in earlier}.values())
        return [*kept, *(s for s in found if s.marker not in {k.marker for k in kept})]

    def _draft(
        self,
        question: str,
        kind: Kind,
        sources: list[Source],
        conv: Conversation,
        meant: list[Source],
        *,
        streamed: bool,
    ) -> Generator[Chunk, None, Drafted]:
        """The answer before checks; its text is yielded in chunks as it is made."""
        valid = {s.marker for s in sources}
        if not sources:
            drafted = Drafted(not_covered_text(question, []), False)
        elif self.use_llm:
            assert self.llm is not None
            output: Literal["structured", "text"] = "text" if streamed else "structured"
            messages = ask_messages(
                question, sources, self.scope, kind, output=output, history=conv.history(), refers_to=meant
            )
            if streamed:
                return (yield from streamed_answer(self.llm, messages, valid))
            drafted = structured_answer(self.llm, messages, valid, question)
        else:
            drafted = Drafted(*offline_answer(question, sources, self.scorer, kind))
        yield Chunk(drafted.text)
        return drafted

    def _finish(self, question: str, kind: Kind, sources: list[Source], drafted: Drafted) -> AskResult:
        """The checked answer: an answer that cites nothing points to the closest papers."""
        text = drafted.text
        extra = dropped_marker_violations(drafted.dropped, sources)
        by_marker = {s.marker: s for s in sources}
        cited = [by_marker[m] for m in markers_in(text) if m in by_marker]
        supported = drafted.supported and bool(cited)
        if not cited and sources:
            if drafted.supported and self.use_llm:
                extra.append(uncited_violation())
            if drafted.cut is None:  # a cut answer ends where it was cut: nothing is glued onto it
                text = f"{text} {closest_text(sources)}".strip()
                cited = [by_marker[m] for m in markers_in(text) if m in by_marker]
        verifier = support_verifier(self.settings, offline=not self.use_llm, llm=self.verify_llm)
        report = check_answer(text, sources, question, extra, supported=supported, verifier=verifier)
        record = self._answer_record(question, text, supported, cited, report, sources, drafted, verifier)
        return AskResult(record, sources, kind, cut=drafted.cut)

    def _answer_record(
        self,
        question: str,
        text: str,
        supported: bool,
        cited: list[Source],
        report: GuardrailReport,
        sources: list[Source],
        drafted: Drafted,
        verifier: SupportVerifier,
    ) -> AskAnswer:
        provenance = Provenance(
            mode="llm" if self.use_llm else "offline",
            model=self.settings.llm_model if self.use_llm else None,
            templates=(TEMPLATES if self.use_llm else []) + verifier.templates,
            settings_hash=self.settings.fingerprint(),
            grounded_on=[s.paper.id for s in sources],
            prompt_tokens=drafted.usage.prompt_tokens,
            completion_tokens=drafted.usage.completion_tokens,
            verify_prompt_tokens=verifier.usage.prompt_tokens,
            verify_completion_tokens=verifier.usage.completion_tokens,
        )
        citations = [
            AskCitation(marker=s.marker, paper_id=s.paper.id, title=s.paper.title, professor_id=s.professor_id)
            for s in cited
        ]
        return AskAnswer(
            question=question,
            answer=text,
            supported=supported,
            citations=citations,
            guardrails=report,
            provenance=provenance,
        )


def ask_question(
    question: str,
    settings: Settings,
    *,
    professor: str | None = None,
    collection: str | None = None,
    k: int = 5,
    offline: bool | None = None,
    index: PaperIndex | None = None,
    llm: LLM | None = None,
) -> AskResult:
    """One question, answered in one go from the indexed papers of a professor, a collection, or every professor."""
    index = index or PaperIndex(settings)
    scope = make_scope(index, professor, collection)
    return Asker(settings, scope, k=k, index=index, llm=llm, offline=offline).ask(question)
