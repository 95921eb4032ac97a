"""The reviewer–paper expertise gold standard (Stelmakh et al., TMLR 2025), scored with `outreach match` code.

For each of the ten `d_20_x` resamplings: build a temporary store from the participants' profiles (title +
abstract only), score every (participant, submission) pair with `assistant.match.rank_professors` (the
submission's title + abstract standing in for the student's research interests), write
`outreach_d_20_{x}_ta.json` (participant id -> {submission id -> score}), and print the published loss
(weighted Kendall's tau disagreement; 0.5 = constant predictor; lower is better) averaged over the ten sets.

    python benchmarks/goldstandard.py --data ../shared/data/goldstandard --out benchmarks/out [--variants]

`--variants` also scores the alternatives reported in the README (aggregation, keyword weight).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

from assistant.ids import paper_id
from assistant.index import PaperIndex
from assistant.ingest import ingest_professors
from assistant.match import MatchConfig, rank_professors
from assistant.settings import Settings
from assistant.types import CVItem, Paper, Professor, StudentProfile

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/goldstandard"
VARIANTS = {
    "default (top-3 mean, keyword 0.3, feedback 0.2 x 20)": MatchConfig(),
    "default without feedback (the previous default)": MatchConfig(feedback_weight=0.0),
    "max, keyword 0.3": MatchConfig(top_k=1),
    "top-5 mean, keyword 0.3": MatchConfig(top_k=5),
    "mean of all papers, keyword 0.3": MatchConfig(top_k=10_000),
    "top-3 mean, semantic only": MatchConfig(keyword_weight=0.0),
    "top-3 mean, keyword 0.5": MatchConfig(keyword_weight=0.5),
    "max, semantic only (plain MiniLM)": MatchConfig(top_k=1, keyword_weight=0.0),
}


def load_ratings(data: Path) -> dict[str, dict[str, float]]:
    ratings: dict[str, dict[str, float]] = {}
    with (data / "evaluations.csv").open() as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            pid = row["ParticipantID"]
            for i in range(1, 11):
                paper, score = row.get(f"Paper{i}"), row.get(f"Expertise{i}")
                if paper and score:
                    ratings.setdefault(pid, {})[paper] = float(score)
    return ratings


def loss(preds: dict[str, dict[str, float]], refs: dict[str, dict[str, float]], valid_papers: set[str]) -> float:
    """The published main metric: summed cost of mis-ordered pairs (half on ties) over the largest possible."""
    max_loss = total = 0.0
    for reviewer, rated in refs.items():
        if reviewer not in preds:
            continue
        for p1, p2 in combinations(list(rated), 2):
            if p1 not in valid_papers or p2 not in valid_papers:
                continue
            pred_diff = preds[reviewer][p1] - preds[reviewer][p2]
            true_diff = rated[p1] - rated[p2]
            max_loss += abs(true_diff)
            if pred_diff * true_diff == 0:
                total += abs(true_diff) / 2
            elif pred_diff * true_diff < 0:
                total += abs(true_diff)
    return total / max_loss


def participants(set_dir: Path) -> list[Professor]:
    profs = []
    for archive in sorted((set_dir / "archives").glob("~*.jsonl")):
        participant = archive.stem.lstrip("~")
        papers = {}
        for line in archive.read_text().splitlines():
            content = json.loads(line)["content"]
            title, abstract = content.get("title") or None, content.get("abstract") or None
            if title or abstract:
                paper = Paper(id=paper_id(title, abstract), title=title, abstract=abstract)
                papers[paper.id] = paper
        # The participant id is the professor id, so scores map straight back to the ratings.
        profs.append(Professor(id=participant, name=f"participant {participant}", papers=list(papers.values())))
    return profs


def submission_profile(sub: dict[str, object]) -> StudentProfile:
    content = sub["content"]
    assert isinstance(content, dict)
    text = ". ".join(x for x in (content.get("title"), content.get("abstract")) if x)
    return StudentProfile(interests=[CVItem(section="interests", text=text, source_text=text)])


def score_set(set_dir: Path, configs: dict[str, MatchConfig]) -> dict[str, dict[str, dict[str, float]]]:
    submissions = json.loads((set_dir / "submissions.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(OUTREACH_STORE=str(Path(tmp) / "store"))  # type: ignore[call-arg]
        index = PaperIndex(settings)
        ingest_professors(participants(set_dir), settings, index=index)
        preds: dict[str, dict[str, dict[str, float]]] = {name: {} for name in configs}
        for sub_id, sub in submissions.items():
            student = submission_profile(sub)
            for name, cfg in configs.items():
                for result in rank_professors(student, settings, cfg=cfg, index=index):
                    preds[name].setdefault(result.professor_id, {})[sub_id] = result.score
        index.catalog.close()
    return preds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--variants", action="store_true", help="also score the README's alternative variants")
    parser.add_argument("--sets", type=int, default=10, help="how many of the d_20_x sets (default all 10)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    refs = load_ratings(args.data)
    configs = VARIANTS if args.variants else dict(list(VARIANTS.items())[:1])
    losses: dict[str, list[float]] = {name: [] for name in configs}
    start = time.perf_counter()
    for x in range(1, args.sets + 1):
        set_dir = args.data / f"d_20_{x}"
        valid = set(json.loads((set_dir / "submissions.json").read_text()))
        preds = score_set(set_dir, configs)
        default = next(iter(configs))
        (args.out / f"outreach_d_20_{x}_ta.json").write_text(json.dumps(preds[default], indent=1))
        for name in configs:
            losses[name].append(loss(preds[name], refs, valid))
        print(f"d_20_{x}: loss {losses[default][-1]:.4f}  ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    print(f"{'variant':45} {'mean loss':>9} {'min':>7} {'max':>7}")
    for name, values in losses.items():
        print(f"{name:45} {statistics.mean(values):9.4f} {min(values):7.4f} {max(values):7.4f}")
    default = next(iter(configs))
    runtime = time.perf_counter() - start
    print(f"published: SPECTER+MFR 0.24, SPECTER 0.27, TPMS 0.28; target <= 0.19. Runtime {runtime:.0f} s")
    print(
        json.dumps(
            {
                "loss": round(statistics.mean(losses[default]), 4),
                "variants": {k: round(statistics.mean(v), 4) for k, v in losses.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
