"""The gold-standard check, small enough for the suite: a subset of the corpus's researchers stands in for
OpenAlex (benchmarks/discover_goldstandard.py explains the set-up and runs it on all 58), and CVs we wrote
aimed at some of them must find those researchers first (one CV here; the benchmark runs all seven).
Skipped when the shared corpus is not there."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from benchmarks.discover_goldstandard import (
    CORPUS,
    CVS,
    SimulatedSearch,
    corpus_works,
    discover_offline,
    plan,
    ranks_of,
)

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="the shared gold-standard corpus is not available")

# Aimed at by the CVs, and researchers from neighbouring areas (peer-review bidding, NLP, speech
# toolkits' co-authors, optimisation, games) that a careless ranking would put first.
RESEARCHERS = [
    "Nihar B. Shah",
    "Ivan Stelmakh",
    "Shinji Watanabe",
    "Nicholas Mattei",
    "Tanner Fiez",
    "Graham Neubig",
    "Eduard A. Gorbunov",
    "Hao-Wen Dong",
    "K. V. Rashmi",
    "Arpan Chattopadhyay",
]
PAPERS = 6  # each researcher's newest papers
PER_ITEM = 5  # works per simulated search


@pytest.fixture(scope="module")
def search() -> SimulatedSearch:
    return SimulatedSearch(corpus_works(names=RESEARCHERS, papers=PAPERS))


def test_a_cv_finds_the_researchers_it_is_aimed_at_first(search: SimulatedSearch, settings: Settings) -> None:
    (entry,) = plan(["liam_ortega.md"])  # peer review: Shah's group, with peer-review bidding (Mattei, Fiez) around

    ranked = discover_offline(CVS / entry["cv"], search, PER_ITEM, settings)

    aimed = [n for n in entry["aimed_at"] if n in RESEARCHERS]
    assert aimed == ["Nihar B. Shah", "Ivan Stelmakh"]
    assert ranks_of(ranked, aimed) == {"Nihar B. Shah": 1, "Ivan Stelmakh": 2}
    assert len(ranked) >= 4  # the searches found other people too: the ranking had a choice to make
