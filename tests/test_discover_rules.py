"""The pure parts of discover: the faculty rules on hand-built author records, the facts read from an author
record, the search query made of a CV item, and which authorships make a candidate."""

from __future__ import annotations

import pytest

from assistant.discover.aggregate import collect_candidates
from assistant.discover.faculty import author_facts, judge
from assistant.discover.models import AuthorFacts, Candidate, MatchedWork, Scope
from assistant.discover.search import ItemHits, ItemSearch, item_searches, search_query, works_filter
from assistant.sources.openalex.institutions import Institution
from assistant.types import CVItem
from tests.discover_world import load

THIS_YEAR = 2026
UCLA = Institution(id="I161318765", name="University of California, Los Angeles", country_code="US")
UW = Institution(id="I201448701", name="University of Washington", country_code="US")


def facts(**kw: object) -> AuthorFacts:
    base: dict[str, object] = {"works_count": 60, "h_index": 20, "first_year": 2010, "last_year": 2026}
    base.update(at_requested=True, last_known=["University of California, Los Angeles"])
    base.update(kw)
    return AuthorFacts.model_validate(base)


@pytest.mark.parametrize(
    ("kw", "status", "why"),
    [
        ({}, "likely faculty", "long record: 17 years, 60 works"),
        ({"first_year": 2018, "works_count": 25}, "likely faculty", "long record: 9 years, 25 works"),
        ({"first_year": 2018, "works_count": 24}, "unclear", "between the thresholds: 9 years, 24 works"),
        (
            {"first_year": 2021, "works_count": 18, "last_author_works": 2, "multi_author_works": 3},
            "likely faculty",
            "leads the matching work (last author) after 6 years, 18 works",
        ),
        (
            {"first_year": 2021, "works_count": 18, "last_author_works": 1, "multi_author_works": 1},
            "unclear",  # one work is not enough to read a position share from
            "between the thresholds: 6 years, 18 works",
        ),
        ({"first_year": 2022, "works_count": 9}, "likely student or postdoc", "short record: 5 year(s), 9 works"),
        (
            {"first_year": 2022, "works_count": 9, "last_author_works": 2, "multi_author_works": 2},
            "unclear",  # a short record but leading the work: a new professor, or a student with a side project
            "between the thresholds: 5 years, 9 works",
        ),
        (
            {"first_year": 2020, "works_count": 11, "last_author_works": 0, "multi_author_works": 3},
            "likely student or postdoc",
            "11 works, never last author on the matching ones",
        ),
        ({"first_year": None, "last_year": None}, "unclear", "no publication history in the author record"),
        ({"works_count": None}, "unclear", "no publication history in the author record"),
    ],
)
def test_the_career_rules(kw: dict[str, object], status: str, why: str) -> None:
    verdict = judge(facts(**kw), THIS_YEAR)

    assert (verdict.status, verdict.reasons) == (status, [why])


def test_faculty_who_left_the_requested_place_become_unclear_with_the_reason() -> None:
    verdict = judge(facts(at_requested=False, last_known=["Google DeepMind"]), THIS_YEAR)

    assert verdict.status == "unclear"
    assert verdict.reasons == [
        "last known at Google DeepMind, not a requested place",
        "long record: 17 years, 60 works",
    ]


def test_a_student_who_left_stays_a_student() -> None:
    verdict = judge(facts(first_year=2023, works_count=4, at_requested=False, last_known=["ETH Zurich"]), THIS_YEAR)

    assert verdict.status == "likely student or postdoc"


@pytest.mark.parametrize(("last_year", "inactive"), [(2026, False), (2025, False), (2024, True), (2019, True)])
def test_two_years_without_a_publication_is_flagged_not_hidden(last_year: int, inactive: bool) -> None:
    verdict = judge(facts(last_year=last_year), THIS_YEAR)

    assert verdict.inactive is inactive
    assert (verdict.reasons[0] == f"no publications since {last_year}") is inactive
    assert verdict.status == "likely faculty"


def test_the_facts_shown_beside_the_reason() -> None:
    verdict = judge(facts(last_author_works=3, multi_author_works=4), THIS_YEAR)

    assert verdict.facts == [
        "publishing 2010–2026",
        "h-index 20",
        "last author on 3 of 4 matching works",
        "last known at University of California, Los Angeles",
    ]


# ---------------------------------------------------------------- facts from an author record


def _candidate(*positions: str) -> Candidate:
    works = [MatchedWork(id=f"W{i}", title="t", year=2025, position=p, author_count=3) for i, p in enumerate(positions)]
    return Candidate(id="A5000000008", name="Howard Lim", works=works)


