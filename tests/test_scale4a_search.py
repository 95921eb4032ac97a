"""Keyword search over the whole store takes the `limit` best bm25 matches without joining every match to the
papers table (assistant/fts.py): it returns exactly what ranking every match, joined, gave — ties included."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalog import Catalog
from assistant.fts import match_expression
from assistant.types import Paper, Professor

# Shared papers give equal scores (the same terms in the same length) under several professors: ties that the
# professor and paper ids break, at every cut-off.
SHARED = [
    Paper(id=f"s{i}", title=f"Data selection for efficient training, part {i}", abstract="Coresets of data.")
    for i in range(3)
]
OWN = [
    "Efficient neural network training with data pruning.",
    "Neural machine translation for low-resource languages.",
    "Training data selection for speech recognition.",
    "A survey of networks.",
    "Data, data, data: selection of training data at scale.",
]


def professor(n: int) -> Professor:
    own = [Paper(id=f"p{n}-{j}", title=t, abstract=f"Work {n} on {t.lower()}") for j, t in enumerate(OWN)]
    return Professor(id=f"prof-{n:02d}", name=f"Professor {n}", papers=[*own, *SHARED])


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(tmp_path_factory.mktemp("store") / "catalog.sqlite")
    catalog.save_professors(professor(n) for n in (7, 3, 12, 1, 9, 4, 10, 2, 8, 5, 11, 6))
    return catalog


def ranked_and_joined(catalog: Catalog, query: str, limit: int) -> list[tuple[str, str]]:
    """Every match scored and joined, then cut: what the search did before."""
    rows = catalog.query(
        "SELECT p.professor_id, p.paper_id FROM papers_fts f JOIN papers p ON p.rowid = f.rowid "
        "WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts), p.professor_id, p.paper_id LIMIT ?",
        (match_expression(query), limit),
    )
    return [(str(a), str(b)) for a, b in rows]


@pytest.mark.parametrize(
    "query", ["data selection for efficient training", "neural networks", "coresets", "speech", "translation"]
)
def test_the_best_matches_of_the_whole_store_are_exact(catalog: Catalog, query: str) -> None:
    total = len(ranked_and_joined(catalog, query, 10_000))
    assert total >= 12  # several professors' papers match, with many equal scores among them
    for limit in (1, 2, 3, 5, 10, 12, 13, 25, 36, 50, total - 1, total, total + 5):
        assert catalog.keyword_search(query, None, limit) == ranked_and_joined(catalog, query, limit), limit


def test_a_query_with_no_match_or_no_terms(catalog: Catalog) -> None:
    assert catalog.keyword_search("zebra", None, 10) == []
    assert catalog.keyword_search("the of and", None, 10) == []


def test_search_within_professors_is_unchanged(catalog: Catalog) -> None:
    found = catalog.keyword_search("data selection", ["prof-03", "prof-09"], 100)
    assert {pid for pid, _ in found} == {"prof-03", "prof-09"}
    assert len(found) == len({key for key in found})


def test_many_equal_scores_past_the_first_fetch(tmp_path: Path) -> None:
    """More papers tied at the cut-off than the first fetch (twice the limit) holds: it fetches more."""
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.save_professors(
        Professor(id=f"p{n:03d}", name=f"P {n}", papers=[Paper(id="same", title="Data selection")]) for n in range(60)
    )
    expected = [(f"p{n:03d}", "same") for n in range(5)]
    assert catalog.keyword_search("data selection", None, 5) == expected
    assert expected == ranked_and_joined(catalog, "data selection", 5)
