"""How strong a match must be before the offline drafter says a paper relates to a CV item, measured on the
reviewer–paper expertise gold standard (Stelmakh et al., TMLR 2025; see benchmarks/goldstandard.py).

Each rated (participant, submission) pair is scored with the pair score `outreach match` uses
(`assistant.match.pair_scores`, feedback included), between the submission standing in for a CV item and each
of the participant's papers; the best paper's score is what a connection sentence would rest on. The label is
the participant's self-rated expertise in the submission, 1 (none) to 5 (expert). The submission's title stands
in for the CV item, since CV items are a line long, as titles are (`--text abstract` uses title + abstract).

The rule (documented in the README): the threshold is the lowest score on a 0.05 grid at or above which pairs
rated 1 or 2 (the researcher has no or little expertise: the paper is not close to the submission) are at most
half as common as among all rated pairs, with at least 100 pairs left. The drafter scores pairs as
`select_sources` does, without the feedback expansion (`--feedback` measures with it).

    python benchmarks/connection_threshold.py [--sets 1,2] [--text title|abstract] [--feedback]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from goldstandard import DEFAULT_DATA, load_ratings, participants

from assistant.index import PaperIndex
from assistant.ingest import ingest_professors
from assistant.match import MatchConfig, build_item_set, pair_scores
from assistant.settings import Settings
from assistant.types import CVItem

EDGES = [round(0.05 * i, 2) for i in range(21)]


def item_text(content: dict[str, str], text: str) -> str:
    title = content.get("title") or ""
    return ". ".join(x for x in (title, content.get("abstract")) if x) if text == "abstract" else title


def scored_pairs(
    set_dir: Path, ratings: dict[str, dict[str, float]], text: str, feedback: bool
) -> list[tuple[float, float]]:
    """(best pair score, expertise) for every rated pair of one set."""
    submissions = json.loads((set_dir / "submissions.json").read_text())
    cfg = MatchConfig() if feedback else MatchConfig(feedback_weight=0.0)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(OUTREACH_STORE=str(Path(tmp) / "store"))  # type: ignore[call-arg]
        index = PaperIndex(settings)
        ingest_professors(participants(set_dir), settings, index=index)
        ids = [s for s in submissions if item_text(submissions[s]["content"], text)]
        texts = [item_text(submissions[s]["content"], text) for s in ids]
        items = [CVItem(section="interests", text=t, source_text=t) for t in texts]
        item_set = build_item_set(
            items, index, feedback_weight=cfg.feedback_weight, feedback_papers=cfg.feedback_papers
        )
        snap = index.snapshot()
        row_of_item = {s: i for i, s in enumerate(ids)}
        out = []
        for participant, rated in ratings.items():
            rows = np.array(snap.rows_of.get(participant, []), dtype=int)
            if not len(rows):
                continue
            scores = pair_scores(item_set, rows, cfg)
            for sub, rating in rated.items():
                if sub in row_of_item:
                    out.append((float(scores[row_of_item[sub]].max()), rating))
        index.catalog.close()
    return out


def table(pairs: list[tuple[float, float]]) -> list[tuple[float, int, float, float, float]]:
    """For each grid edge: (edge, pairs at or above it, mean expertise, share rated >= 4, share rated <= 2)."""
    rows = []
    for edge in EDGES:
        above = [r for s, r in pairs if s >= edge]
        if not above:
            break
        n = len(above)
        rows.append((edge, n, sum(above) / n, sum(r >= 4 for r in above) / n, sum(r <= 2 for r in above) / n))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default="1", help="which d_20_x sets, comma-separated (default 1)")
    parser.add_argument("--text", choices=["title", "abstract"], default="title")
    parser.add_argument("--feedback", action="store_true", help="expand items with feedback, as ranking does")
    parser.add_argument("--unrelated-ratio", type=float, default=0.5, help="of the base rate of pairs rated 1-2")
    args = parser.parse_args()
    ratings = load_ratings(args.data)
    sets = [args.data / f"d_20_{x}" for x in args.sets.split(",")]
    pairs = [p for d in sets for p in scored_pairs(d, ratings, args.text, args.feedback)]
    feedback = "with" if args.feedback else "without"
    print(f"{len(pairs)} rated pairs (sets {args.sets}, item = submission {args.text}, {feedback} feedback)")
    print(f"{'score >=':>8} {'pairs':>6} {'mean':>5} {'>= 4':>6} {'<= 2':>6}")
    rows = table(pairs)
    for edge, n, mean, expert, unrelated in rows:
        print(f"{edge:8.2f} {n:6d} {mean:5.2f} {expert:6.1%} {unrelated:6.1%}")
    most = args.unrelated_ratio * rows[0][4]
    chosen = next((r for r in rows if r[4] <= most and r[1] >= 100), None)
    if chosen is None:
        print(f"no threshold keeps pairs rated 1-2 at or under {most:.1%} with 100 pairs or more")
    else:
        print(f"threshold: {chosen[0]:.2f} ({chosen[1]} pairs, {chosen[4]:.1%} rated 1-2, {chosen[3]:.1%} rated 4-5)")


if __name__ == "__main__":
    main()
