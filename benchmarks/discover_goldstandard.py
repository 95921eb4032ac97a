"""Does discover put the right researchers first? A check on the gold-standard corpus, without the network.

The corpus (`../shared/data/goldstandard/corpus/professors.jsonl`, 58 researchers) becomes an OpenAlex at one
institution: every paper a work (abstract as an inverted index, each corpus researcher on it an authorship,
placed first/middle/last as in its author list; co-authors outside the corpus left out). A works search is
simulated by BM25 over titles and abstracts with the query discover would send (the CV item's content words,
OR-ed), keeping the `--per-item` best works, as OpenAlex's relevance order would. Then the code of
`outreach discover` runs as is: `collect_candidates` and `rank_pool` (the `outreach match` score).

The CVs are `tests/fixtures/discover/*.md`, written for this check by the discover engineer (2026-12-01), each
aimed at one or two researchers' areas (`goldstandard_cvs.json`) without copying their titles. So the figures
say whether the pipeline finds the people a CV points at, not how well it generalises to CVs we did not write.

    python benchmarks/discover_goldstandard.py [--per-item 50] [--papers 40] [--cv liam_ortega.md ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.cv import read_cv
from assistant.discover.aggregate import collect_candidates
from assistant.discover.models import Candidate, Scope
from assistant.discover.rank import rank_pool
from assistant.discover.search import ItemHits, item_searches
from assistant.fts import match_expression, terms_of
from assistant.ids import normalize_text
from assistant.settings import Settings
from assistant.sources.openalex.institutions import Institution
from assistant.types import MatchResult

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared/data/goldstandard/corpus/professors.jsonl"
CVS = ROOT / "tests/fixtures/discover"
PLACE = {"id": "https://openalex.org/I1", "display_name": "Gold Standard University", "country_code": "US",
         "type": "education", "lineage": ["https://openalex.org/I1"]}  # fmt: skip
SCOPE = Scope(institutions=[Institution(id="I1", name="Gold Standard University", country_code="US")], since=1900)

Json = dict[str, Any]


def corpus_works(path: Path = CORPUS, names: Iterable[str] | None = None, papers: int | None = None) -> list[Json]:
    """The corpus as OpenAlex works; `names` keeps those researchers only, `papers` their newest N papers each."""
    wanted = set(names) if names is not None else None
    works: dict[str, Json] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        researcher = json.loads(line)
        if wanted is not None and researcher["name"] not in wanted:
            continue
        newest = sorted(researcher["papers"], key=lambda p: -(p.get("year") or 0))[:papers]
        for paper in newest:
            work = works.setdefault(paper["id"], _work(paper))
            work["authorships"].append(_authorship(researcher, paper))
    for work in works.values():
        work["authorships"].sort(key=lambda a: {"first": 0, "middle": 1, "last": 2}[a["author_position"]])
    return list(works.values())


def _work(paper: Json) -> Json:
    abstract = paper.get("abstract") or ""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(abstract.split()):
        index.setdefault(word, []).append(position)
    return {
        "id": f"https://openalex.org/W{paper['id']}",
        "title": paper.get("title"),
        "publication_year": paper.get("year"),
        "abstract_inverted_index": index or None,
        "authorships": [],
    }


def _authorship(researcher: Json, paper: Json) -> Json:
    authors = [normalize_text(a) for a in paper.get("authors") or []]
    me = normalize_text(researcher["name"])
    at = authors.index(me) if me in authors else -1
    position = "first" if at == 0 else "last" if at == len(authors) - 1 and at > 0 else "middle"
    return {
        "author_position": position,
        "author": {"id": f"https://openalex.org/A{researcher['id']}", "display_name": researcher["name"]},
        "institutions": [PLACE],
    }


class SimulatedSearch:
    """OpenAlex's works search stood in for by BM25 over title + abstract, most relevant first: an in-memory SQLite
    FTS5 table over the same terms `outreach search` indexes (assistant/fts.py)."""

    def __init__(self, works: Sequence[Json]) -> None:
        self.works = list(works)
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE works USING fts5(terms, tokenize='unicode61')")
        self.db.executemany(
            "INSERT INTO works (rowid, terms) VALUES (?, ?)",
            [(i, terms_of(f"{w['title'] or ''}. {_abstract(w)}")) for i, w in enumerate(self.works)],
        )

    def __call__(self, query: str, limit: int) -> list[Json]:
        expression = match_expression(query.replace(" OR ", " "))
        if expression is None:
            return []
        rows = self.db.execute(
            "SELECT rowid FROM works WHERE works MATCH ? ORDER BY bm25(works), rowid LIMIT ?", (expression, limit)
        ).fetchall()
        return [self.works[i] for (i,) in rows]


def _abstract(work: Json) -> str:
    index = work["abstract_inverted_index"] or {}
    at = {p: word for word, positions in index.items() for p in positions}
    return " ".join(at[p] for p in sorted(at))


def discover_offline(
    cv: Path, search: SimulatedSearch, per_item: int, settings: Settings
) -> list[tuple[Candidate, MatchResult]]:
    """`outreach discover`'s aggregation and ranking on simulated search results: every candidate, best first."""
    student = read_cv(cv)
    hits = [ItemHits(s, search(s.query, per_item)) for s in item_searches(student.research_items(), student.name)]
    return rank_pool(student, collect_candidates(hits, SCOPE), settings)


