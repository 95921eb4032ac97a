"""The registry: every check, in the order the report lists them.

A check is a module of this package with a `NAME`, a nominal `SEVERITY` (what a violation of it usually is; a
check may report both), `NEEDS` (what it cannot run without: "cv", "llm") and `run(email, evidence) ->
list[Violation]`; a check that could not finish raises `report.Unverified`. Adding a check is writing its
module and naming it in `REGISTRY`."""

from __future__ import annotations

from typing import Protocol

from assistant.guardrails.checks import (
    affiliation,
    attribution,
    citations,
    copying,
    form,
    injection,
    numbers,
    student_claims,
    support,
    titles,
)
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.verifier import NO_LLM
from assistant.guardrails.vocabulary import Severity
from assistant.types import Violation


class Check(Protocol):
    NAME: str
    SEVERITY: Severity
    NEEDS: frozenset[str]

    def run(self, email: ParsedEmail, ev: Evidence) -> list[Violation]: ...


REGISTRY: tuple[Check, ...] = (
    citations,
    titles,
    numbers,
    attribution,
    affiliation,
    student_claims,
    copying,
    injection,
    form,
    support,
)

# Why a check that needs something could not run, as the report says it.
MISSING: dict[str, str] = {
    "cv": "no CV given, so claims about the student could not be checked",
    "llm": NO_LLM,
}
