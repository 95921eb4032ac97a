"""Sendable-rate benchmark for the offline drafter: the three sample CVs x the 20 gold-standard researchers that
match each best (`outreach match --top 20`), drafted offline as `outreach batch --offline` drafts them.

Each draft is scored by the form check (every violation it raises, soft or hard: a subject with a name, role,
URL or slug; a sentence cut short; the abstract's "we" left in; a non-existent word form; the salutation; the
length) and, within each CV's batch of 20, by the cross-draft similarity `batch` uses (word 5-gram Jaccard,
warning at 0.5). Prints the share of drafts with no form problem, the counts per problem, median length, how
often a paper was described by a retold sentence (rather than its title) and connected to a CV item, the
copying warnings, and the similarity distribution; then one JSON line. Writes 10 drafts chosen at random
(fixed seed) to a Markdown file for a person to read.

    python benchmarks/offline_drafts.py [--store DIR] [--sample benchmarks/offline_drafts_sample.md]

`--store DIR` keeps the ingested corpus for the next run (ingesting 2,933 papers takes minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.cv import read_cv  # noqa: E402
from assistant.draft import draft_email, guardrail_context  # noqa: E402
from assistant.guardrails import BATCH_SIMILARITY, GuardrailContext, similar_pairs  # noqa: E402
from assistant.guardrails.checks import form  # noqa: E402
from assistant.guardrails.evidence import Evidence  # noqa: E402
from assistant.guardrails.parse import parse_email  # noqa: E402
from assistant.guardrails.verbatim import shingles  # noqa: E402
from assistant.index import PaperIndex  # noqa: E402
from assistant.match import rank_professors  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import DraftResult  # noqa: E402

CORPUS = ROOT.parent / "shared/data/goldstandard/corpus/professors.jsonl"
CVS = ["maya_chen.md", "arjun_patel.docx", "sofia_rossi.pdf"]
SAMPLE = ROOT / "benchmarks" / "offline_drafts_sample.md"
# The connection sentences of prompts/offline_paper.j2, by their words.
CONNECTIONS = ("my interest in", "draws me to", "my work on", "my own work on", "my paper", "my own paper")
PROBLEMS = {  # a form message's words -> the problem it names
    "The subject carries": "subject: name, role, URL or slug",
    "cut short": "sentence cut short",
    "first person": "first-person plural leak",
    "not an English word form": "non-existent word form",
    "does not address a person": "salutation: not a name",
    "does not name the professor": "salutation: no name",
    "The body has": "length",
    "The subject has": "long subject",
}


def store(args: argparse.Namespace) -> Settings:
    settings = Settings(OUTREACH_STORE=str(args.store))  # type: ignore[call-arg]
    marker = args.store / "offline-drafts-corpus.done"
    if not marker.exists():
        from assistant.ingest import ingest_files

        start = time.perf_counter()
        ingest_files([args.data], settings, fmt="jsonl")
        marker.write_text(f"{time.perf_counter() - start:.0f} s\n")
    return settings


def draft_all(settings: Settings) -> tuple[dict[str, list[DraftResult]], dict[tuple[str, str], list[str]]]:
    """The drafts of each CV's batch, and each draft's form problems by (CV, professor id)."""
    index = PaperIndex(settings)
    drafts: dict[str, list[DraftResult]] = {}
    found: dict[tuple[str, str], list[str]] = {}
    for cv in CVS:
        student = read_cv(ROOT / "examples" / "cvs" / cv)
        ranked = rank_professors(student, settings, top=20, index=index)
        drafts[cv] = []
        for r in ranked:
            professor = index.catalog.resolve(r.professor_id)
            result = draft_email(student, professor, settings, offline=True, index=index)
            drafts[cv].append(result)
            found[cv, r.professor_id] = problems(
                result, guardrail_context(professor, result.sources, student, index, settings)
            )
        print(f"{cv}: {len(drafts[cv])} drafts", file=sys.stderr)
    return drafts, found


def problems(result: DraftResult, ctx: GuardrailContext) -> list[str]:
    """Every problem the form check finds, by name: run directly, since the report keeps one violation per span
    (a sentence both cut short and leaking "our" would count once)."""
    d = result.draft
    email = parse_email(
        d.subject, d.body, ctx.professor.name, structured=True, cited_ids=d.cited_paper_ids, citations=d.citations
    )
    messages = [v.message for v in form.run(email, Evidence.of_context(ctx))]
    return [next((name for key, name in PROBLEMS.items() if key in m), "other form problem") for m in messages]


def similarities(results: list[DraftResult]) -> tuple[list[float], set[str]]:
    """Each draft's highest similarity to another draft of its batch, and the drafts at or above the warning."""
    bodies = {r.professor_id: r.draft.body for r in results}
    grams = {k: shingles(b) for k, b in bodies.items()}
    best = []
    for a in bodies:
        scores = [len(grams[a] & grams[b]) / len(grams[a] | grams[b]) for b in bodies if b != a]
        best.append(max(scores, default=0.0))
    warned = {k for pair in similar_pairs(bodies, BATCH_SIMILARITY) for k in pair[:2]}
    return best, warned


