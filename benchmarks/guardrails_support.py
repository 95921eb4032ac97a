"""Support-check benchmark on the labelled set `benchmarks/guardrails_set/` (202 emails by four writers who never
saw the checker; its README), dev and held-out reported apart. Every email goes through `check_text` with all
the checks and a verifier, as `outreach verify` does; the sources are the papers its writer used.

1. Mocked verifier (respx, the real HTTP and parsing path): an oracle that knows each email's label answers
   "unsupported" for the sentence holding the labelled span and "supported" with a real quote (the opening of
   the sentence's paper's abstract) for the others. What it shows is the code path: whether the sentences the
   check selects and the papers it pairs them with let a perfect verifier catch each class on its span, and that
   supported verdicts with real quotes make no false "unsupported". Then the same set with the verifier down
   (HTTP 503): no email with a claim may come out clean.
2. `--live URL`: a real OpenAI-compatible endpoint (e.g. `../shared/llm/serve.sh 8799` for Gemma 3 270M), on a
   fixed-seed subset (`--live-per-split`, `--seed`), each call bounded by `--max-tokens` and `--timeout`.

Printed: for faithful emails, how many got a false "unsupported" (a hard support violation) and how many were
left unverified; for each fabricated class, how many the support check caught on the labelled span, how many
any check caught on it (support + the offline checks), and how many were unverified. Held-out emails are read by
the script only: it prints aggregate figures for them, never an id, a span or a sentence (`-v` prints dev only).

    python benchmarks/guardrails_support.py [-v] [--live http://127.0.0.1:8799/v1 --model gemma-3-270m [--live-only]]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.cv import read_cv  # noqa: E402
from assistant.guardrails import GuardrailContext, check_text  # noqa: E402
from assistant.guardrails.verifier import Verifier, verifier_llm  # noqa: E402
from assistant.guardrails.vocabulary import norm  # noqa: E402
from assistant.llm import LLM  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.sources import read_path  # noqa: E402
from assistant.types import GuardrailReport, Paper, Professor  # noqa: E402

SET = ROOT / "benchmarks" / "guardrails_set"
CORPUS = ROOT.parent / "shared" / "data" / "goldstandard" / "corpus" / "professors.jsonl"
SEMANTIC = ("finding_reversed", "finding_overstated")
QUOTE_WORDS = 8
_SENTENCE = re.compile(r'<sentence n="(\d+)" papers="([^"]*)">\n(.*?)\n</sentence>', re.DOTALL)
_PAPER = re.compile(r'<paper id="(P\d+)">\n.*?\nabstract: (.*?)\n</paper>', re.DOTALL)


@dataclass(frozen=True)
class Email:
    id: str
    split: str  # dev | heldout
    text: str
    faithful: bool
    cls: str  # "faithful" or the fabrication class
    span: str | None
    ctx: GuardrailContext


# ---------------------------------------------------------------- the set


@cache
def corpus() -> dict[str, Professor]:
    return {p.external_ids.get("semantic_scholar", p.id): p for p in read_path(CORPUS).professors}


@cache
def sample(file: str) -> Professor:
    return read_path(ROOT / file).professors[0]


def _used(prof: Professor, used: list[str]) -> list[Paper]:
    """The papers the writer used: exact titles, or an untitled paper's first abstract words."""
    found = []
    for ref in used:
        key = norm(ref.rstrip(".… "))
        match = next((p for p in prof.papers if p.title and norm(p.title) == key), None)
        match = match or next((p for p in prof.papers if norm(p.abstract or "").startswith(key)), None)
        if match and match not in found:
            found.append(match)
    return found or list(prof.papers)


def load(path: Path) -> Email:
    data = json.loads(path.read_text(encoding="utf-8"))
    who = data["professor"]
    prof = corpus()[who["participant_id"]] if who["source"] == "goldstandard" else sample(who["file"])
    student = read_cv(path.parent.parent / data["cv"]) if data.get("cv") else None
    ctx = GuardrailContext(professor=prof, sources=_used(prof, data["papers_used"]), student=student)
    faithful = data["label"] == "faithful"
    return Email(
        data["id"],
        path.parent.name,
        data["email"],
        faithful,
        "faithful" if faithful else data["class"],
        data.get("span"),
        ctx,
    )


def load_set() -> list[Email]:
    return [load(p) for split in ("dev", "heldout") for p in sorted(SET.glob(f"*/{split}/*.json"))]


# ---------------------------------------------------------------- scoring


@dataclass
class Outcome:
    email: Email
    report: GuardrailReport
    seconds: float

    @property
    def support(self) -> Any:
        return next(c for c in self.report.checks if c.check == "support")

    def on_span(self, checks: set[str] | None = None) -> bool:
        """A hard violation (of `checks`, or any) whose span holds the labelled span or lies inside it."""
        label = " ".join((self.email.span or "").split())
        for v in self.report.hard_violations:
            span = " ".join((v.span or "").split())
            if span and label and (checks is None or v.check in checks) and (label in span or span in label):
                return True
        return False