def ranks_of(ranked: Sequence[tuple[Candidate, MatchResult]], names: Iterable[str]) -> dict[str, int | None]:
    order = [c.name for c, _ in ranked]
    return {n: order.index(n) + 1 if n in order else None for n in names}


def by_count(ranked: Sequence[tuple[Candidate, MatchResult]]) -> list[tuple[Candidate, MatchResult]]:
    """The baseline the match score has to beat: most matching works first, then most CV items."""
    return sorted(ranked, key=lambda cm: (-len(cm[0].works), -len(cm[0].cv_items), cm[0].name))


def best_rank(ranks: dict[str, int | None]) -> int:
    found = [r for r in ranks.values() if r is not None]
    return min(found) if found else 10_000


def plan(only: Sequence[str] = ()) -> list[Json]:
    entries: list[Json] = json.loads((CVS / "goldstandard_cvs.json").read_text(encoding="utf-8"))["cvs"]
    return [e for e in entries if not only or e["cv"] in only]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-item", type=int, default=50, help="works per simulated search (default 50)")
    parser.add_argument("--papers", type=int, default=None, help="the newest N papers per researcher (default all)")
    parser.add_argument("--cv", action="append", default=[], help="only this CV (repeatable)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    search = SimulatedSearch(corpus_works(papers=args.papers))
    print(f"{len(search.works)} works by 58 researchers; {args.per_item} works per simulated search")
    best: list[int] = []
    baseline: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(OUTREACH_STORE=str(Path(tmp) / "store"))  # type: ignore[call-arg]
        for entry in plan(args.cv):
            wall, cpu = time.perf_counter(), time.process_time()
            ranked = discover_offline(CVS / entry["cv"], search, args.per_item, settings)
            ranks = ranks_of(ranked, entry["aimed_at"])
            counted = ranks_of(by_count(ranked), entry["aimed_at"])
            best.append(best_rank(ranks))
            baseline.append(best_rank(counted))
            top3 = ", ".join(c.name for c, _ in ranked[:3])
            shown = ", ".join(f"{n} #{r or '-'} (count #{counted[n] or '-'})" for n, r in ranks.items())
            took = f"{time.perf_counter() - wall:.0f} s, {time.process_time() - cpu:.0f} s CPU"
            print(f"{entry['cv']:<18} {len(ranked):>3} candidates  {shown}  | top 3: {top3}  ({took})")
    print(
        f"best-ranked intended researcher, match score: #1 for {sum(b == 1 for b in best)} of {len(best)} CVs, "
        f"top 3 for {sum(b <= 3 for b in best)}, median rank {statistics.median(best):g}; "
        f"counting matching works: #1 for {sum(b == 1 for b in baseline)}, top 3 for "
        f"{sum(b <= 3 for b in baseline)}, median {statistics.median(baseline):g}"
    )
    print(f"{time.perf_counter() - started:.0f} s in all, load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