def test_facts_come_from_affiliations_counts_by_year_and_the_matching_works() -> None:
    record = next(r for r in load("discover_authors_batch.json")["results"] if r["id"].endswith("A5000000008"))

    read = author_facts(record, _candidate("last", "middle"), Scope(institutions=[UW], since=2021))

    assert (read.works_count, read.h_index) == (88, 30)
    assert (read.first_year, read.last_year) == (2005, 2025)  # the 2025 matching work is newer than the record
    assert (read.last_author_works, read.multi_author_works) == (1, 2)
    assert (read.last_known, read.at_requested) == (["University of Washington"], True)


def test_without_an_author_record_the_facts_are_unknown_and_the_verdict_unclear() -> None:
    read = author_facts(None, _candidate("first"), Scope(institutions=[UW], since=2021))

    assert read.at_requested is None and read.works_count is None
    assert judge(read, THIS_YEAR).status == "unclear"


# ---------------------------------------------------------------- search queries


def test_a_search_query_keeps_the_research_words_only() -> None:
    item = "Graduate Student Researcher, Efficient Learning Group — Jan 2025 – present"
    assert search_query(item) == "efficient OR learning"
    publication = "M. Chen, D. Okafor and L. Brandt. Small Coresets for Instruction Tuning. Workshop, 2025."
    assert search_query(publication) == "small OR coresets OR instruction OR tuning"
    assert search_query("Data AND NOT models OR (x)") == "data OR models"  # no boolean syntax reaches OpenAlex
    assert search_query("2024 – 2025") is None


def test_items_reducing_to_the_same_words_share_one_search_and_the_student_name_is_left_out() -> None:
    items = [
        CVItem(section="interests", text="Coresets for data selection", source_text="x"),
        CVItem(section="projects", text="coresets, for data-selection!", source_text="x"),
        CVItem(section="publications", text="Maya Chen: coresets revisited", source_text="x"),
    ]

    searches = item_searches(items, "Maya Chen")

    assert [s.query for s in searches] == ["coresets OR data OR selection", "coresets OR revisited"]
    assert searches[0].items == ("Coresets for data selection", "coresets, for data-selection!")


def test_the_works_filter_combines_places_and_date() -> None:
    scope = Scope(institutions=[UCLA, UW], countries=["US"], since=2022)

    assert works_filter(scope) == (
        "authorships.institutions.id:I161318765|I201448701,"
        "authorships.institutions.country_code:us,from_publication_date:2022-01-01"
    )


# ---------------------------------------------------------------- who is a candidate


def _hits(topic: str, *items: str) -> ItemHits:
    return ItemHits(ItemSearch("q", items), load(f"discover_works_{topic}.json")["results"])


def test_only_authorships_at_the_requested_places_make_candidates() -> None:
    pool = collect_candidates(
        [_hits("selection", "item 1"), _hits("synthetic", "item 2")], Scope(institutions=[UCLA], since=2021)
    )

    assert {c.name for c in pool.candidates.values()} == {"Elena Vasquez", "Kai Nakamura"}
    vasquez = pool.candidates["A5000000001"]
    assert vasquez.cv_items == ["item 1", "item 2"]
    assert [(w.id, w.position, w.cv_items) for w in vasquez.works] == [
        ("W4400000001", "last", ["item 1"]),
        ("W4400000003", "last", ["item 1", "item 2"]),  # found by both searches, kept once
    ]
    assert vasquez.institutions == ["University of California, Los Angeles"]
    assert set(pool.works) == {"W4400000001", "W4400000003"}


def test_a_child_institution_counts_through_its_lineage_and_a_country_alone_works_too() -> None:
    hits = load("discover_works_selection.json")["results"]
    child = dict(hits[0]["authorships"][2]["institutions"][0], id="https://openalex.org/I4210127523")
    child["lineage"] = ["https://openalex.org/I4210127523", "https://openalex.org/I161318765"]
    hits[0]["authorships"][2]["institutions"] = [child]  # Vasquez at UCLA Health, a child of UCLA

    by_lineage = collect_candidates([ItemHits(ItemSearch("q", ("i",)), hits)], Scope(institutions=[UCLA], since=2021))
    swiss = collect_candidates([ItemHits(ItemSearch("q", ("i",)), hits)], Scope(countries=["CH"], since=2021))

    assert "A5000000001" in by_lineage.candidates
    assert {c.name for c in swiss.candidates.values()} == {"Thomas Becker"}