def run_all(emails: list[Email], verifier: Callable[[], Verifier], current: list[Email]) -> list[Outcome]:
    outcomes = []
    for e in emails:
        current[:] = [e]
        start = time.perf_counter()
        report = check_text(e.text, e.ctx, verifier())
        outcomes.append(Outcome(e, report, time.perf_counter() - start))
    return outcomes


def table(outcomes: list[Outcome], title: str) -> list[str]:
    lines = [title]
    for split in ("dev", "heldout"):
        rows = [o for o in outcomes if o.email.split == split]
        if not rows:
            continue
        faithful = [o for o in rows if o.email.faithful]
        false = sum(1 for o in faithful if o.support.violations)
        unverified = sum(1 for o in faithful if o.support.status == "unverified")
        lines.append(
            f"  {split}: faithful {len(faithful)}: false unsupported {false}, unverified {unverified}, "
            f"clean {sum(1 for o in faithful if o.report.passed)}"
        )
        lines.append(f"    {'class':<24}{'n':>3}{'support on span':>17}{'any check on span':>19}{'unverified':>12}")
        by_class: dict[str, list[Outcome]] = defaultdict(list)
        for o in rows:
            if not o.email.faithful:
                by_class[o.email.cls].append(o)
        for cls in sorted(by_class, key=lambda c: (c not in SEMANTIC, c)):
            group = by_class[cls]
            lines.append(
                f"    {cls:<24}{len(group):>3}{sum(o.on_span({'support'}) for o in group):>17}"
                f"{sum(o.on_span() for o in group):>19}{sum(o.support.status == 'unverified' for o in group):>12}"
            )
        fabricated = [o for group in by_class.values() for o in group]
        semantic = [o for o in fabricated if o.email.cls in SEMANTIC]
        lines.append(
            f"    semantic: support on span {sum(o.on_span({'support'}) for o in semantic)}/{len(semantic)};"
            f" all fabricated: support {sum(o.on_span({'support'}) for o in fabricated)}/{len(fabricated)},"
            f" any check {sum(o.on_span() for o in fabricated)}/{len(fabricated)}"
        )
    return lines


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for split in ("dev", "heldout"):
        rows = [o for o in outcomes if o.email.split == split]
        faithful = [o for o in rows if o.email.faithful]
        fabricated = [o for o in rows if not o.email.faithful]
        out[split] = {
            "faithful": len(faithful),
            "false_unsupported": sum(1 for o in faithful if o.support.violations),
            "faithful_unverified": sum(1 for o in faithful if o.support.status == "unverified"),
            "fabricated": len(fabricated),
            "support_on_span": sum(o.on_span({"support"}) for o in fabricated),
            "any_on_span": sum(o.on_span() for o in fabricated),
            "semantic": sum(o.email.cls in SEMANTIC for o in fabricated),
            "semantic_support_on_span": sum(o.on_span({"support"}) for o in fabricated if o.email.cls in SEMANTIC),
            "unverified": sum(o.support.status == "unverified" for o in rows),
            "clean": sum(o.report.passed for o in rows),
        }
    return out


def explain(outcomes: list[Outcome]) -> None:
    """Dev emails only: what the support check said about each."""
    for o in outcomes:
        if o.email.split != "dev":
            continue
        mark = "ok " if (o.email.faithful != bool(o.support.violations)) else "BAD"
        print(f"{mark} {o.email.id} {o.email.cls} support={o.support.status} {o.support.note or ''}", file=sys.stderr)
        for v in o.support.violations:
            print(f"      {v.message[:160]} | {(v.span or '')[:100]!r}", file=sys.stderr)


# ---------------------------------------------------------------- the mocked verifier


def oracle(current: list[Email]) -> Callable[[httpx.Request], httpx.Response]:
    """Unsupported for the sentence holding the current email's labelled span, else supported with a real quote."""

    def respond(request: httpx.Request) -> httpx.Response:
        human = json.loads(request.content)["messages"][-1]["content"]
        abstracts = dict(_PAPER.findall(human))
        label = " ".join((current[0].span or "").split())
        items = []
        for n, papers, text in _SENTENCE.findall(human):
            if label and label in text:
                items.append({"n": int(n), "verdict": "unsupported", "quote": "", "reason": "the labelled claim"})
            else:
                quote = " ".join(abstracts[papers.split(", ")[0]].split()[:QUOTE_WORDS])
                items.append({"n": int(n), "verdict": "supported", "quote": quote, "reason": "scripted"})
        content = json.dumps({"items": items})
        usage = {"prompt_tokens": len(human) // 4, "completion_tokens": len(content) // 4}
        body = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "oracle",
            "usage": usage | {"total_tokens": sum(usage.values())},
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        }
        return httpx.Response(200, json=body)

    return respond


@contextmanager
def mocked(respond: Callable[[httpx.Request], httpx.Response]) -> Iterator[Settings]:
    import respx

    settings = Settings(OPENAI_API_KEY="benchmark", OUTREACH_LLM_MAX_ATTEMPTS=1)  # type: ignore[call-arg]
    with respx.mock:
        respx.post("https://api.openai.com/v1/chat/completions").mock(side_effect=respond)
        yield settings


