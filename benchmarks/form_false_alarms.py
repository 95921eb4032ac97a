"""False alarms of the form check on honest emails: every `form` violation it raises on the faithful emails of
the labelled set's dev split (`benchmarks/guardrails_set/*/dev/`, written by people who never saw the checks)
and on the 74 fixtures of `tests/fixtures/guardrails/` (faithful, and corrupted
for another check: a form violation there is one no corruption planted).

Each email is checked with all of its professor's papers as sources and its CV when it has one, as
`outreach verify --cv` would. Prints each violation (soft or hard) with its span, then the counts. With
`--heldout` it also counts the held-out split's faithful emails, printing numbers only: nobody developing the
checks reads those texts, nor what was flagged in them.

    python benchmarks/form_false_alarms.py [--heldout]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cv import read_cv  # noqa: E402
from assistant.guardrails import GuardrailContext, check_draft, check_text  # noqa: E402
from assistant.guardrails.cases import load_cases  # noqa: E402
from assistant.ids import paper_id  # noqa: E402
from assistant.sources import read_path  # noqa: E402
from assistant.types import EmailDraft, Paper, Professor, Violation  # noqa: E402

SET = ROOT / "benchmarks" / "guardrails_set"
CORPUS = ROOT.parent / "shared" / "data" / "goldstandard" / "corpus" / "professors.jsonl"
FIXTURES = ROOT / "tests" / "fixtures" / "guardrails"


@cache
def gold_professors() -> dict[str, Professor]:
    out = {}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        papers = [
            Paper(id=paper_id(p.get("title"), p.get("abstract")), title=p.get("title"), abstract=p.get("abstract"))
            for p in record["papers"]
            if p.get("title") or p.get("abstract")
        ]
        out[record["id"]] = Professor(id=record["id"], name=record["name"], papers=papers)
    return out


def professor_of(entry: dict[str, str]) -> Professor:
    if entry["source"] == "goldstandard":
        return gold_professors()[entry["participant_id"]]
    return read_path(ROOT / entry["file"]).professors[0]


def set_emails(split: str) -> Iterator[tuple[str, str, GuardrailContext]]:
    for path in sorted(SET.glob(f"*/{split}/*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["label"] != "faithful":
            continue
        prof = professor_of(case["professor"])
        student = read_cv(path.parent.parent / case["cv"]) if case["cv"] else None
        yield case["id"], case["email"], GuardrailContext(professor=prof, sources=prof.papers, student=student)


def fixture_emails(faithful: bool) -> Iterator[tuple[str, EmailDraft, GuardrailContext]]:
    """The fixtures as drafts; the corrupted ones only where form is not the check their corruption is for."""
    for case in load_cases(FIXTURES):
        if case.faithful == faithful and "form" not in case.expected:
            yield case.id, case.draft, case.ctx


def form_violations(email: str | EmailDraft, ctx: GuardrailContext) -> list[Violation]:
    report = check_text(email, ctx) if isinstance(email, str) else check_draft(email, ctx)
    return [v for v in report.violations if v.check == "form"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", action="store_true", help="also count the held-out faithful emails")
    args = parser.parse_args()
    sets: list[tuple[str, Iterable[tuple[str, str | EmailDraft, GuardrailContext]]]] = [
        ("labelled set, dev, faithful", set_emails("dev")),
        ("fixtures, faithful", fixture_emails(True)),
        ("fixtures, corrupted in another check than form", fixture_emails(False)),
    ]
    for label, emails in sets:
        n = flagged = hard = 0
        for case_id, text, ctx in emails:
            n += 1
            found = form_violations(text, ctx)
            flagged += bool(found)
            hard += any(v.severity == "hard" for v in found)
            for v in found:
                print(f"{case_id}: [{v.severity}] {v.message} | {v.span!r}")
        print(f"{label}: {n} emails, {flagged} with a form violation, {hard} with a hard one")
    if args.heldout:
        found = [form_violations(text, ctx) for _, text, ctx in set_emails("heldout")]
        flagged, hard = sum(bool(f) for f in found), sum(any(v.severity == "hard" for v in f) for f in found)
        print(f"labelled set, heldout, faithful: {len(found)} emails, {flagged} with a form violation, {hard} hard")


if __name__ == "__main__":
    main()
