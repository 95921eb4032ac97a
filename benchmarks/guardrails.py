"""Guardrail benchmark on emails nobody here wrote: `benchmarks/guardrails_set/` (777 labelled emails by fifteen
helper sessions that never saw the checker; its README says who wrote them and how).

Each email is checked exactly as `outreach verify --professor P --cv CV email.txt` checks it: the professor
resolved in a store, the CV read with `assistant.cv.read_cv`, the context from `assistant.draft.guardrail_context`
(the function the CLI calls), then `check_text`. The store is what a user gets from
`outreach ingest professors.jsonl` plus the two sample professors as `outreach demo` ingests them: every
researcher of the gold-standard corpus, so another researcher's paper that an email credits to its addressee is
in it. It is built once and kept under `benchmarks/out/` (rebuilt when an input changes).

Printed for `dev` and `heldout` separately (held-out emails only ever as aggregates):
- per fabrication class, **caught on its span**: a hard violation whose span overlaps the labelled span or lies
  in a sentence that contains part of it. The labelled span is the shortest text carrying the error, and a
  checker may rightly point at its neighbour (the dataset beside a swapped figure, the whole claim); a hard
  violation elsewhere in the email blocks it for the wrong reason, so it does not count;
- false positives: faithful emails with any hard violation, and per check the faithful emails it fired on;
- soft warnings per faithful email, and hard violations in fabricated emails outside the labelled sentence;
- false positives by rule (`rule_of`: the wording of the message, with nothing of the email in it), and how many
  hard violations quote the passage they were checked against (`Violation.evidence`);
- the `support` check's own catches and false positives, when the build has it and it ran;
- `check_text` time on the dev faithful email closest to 300 words (median of `--runs`, wall and CPU);
- the old 74 fixtures (`tests/fixtures/guardrails/`), now a regression set, in one line;
- one JSON line with all of it (`--json-out FILE` also writes it to a file).

    python benchmarks/guardrails.py [-v] [--runs 100] [--store DIR] [--json-out FILE] [--writers a,b,c,d]
                                    [--dev-only] [--as-warnings numbers,student_claims]

`-v` prints every dev email's violations to stderr (never a held-out one). `--as-warnings` reads those checks'
hard violations as warnings: one point of the trade between catches and false alarms, said so in the header and in
the JSON (`as_warnings`). Exit 1 when a target is missed: non-semantic classes caught on their span >= 97% and
false positives <= 3%, on each split.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.cv import read_cv  # noqa: E402
from assistant.draft import guardrail_context  # noqa: E402
from assistant.guardrails import GuardrailContext, check_text  # noqa: E402
from assistant.guardrails.cases import evaluate, load_cases  # noqa: E402
from assistant.guardrails.checks import REGISTRY  # noqa: E402
from assistant.guardrails.quantities import quantities  # noqa: E402
from assistant.index import PaperIndex  # noqa: E402
from assistant.ingest import ingest_files  # noqa: E402
from assistant.settings import Settings, get_settings  # noqa: E402
from assistant.text import sentence_spans  # noqa: E402
from assistant.types import GuardrailReport, StudentProfile, Violation  # noqa: E402

SET_DIR = ROOT / "benchmarks" / "guardrails_set"
CORPUS = ROOT.parent / "shared" / "data" / "goldstandard" / "corpus" / "professors.jsonl"
EXAMPLES = ROOT / "examples"
DEFAULT_STORE = ROOT / "benchmarks" / "out" / "guardrails-store"
FIXTURES = ROOT / "tests" / "fixtures" / "guardrails"
SPLITS = ("dev", "heldout")
SEMANTIC = frozenset({"finding_reversed", "finding_overstated"})  # what the LLM support check is for
TARGET_CAUGHT = 0.97
TARGET_FALSE_POSITIVES = 0.03
TIMING_WORDS = 300


@dataclass(frozen=True)
class Item:
    id: str
    writer: str
    split: str
    professor: str
    cv: Path | None
    text: str
    cls: str | None  # None: faithful
    span: str | None


def load_items(set_dir: Path = SET_DIR) -> list[Item]:
    items = []
    for path in sorted(set_dir.glob("*/*/*.json")):
        split = path.parent.name
        if split not in SPLITS:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        cv = path.parent.parent / data["cv"] if data.get("cv") else None
        faithful = data["label"] == "faithful"
        cls, span = (None, None) if faithful else (data["class"], data["span"])
        writer = path.parent.parent.name
        items.append(Item(data["id"], writer, split, data["professor"]["name"], cv, data["email"], cls, span))
    return items


# ---------------------------------------------------------------- the store


def _ingest_all(settings: Settings) -> None:
    """What a user would run: the corpus, then the sample professors as `outreach demo` ingests them."""
    index = PaperIndex(settings)
    ingest_files([CORPUS], settings, fmt="jsonl", index=index)
    ingest_files([EXAMPLES / "profile_mirzasoleiman.txt", EXAMPLES / "profile_razaviyayn.txt"], settings, index=index)
    ingest_files([EXAMPLES / "abstracts_mirzasoleiman.txt"], settings, professor="Baharan Mirzasoleiman", index=index)


def _inputs_stamp() -> str:
    inputs = [CORPUS, *(EXAMPLES / n for n in ("profile_mirzasoleiman.txt", "profile_razaviyayn.txt"))]
    inputs.append(EXAMPLES / "abstracts_mirzasoleiman.txt")
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def open_store(store: Path) -> PaperIndex:
    """The benchmark store, built when missing or when an input changed."""
    stamp_file = store / "benchmark-inputs.sha256"
    stamp = _inputs_stamp()
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        shutil.rmtree(store, ignore_errors=True)
        store.mkdir(parents=True)
        print(f"building the benchmark store in {store} (once; a few minutes)...", file=sys.stderr)
        _ingest_all(get_settings(store))
        stamp_file.write_text(stamp)
    return PaperIndex(get_settings(store))


# ---------------------------------------------------------------- scoring


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets, line by line (a line break always ends a sentence in an email)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out += [(a, b) for a, b in sentence_spans(text, pos, pos + len(line)) if text[a:b].strip()]
        pos += len(line) + 1
    return out


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    found, at = [], text.find(needle)
    while needle and at >= 0:
        found.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return found


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def on_span(item: Item, v: Violation) -> bool:
    """The violation points at the labelled span: it overlaps it, or lies in a sentence that holds part of it."""
    if not item.span or not v.span:
        return False
    start = item.text.find(item.span)
    label = (start, start + len(item.span))
    region = [s for s in _sentences(item.text) if _overlaps(s, label)] or [label]
    return any(_overlaps(o, label) or any(_overlaps(o, s) for s in region) for o in _occurrences(item.text, v.span))


_QUOTED_RE = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|\([^)]*\)")  # an apostrophe quotes nothing
RULE_WORDS = 16


def rule_of(v: Violation, professor: str) -> str:
    """Which rule of its check a violation comes from, as its message's wording says, with what is particular to
    the email taken out (quoted spans, figures, the professor's name): "numbers: The number Q is stated about
    <professor>'s work but appears nowhere in their titles…". Held-out false alarms are reported this way so
    that their causes can be counted without anyone reading the emails."""
    text = _QUOTED_RE.sub("Q", v.message.replace(professor, "<professor>"))
    for q in reversed(quantities(text)):  # the package's own reading of figures, spelled ones included
        text = text[: q.start] + "Q" + text[q.end :]
    return f"{v.check}: " + " ".join(text.split()[:RULE_WORDS])


@dataclass
class Tally:
    faithful: int = 0
    false_positives: int = 0
    fp_by_check: Counter[str] = field(default_factory=Counter)
    # Faithful emails by the rule (`rule_of`) that blocked them.
    fp_by_rule: Counter[str] = field(default_factory=Counter)
    # Hard violations, and those quoting the passage they were checked against, by (faithful?, check).
    hard_by_check: Counter[tuple[bool, str]] = field(default_factory=Counter)
    with_evidence: Counter[tuple[bool, str]] = field(default_factory=Counter)
    soft_on_faithful: int = 0
    per_class: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # [caught, n]
    caught_by_check: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    blocked_elsewhere: int = 0  # fabricated, blocked, but not on the labelled span
    stray_by_check: Counter[str] = field(default_factory=Counter)  # hard violations outside the labelled sentence
    checks_run: Counter[str] = field(default_factory=Counter)  # emails on which each check ran (not skipped)

    def add(self, item: Item, report: GuardrailReport) -> bool:
        """Score one email; True when it is a faithful pass or a fabrication caught on its span."""
        self.checks_run.update(c.check for c in report.checks if not (c.note or "").startswith("skipped"))
        hard = [v for v in report.violations if v.severity == "hard"]
        self.hard_by_check.update((item.cls is None, v.check) for v in hard)
        self.with_evidence.update((item.cls is None, v.check) for v in hard if v.evidence)
        if item.cls is None:
            self.faithful += 1
            self.soft_on_faithful += sum(v.severity == "soft" for v in report.violations)
            self.fp_by_check.update({v.check for v in hard})
            self.fp_by_rule.update({rule_of(v, item.professor) for v in hard})
            self.false_positives += bool(hard)
            return not hard
        hits = [v for v in hard if on_span(item, v)]
        self.per_class[item.cls][1] += 1
        self.per_class[item.cls][0] += bool(hits)
        self.caught_by_check[item.cls].update({v.check for v in hits})
        self.blocked_elsewhere += bool(hard) and not hits
        self.stray_by_check.update(v.check for v in hard if v not in hits)
        return bool(hits)

    def caught(self, classes: set[str] | frozenset[str]) -> tuple[int, int]:
        rows = [v for c, v in self.per_class.items() if c in classes]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)

    @property
    def hard_classes(self) -> set[str]:
        return set(self.per_class) - SEMANTIC

    @property
    def fp_rate(self) -> float:
        return self.false_positives / self.faithful if self.faithful else 0.0

    def meets_targets(self) -> bool:
        each = all(c / n >= TARGET_CAUGHT for c, n in (self.per_class[k] for k in self.hard_classes) if n)
        return each and self.fp_rate <= TARGET_FALSE_POSITIVES

    def summary(self) -> dict[str, object]:
        hard_caught, hard_n = self.caught(self.hard_classes)
        sem_caught, sem_n = self.caught(SEMANTIC)
        return {
            "faithful": self.faithful,
            "false_positives": self.false_positives,
            "false_positive_rate": round(self.fp_rate, 4),
            "false_positives_by_check": dict(sorted(self.fp_by_check.items())),
            "false_positives_by_rule": dict(self.fp_by_rule.most_common()),
            "hard_violations_with_evidence": {
                f"{'faithful' if faithful else 'fabricated'} {check}": [self.with_evidence[(faithful, check)], n]
                for (faithful, check), n in sorted(self.hard_by_check.items())
            },
            "soft_warnings_per_faithful_email": round(self.soft_on_faithful / self.faithful, 2) if self.faithful else 0,
            "caught_on_span": {c: v for c, v in sorted(self.per_class.items())},
            "hard_classes_caught": [hard_caught, hard_n],
            "semantic_classes_caught": [sem_caught, sem_n],
            "fabricated_blocked_elsewhere": self.blocked_elsewhere,
            "hard_violations_outside_span_by_check": dict(sorted(self.stray_by_check.items())),
            "support": self.support_summary(),
            "meets_targets": self.meets_targets(),
        }

    def support_summary(self) -> dict[str, object] | None:
        """The LLM support check's own figures, when it ran on any email of the split."""
        if not self.checks_run.get("support"):
            return None
        by_class = {c: [n["support"], self.per_class[c][1]] for c, n in sorted(self.caught_by_check.items())}
        runs, fps = self.checks_run["support"], self.fp_by_check["support"]
        return {"ran_on": runs, "false_positives": fps, "caught": by_class}


# ---------------------------------------------------------------- running


class Runner:
    """Checks emails as `outreach verify` does, reading each CV once."""

    def __init__(self, index: PaperIndex) -> None:
        self.index = index
        self._cvs: dict[Path, StudentProfile] = {}

    def student(self, path: Path | None) -> StudentProfile | None:
        if path is None:
            return None
        if path not in self._cvs:
            self._cvs[path] = read_cv(path)
        return self._cvs[path]

    def context(self, item: Item) -> GuardrailContext:
        prof = self.index.catalog.resolve(item.professor, kind="professor")
        return guardrail_context(prof, prof.papers, self.student(item.cv), self.index, self.index.settings)

    def check(self, item: Item) -> GuardrailReport:
        return check_text(item.text, self.context(item))


def explain(item: Item, report: GuardrailReport, ok: bool) -> None:
    label = "faithful" if item.cls is None else f"{item.cls} span={item.span!r}"
    verdict = "ok" if ok else ("FALSE POSITIVE" if item.cls is None else "MISSED")
    print(f"--- {item.id} [{item.professor}] {label}: {verdict}", file=sys.stderr)
    for v in report.violations:
        where = " (on span)" if item.cls and v.severity == "hard" and on_span(item, v) else ""
        print(f"    [{v.check}/{v.severity}]{where} {v.span!r}: {v.message}", file=sys.stderr)


def time_check_text(runner: Runner, items: list[Item], runs: int) -> dict[str, object]:
    faithful = [i for i in items if i.split == "dev" and i.cls is None]
    item = min(faithful, key=lambda i: (abs(len(i.text.split()) - TIMING_WORDS), i.id))
    ctx, text = runner.context(item), item.text
    for _ in range(5):  # warm the caches `verify` builds once per process
        check_text(text, ctx)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        check_text(text, ctx)
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    return {
        "email": item.id,
        "words": len(text.split()),
        "runs": runs,
        "wall_ms_median": round(1000 * statistics.median(wall), 2),
        "cpu_ms_median": round(1000 * statistics.median(cpu), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


# ---------------------------------------------------------------- printing


def _cell(caught: int, n: int) -> str:
    return f"{caught}/{n} {caught / n:>4.0%}" if n else "-"


def render(tallies: dict[str, Tally]) -> str:
    dev, held = tallies["dev"], tallies["heldout"]
    classes = sorted(set(dev.per_class) | set(held.per_class), key=lambda c: (c in SEMANTIC, c))
    lines = ["caught on the labelled span (a hard violation overlapping it or in its sentence)", ""]
    lines.append(f"{'class':<26}{'dev':>12}{'held-out':>12}   dev: checks that caught it")
    for c in classes:
        by = ", ".join(f"{k} {n}" for k, n in dev.caught_by_check[c].most_common())
        mark = "  (semantic)" if c in SEMANTIC else ""
        lines.append(f"{c:<26}{_cell(*dev.per_class[c]):>12}{_cell(*held.per_class[c]):>12}   {by}{mark}")
    for name, group in (("all but semantic", None), ("semantic", SEMANTIC)):
        d = dev.caught(group or dev.hard_classes)
        h = held.caught(group or held.hard_classes)
        lines.append(f"{name:<26}{_cell(*d):>12}{_cell(*h):>12}")
    lines.append("")
    lines.append(
        f"false positives on faithful emails: dev {_cell(dev.false_positives, dev.faithful)}, "
        f"held-out {_cell(held.false_positives, held.faithful)} (target <= {TARGET_FALSE_POSITIVES:.0%})"
    )
    checks = sorted(set(dev.fp_by_check) | set(held.fp_by_check))
    lines += [f"  {c:<22}dev {dev.fp_by_check[c]:>3}   held-out {held.fp_by_check[c]:>3}" for c in checks]
    for name, t in (("dev", dev), ("held-out", held)):
        quoted = ", ".join(
            f"{check} {t.with_evidence[(f, check)]}/{n} on {'faithful' if f else 'fabricated'}"
            for (f, check), n in sorted(t.hard_by_check.items())
            if t.with_evidence[(f, check)]
        )
        lines.append(f"{name}: hard violations quoting the passage they were checked against: {quoted or 'none'}")
        if t.fp_by_rule:
            lines.append(f"{name} false positives by rule (emails; from the messages' wording, no email text):")
            lines += [f"  {n:>3}  {rule}" for rule, n in t.fp_by_rule.most_common()]
    for name, t in (("dev", dev), ("held-out", held)):
        per = t.soft_on_faithful / t.faithful if t.faithful else 0
        stray = ", ".join(f"{c} {n}" for c, n in t.stray_by_check.most_common()) or "none"
        lines.append(
            f"{name}: {per:.2f} soft warnings per faithful email; fabricated emails blocked only elsewhere: "
            f"{t.blocked_elsewhere}; hard violations outside the labelled sentence: {stray}"
        )
    for name, t in (("dev", dev), ("held-out", held)):
        support = t.support_summary()
        lines.append(f"support check ({name}): " + (json.dumps(support) if support else "did not run"))
    return "\n".join(lines)


def as_warnings(report: GuardrailReport, checks: frozenset[str]) -> GuardrailReport:
    """The report with the hard violations of `checks` read as warnings: one operating point of the trade between
    catches and false alarms (by the check a violation names, which may not be the one that found it)."""
    if not checks:
        return report
    entries = []
    for c in report.checks:
        found = [v.model_copy(update={"severity": "soft"}) if v.check in checks else v for v in c.violations]
        entries.append(c.model_copy(update={"violations": found}))
    return report.model_copy(update={"checks": entries})


def regression_line() -> str:
    results = evaluate(load_cases(FIXTURES))
    return (
        f"regression fixtures ({FIXTURES.relative_to(ROOT)}): hard fabrications caught "
        f"{results.hard_caught}/{results.hard_total}, false positives {results.false_positives}/{results.faithful}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-v", "--verbose", action="store_true", help="every dev email's violations, to stderr")
    parser.add_argument("--runs", type=int, default=100, help="timed check_text runs (median reported)")
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="where the benchmark store is kept")
    parser.add_argument("--json-out", type=Path, help="also write the JSON line to this file")
    parser.add_argument("--dev-only", action="store_true", help="skip the held-out emails (while developing)")
    parser.add_argument("--writers", help="only these writers' emails, e.g. a,b,c,d (default: every writer)")
    parser.add_argument(
        "--as-warnings",
        default="",
        help="read these checks' hard violations as warnings, e.g. numbers,student_claims (what blocking less buys)",
    )
    args = parser.parse_args(argv)
    writers = set(args.writers.split(",")) if args.writers else None
    softened = frozenset(filter(None, args.as_warnings.split(",")))
    if unknown := softened - {c.NAME for c in REGISTRY}:
        parser.error(f"--as-warnings: no such check: {', '.join(sorted(unknown))}")
    every = load_items()
    items = [i for i in every if (i.split == "dev" or not args.dev_only) and (not writers or i.writer in writers)]
    runner = Runner(open_store(args.store))
    tallies = {s: Tally() for s in SPLITS}
    start = time.perf_counter()
    for item in items:
        report = as_warnings(runner.check(item), softened)
        ok = tallies[item.split].add(item, report)
        if args.verbose and item.split == "dev":
            explain(item, report, ok)
    seconds = time.perf_counter() - start
    counts = Counter(i.split for i in items)
    who = ", ".join(sorted({i.writer for i in items}))
    print(
        f"labelled set {SET_DIR.relative_to(ROOT)} (writers {who}): dev {counts['dev']} emails, held-out "
        f"{counts['heldout']} (aggregates only); checked in {seconds:.1f} s"
        + (f"; READ AS WARNINGS: {', '.join(sorted(softened))} (not the checker's figures)" if softened else "")
        + "\n"
    )
    print(render(tallies))
    speed = time_check_text(runner, every, args.runs)  # a dev email even when --writers picks held-out-only ones
    print(
        f"\ncheck_text on {speed['email']} ({speed['words']} words): median {speed['wall_ms_median']} ms wall, "
        f"{speed['cpu_ms_median']} ms CPU over {speed['runs']} runs (load average {speed['load_average_1min']}; "
        "target < 50 ms)"
    )
    print(regression_line())
    result = {s: t.summary() for s, t in tallies.items()} | {"check_text": speed, "seconds": round(seconds, 1)}
    result["as_warnings"] = sorted(softened)
    line = json.dumps(result)
    print(line)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(line + "\n", encoding="utf-8")
    return 0 if all(t.meets_targets() for t in tallies.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