def mocked_runs(emails: list[Email]) -> tuple[list[Outcome], list[Outcome]]:
    current: list[Email] = []
    with mocked(oracle(current)) as settings:
        scripted = run_all(emails, lambda: Verifier(verifier_llm(settings)), current)
    with mocked(lambda request: httpx.Response(503)) as settings:
        down = run_all(emails, lambda: Verifier(verifier_llm(settings)), current)
    return scripted, down


# ---------------------------------------------------------------- a real model


def live_subset(emails: list[Email], per_split: int, seed: int) -> list[Email]:
    """Per split, `per_split` emails of each kind, drawn with a fixed seed: faithful, semantic, other fabricated."""
    rng = random.Random(seed)
    chosen = []
    for split in ("dev", "heldout"):
        pool = [e for e in emails if e.split == split]
        for kind in (
            lambda e: e.faithful,
            lambda e: e.cls in SEMANTIC,
            lambda e: not e.faithful and e.cls not in SEMANTIC,
        ):
            group = [e for e in pool if kind(e)]
            chosen += rng.sample(group, min(per_split, len(group)))
    return chosen


def live_llm(url: str, model: str, max_tokens: int, timeout: float) -> LLM:
    settings = Settings(  # type: ignore[call-arg]
        OPENAI_BASE_URL=url,
        OPENAI_API_KEY="local",
        OUTREACH_LLM_MODEL=model,
        OUTREACH_LLM_TEMPERATURE=0.0,
        OUTREACH_LLM_MAX_ATTEMPTS=1,
        OUTREACH_LLM_TIMEOUT=timeout,
        OUTREACH_LLM_DEADLINE=timeout,
        OUTREACH_LLM_MAX_TOKENS_VERIFY=max_tokens,
    )
    return LLM(settings)


def live_run(emails: list[Email], llm: LLM) -> tuple[list[Outcome], Counter[str]]:
    tokens: Counter[str] = Counter()

    def verifier() -> Verifier:
        v = Verifier(llm)
        made.append(v)
        return v

    made: list[Verifier] = []
    outcomes = run_all(emails, verifier, [])
    for v in made:
        tokens["prompt"] += v.usage.prompt_tokens
        tokens["completion"] += v.usage.completion_tokens
    return outcomes, tokens


# ---------------------------------------------------------------- main


def mocked_part(emails: list[Email], verbose: bool) -> dict[str, Any]:
    scripted, down = mocked_runs(emails)
    print("\n".join(table(scripted, "\n1a. mocked oracle verifier (what the code path can catch on the span):")))
    with_claims = [o for o in down if o.support.status != "passed"]
    print(
        f"\n1b. verifier down (HTTP 503): {sum(o.support.status == 'unverified' for o in down)}/{len(down)} "
        f"unverified, {sum(o.report.passed for o in with_claims)} of the {len(with_claims)} with claims clean; "
        f"{len(down) - len(with_claims)} had no sentence about the professor's work (no call)"
    )
    if verbose:
        explain(scripted)
    return {"mocked": summary(scripted), "down_clean": sum(o.report.passed for o in with_claims)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-v", "--verbose", action="store_true", help="each dev email's support verdict, on stderr")
    parser.add_argument("--live", metavar="URL", help="also run against this OpenAI-compatible endpoint")
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--live-per-split", type=int, default=2, help="emails of each kind per split (live run)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--max-tokens", type=int, default=600, help="per verifier call (live run)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per verifier call (live run)")
    parser.add_argument("--live-only", action="store_true", help="skip the mocked runs (part 1)")
    args = parser.parse_args(argv)
    emails = load_set()
    counts = Counter((e.split, e.faithful) for e in emails)
    print(
        f"{len(emails)} emails: dev {counts['dev', True]} faithful + {counts['dev', False]} fabricated, "
        f"held-out {counts['heldout', True]} + {counts['heldout', False]}; load average {os.getloadavg()[0]:.1f}"
    )
    result: dict[str, Any] = {} if args.live_only else mocked_part(emails, args.verbose)
    if args.live:
        subset = live_subset(emails, args.live_per_split, args.seed)
        start = time.perf_counter()
        outcomes, tokens = live_run(subset, live_llm(args.live, args.model, args.max_tokens, args.timeout))
        wall = time.perf_counter() - start
        seconds = sorted(o.seconds for o in outcomes)
        title = (
            f"\n2. {args.model} at {args.live}: {len(subset)} emails (seed {args.seed}, {args.live_per_split} of "
            f"each kind per split), max_tokens {args.max_tokens}, timeout {args.timeout:.0f} s; {wall:.0f} s, "
            f"median {seconds[len(seconds) // 2]:.0f} s per email, {tokens['prompt']} + {tokens['completion']} "
            f"tokens; load average {os.getloadavg()[0]:.1f}"
        )
        print("\n".join(table(outcomes, title)))
        result["live"] = summary(outcomes) | {"model": args.model, "seconds": round(wall), "tokens": dict(tokens)}
        if args.verbose:
            explain(outcomes)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