def summarise(drafts: dict[str, list[DraftResult]], found: dict[tuple[str, str], list[str]]) -> dict[str, Any]:
    results = [r for batch in drafts.values() for r in batch]
    counts: dict[str, int] = {}
    for named in found.values():
        for name in set(named):
            counts[name] = counts.get(name, 0) + 1
    papers = [c for r in results for c in r.draft.citations]
    retold = sum(1 for c in papers if c.where.startswith("In "))  # a title mention opens "I read", "Your paper"...
    linked = sum(1 for c in papers if any(k in c.where for k in CONNECTIONS))
    similarity = {}
    for cv, batch in drafts.items():
        best, warned = similarities(batch)
        similarity[cv] = {
            "max_median": round(statistics.median(best), 3),
            "max_max": round(max(best), 3),
            "warned": len(warned),
            "drafts": len(batch),
        }
    return {
        "drafts": len(results),
        "no_form_problem": sum(1 for named in found.values() if not named),
        "problems": dict(sorted(counts.items())),
        "hard_failures": sum(1 for r in results if not r.report.passed),
        "ellipsis_in_body": sum(1 for r in results if "\u2026" in r.draft.body or "..." in r.draft.body),
        "median_words": statistics.median(len(r.draft.body.split()) for r in results),
        "papers_cited": len(papers),
        "papers_retold": retold,
        "papers_connected": linked,
        "copying_warnings": sum(1 for r in results if any(v.check == "copying" for v in r.report.violations)),
        "similarity": similarity,
    }


def print_summary(s: dict[str, Any]) -> None:
    n = s["drafts"]
    print(f"drafts: {n}; with no form problem: {s['no_form_problem']} ({s['no_form_problem'] / n:.1%})")
    for name, count in s["problems"].items():
        print(f"  {name}: {count}")
    print(f"failing a hard guardrail: {s['hard_failures']}; with an ellipsis in the body: {s['ellipsis_in_body']}")
    print(f"median body length: {s['median_words']} words")
    print(
        f"papers cited: {s['papers_cited']}; described by a retold sentence: {s['papers_retold']}; "
        f"connected to a CV item: {s['papers_connected']}"
    )
    print(f"drafts with a (soft) copying warning: {s['copying_warnings']}")
    print(f"{'cv':18} {'median max sim':>14} {'max sim':>8} {'warned':>7}")
    for cv, sim in s["similarity"].items():
        print(f"{cv:18} {sim['max_median']:14.3f} {sim['max_max']:8.3f} {sim['warned']:>3}/{sim['drafts']}")


def write_sample(
    drafts: dict[str, list[DraftResult]], found: dict[tuple[str, str], list[str]], path: Path, seed: int
) -> None:
    pool = [(cv, r) for cv, batch in drafts.items() for r in batch]
    chosen = random.Random(seed).sample(pool, min(10, len(pool)))
    parts = [
        "# Ten offline drafts, chosen at random (`python benchmarks/offline_drafts.py`, seed "
        f"{seed})\n\nThe sample CVs to gold-standard researchers; each as `outreach draft --offline` writes it, "
        "with its form problems (none, unless listed).\n"
    ]
    for cv, r in chosen:
        named = found[cv, r.professor_id]
        parts.append(
            f"\n## {cv} to {r.professor_name}\n\n**Subject:** {r.draft.subject}\n\n{r.draft.body}\n\n"
            f"_Form problems: {', '.join(named) if named else 'none'}; guardrails: "
            f"{'passed' if r.report.passed else 'NEEDS REVIEW'}._\n"
        )
    path.write_text("".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=CORPUS)
    parser.add_argument("--store", type=Path, default=None, help="a store to build once and reuse")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        args.store = args.store or Path(tmp) / "store"
        settings = store(args)
        start = time.perf_counter()
        drafts, found = draft_all(settings)
        seconds = time.perf_counter() - start
    summary = summarise(drafts, found)
    print_summary(summary)
    write_sample(drafts, found, args.sample, args.seed)
    load = os.getloadavg()[0]
    print(
        f"drafting took {seconds:.0f} s for {summary['drafts']} drafts (load average {load:.2f}); sample: {args.sample}"
    )
    print(json.dumps(summary | {"seconds": round(seconds, 1), "load_average_1min": round(load, 2)}))


if __name__ == "__main__":
    main()
