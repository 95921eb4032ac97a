"""From violations to a `GuardrailReport`: one entry per check, in the registry's order, with one dedup rule and
one status rule (passed, failed, skipped by configuration, or unverified: should have run and could not)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistant.guardrails.vocabulary import Severity
from assistant.types import CheckResult, CheckStatus, GuardrailReport, Violation


def hard(check: str, message: str, span: str | None = None, evidence: str | None = None) -> Violation:
    return Violation(check=check, severity="hard", message=message, span=span or None, evidence=evidence)


def soft(check: str, message: str, span: str | None = None, evidence: str | None = None) -> Violation:
    return Violation(check=check, severity="soft", message=message, span=span or None, evidence=evidence)


class Unverified(Exception):
    """A check could not finish (its verifier failed, or left part of the email unjudged). `found`: the
    violations it did establish before that, which still count."""

    def __init__(self, reason: str, found: Sequence[Violation] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.found = list(found)


def check_result(
    name: str,
    nominal: Severity,
    found: Iterable[Violation],
    skipped: str | None = None,
    unverified: str | None = None,
) -> CheckResult:
    """The report entry for one check, from every violation found under its name.

    Two violations of the same check on the same span are one problem: the first (most specific) is kept. A
    failed check is as severe as its worst violation (warnings alone do not make it "hard"); one with none keeps
    its nominal severity. A check that was not run is reported with no violations and the reason ("skipped: …")
    as its note. One that could not finish is "unverified" unless it also found a hard violation (then it failed
    all the same); its note gives the reason either way."""
    kept: dict[tuple[str, str | None], Violation] = {}
    for v in found:
        if v.check == name:
            kept.setdefault((v.severity, v.span or v.message), v)
    unique = list(kept.values())
    severity: Severity = nominal
    if unique:
        severity = "hard" if any(v.severity == "hard" for v in unique) else "soft"
    status: CheckStatus = "failed" if unique else "passed"
    if skipped:
        status = "skipped"
    elif unverified and not (unique and severity == "hard"):
        status = "unverified"
    note = f"skipped: {skipped}" if skipped else f"unverified: {unverified}" if unverified else None
    return CheckResult(check=name, status=status, severity=severity, violations=unique, note=note)


def roll_up(
    found: Sequence[Violation],
    nominal: Mapping[str, Severity],
    skipped: Mapping[str, str] | None = None,
    unverified: Mapping[str, str] | None = None,
) -> GuardrailReport:
    """The report over the checks named in `nominal` (name -> nominal severity, in report order); a violation
    may be reported under another check's name than the one that found it (numbers finds attribution).
    `skipped` and `unverified`: check name -> the reason."""
    skips, fails = skipped or {}, unverified or {}
    return GuardrailReport(checks=[check_result(n, s, found, skips.get(n), fails.get(n)) for n, s in nominal.items()])
