"""The support check's verifier: the one place the guardrails reach an LLM, and only when a caller passes one in.

One structured call per email (temperature 0, `prompts/verify_support*.j2`) judges every sentence that states
something about the professor's work against the paper it describes; the sentences and abstracts travel as
numbered, delimited data blocks in the human message, never in the instructions. The reply is only an opinion:
`checks/support.py` checks each quote in code. Any failure of the call (timeout, HTTP error, refusal, a reply
that does not parse) raises `Unverified`, so the check is reported as unverified, never as passed.

`OUTREACH_VERIFY_SUPPORT` (auto, off, required) decides what a run gets (`support_verifier`): a `Verifier`, or a
`NoVerifier` saying why not — skipped by configuration, or, under `required`, unverified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import RemoteServiceError
from assistant.guardrails.report import Unverified
from assistant.llm import Usage, usage_of
from assistant.seams import StructuredLLM
from assistant.settings import Settings
from assistant.templating import render
from assistant.types import Paper, SupportItem, SupportReply

if TYPE_CHECKING:
    from assistant.llm import LLM

TEMPLATES = ["verify_support_system.j2", "verify_support.j2"]
NO_LLM = "no LLM configured, so this check could not run"
_TAG_RE = re.compile(r"<\s*/?\s*(?:papers?|sentences?)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """A sentence to verify, the papers it is checked against, and where to report it (an exact span)."""

    text: str
    span: str | None
    papers: tuple[Paper, ...]


class NoVerifier:
    """No verifier call in this run, and why. `required` (OUTREACH_VERIFY_SUPPORT=required): the check still
    runs and is unverified, so nothing is clean without it; otherwise it is skipped with the reason."""

    def __init__(self, reason: str, *, required: bool = False) -> None:
        self.reason = reason
        self.required = required
        self.usage = Usage()

    @property
    def templates(self) -> list[str]:
        return []

    @property
    def skip_reason(self) -> str | None:
        return None if self.required else self.reason

    def judge(self, claims: Sequence[Claim]) -> dict[int, SupportItem]:
        raise Unverified(f"OUTREACH_VERIFY_SUPPORT=required, but {self.reason}")


class Verifier:
    """Judges claims with one structured call; `usage` adds up every call's tokens (one verifier per email, so
    a draft's repair rounds are counted together)."""

    skip_reason: str | None = None

    def __init__(self, llm: StructuredLLM) -> None:
        self.llm = llm  # at temperature 0: see verifier_llm
        self.usage = Usage()
        self.calls = 0

    @property
    def templates(self) -> list[str]:
        """The prompts this verifier used (for provenance): none when nothing was sent."""
        return TEMPLATES if self.calls else []

    def judge(self, claims: Sequence[Claim]) -> dict[int, SupportItem]:
        """Sentence number (1-based, in `claims` order) -> the verifier's item; the first item for a number wins."""
        self.calls += 1
        try:
            reply, usage = self.llm.structured(support_messages(claims), SupportReply, what="verifying claims")
        except RemoteServiceError as exc:  # never BatchCancelled: a stopping batch must stop, not go unverified
            self.usage.add(usage_of(exc))  # a reply that never validated still cost its tokens
            raise Unverified(f"the verifier call failed: {exc}") from exc
        self.usage.add(usage)
        items: dict[int, SupportItem] = {}
        for item in reply.items:
            items.setdefault(item.n, item)
        return items


SupportVerifier = Verifier | NoVerifier


def verifier_llm(settings: Settings) -> LLM:
    """The LLM the verifier calls: the configured endpoint at temperature 0 (a judgement, not a draft)."""
    from assistant.llm import LLM  # httpx and the SDK's machinery: only when a verifier is made

    return LLM(settings.model_copy(update={"llm_temperature": 0.0}))


def support_verifier(settings: Settings, *, offline: bool = False, llm: StructuredLLM | None = None) -> SupportVerifier:
    """What `OUTREACH_VERIFY_SUPPORT` makes of this run: auto verifies when an LLM is configured and the run is
    not offline; off skips; required turns every reason not to verify into an unverified check. `llm`: the
    temperature-0 LLM to call (a batch passes its rate-limited one), else one is made from the settings."""
    if settings.verify_support == "off":
        return NoVerifier("OUTREACH_VERIFY_SUPPORT=off")
    required = settings.verify_support == "required"
    if llm is None and not settings.llm_configured:
        return NoVerifier(NO_LLM, required=required)
    if offline:
        return NoVerifier("this run is offline, so no claim was sent to the LLM verifier", required=required)
    return Verifier(llm or verifier_llm(settings))


def support_messages(claims: Sequence[Claim]) -> list[tuple[str, str]]:
    """The system rules, then the papers and the numbered sentences as data blocks (each paper listed once)."""
    papers = list({p.id: p for c in claims for p in c.papers}.values())
    number = {p.id: f"P{i}" for i, p in enumerate(papers, start=1)}
    paper_blocks = [
        {"id": number[p.id], "title": _defang(p.title or ""), "abstract": _defang(p.abstract or "(no abstract)")}
        for p in papers
    ]
    sentence_blocks = [
        {"n": n, "papers": ", ".join(number[p.id] for p in c.papers), "text": _defang(c.text)}
        for n, c in enumerate(claims, start=1)
    ]
    human = render("verify_support", papers=paper_blocks, sentences=sentence_blocks)
    return [("system", render("verify_support_system")), ("human", human)]


def _defang(text: str) -> str:
    """Data that imitates our delimiters cannot close its block."""
    return _TAG_RE.sub("[removed tag]", " ".join(text.split()))
