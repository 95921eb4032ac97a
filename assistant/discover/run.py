"""`outreach discover`: from a CV to a ranked list of likely faculty at chosen places, over OpenAlex.

The steps, each in its own module: plan the calls and check the budget (plan.py), resolve the places, search
works for each research item (search.py), collect the authors at those places (aggregate.py), rank them with
the match score (rank.py), fetch their author records in rank order and judge who is likely faculty
(faculty.py), then, when asked, ingest the chosen ones and shortlist them.

Nothing is written to the store or the shortlist until every call of the discovery has succeeded; the only
writes before that are cache entries of successful answers (so a stopped run is cheaper to repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import httpx

from assistant.catalog import Catalog
from assistant.discover.aggregate import collect_candidates
from assistant.discover.faculty import author_facts, judge
from assistant.discover.models import (
    STUDENT,
    CallReport,
    Candidate,
    DiscoveredProfessor,
    DiscoverOptions,
    Discovery,
    Scope,
)
from assistant.discover.plan import check_budget, make_plan, resolve_scope, validate
from assistant.discover.rank import rank_pool
from assistant.discover.search import ItemSearch, item_searches, search_items
from assistant.errors import InputError
from assistant.ingest import ingest_openalex
from assistant.settings import Settings
from assistant.sources.openalex import OpenAlexSession, lookup_authors, require_key
from assistant.sources.openalex.authors import IDS_PER_CALL
from assistant.sources.openalex.cache import CACHE_DIRNAME, ResponseCache
from assistant.sources.openalex.meter import PRICES_CHECKED, CallBudgetExceeded, Meter, estimate_usd
from assistant.sources.openalex.parse import Json, as_str, short_id
from assistant.sources.openalex.works import works_pages
from assistant.types import IngestReport, MatchResult, StudentProfile

Announce = Callable[[str], None]
DEFAULT_YEARS_BACK = 5


def discover(
    student: StudentProfile,
    settings: Settings,
    options: DiscoverOptions,
    *,
    client: httpx.Client | None = None,
    announce: Announce = lambda _: None,
) -> Discovery:
    """Run a discovery through OpenAlex (`client`: a caller's own HTTP client, left open), with the store's
    cache and a meter holding `options.max_calls`. The plan and progress go to `announce`."""
    require_key(settings, "outreach discover")
    validate(options)
    items = student.research_items()
    searches = item_searches(items, student.name)
    if not searches:
        raise InputError(
            "the CV has no research interests, publications or projects to search for; add a 'Research "
            'interests\' section, or use `outreach discover --text "your interests"`',
            path=student.source_path,
        )
    this_year = _today().year
    since = options.since or this_year - DEFAULT_YEARS_BACK
    with _session(settings, options, client) as api:
        try:
            return _run(student, settings, options, api, searches, since, this_year, announce)
        finally:  # also when the run fails: what it cost so far
            announce(api.meter.summary())


def _today() -> date:
    """The date inactivity is measured from (tests fix it)."""
    return date.today()


def _session(settings: Settings, options: DiscoverOptions, client: httpx.Client | None) -> OpenAlexSession:
    ttl = settings.openalex_cache_ttl_days * 86400
    cache = ResponseCache(settings.store_dir / CACHE_DIRNAME, ttl, refresh=options.refresh)
    return OpenAlexSession(settings, client=client, cache=cache, meter=Meter(max_calls=options.max_calls))


def _run(
    student: StudentProfile,
    settings: Settings,
    options: DiscoverOptions,
    api: OpenAlexSession,
    searches: list[ItemSearch],
    since: int,
    this_year: int,
    announce: Announce,
) -> Discovery:
    plan = make_plan(api, options, searches, since)
    announce(plan.text())
    check_budget(plan)
    scope = resolve_scope(api, options, since)
    announce(f"searching works for {plan.items} CV item(s) at {scope.describe()}")
    pool = collect_candidates(search_items(searches, scope, options.works_per_item, api), scope)
    announce(f"{len(pool.candidates)} candidate(s) with {len(pool.works)} matching work(s); ranking them")
    ranked = rank_pool(student, pool, settings)
    listed, students, considered = _judge_in_rank_order(api, ranked, scope, options, this_year)
    discovery = Discovery(
        scope=scope,
        cv_items=[text for s in searches for text in s.items],
        professors=listed,
        students_not_listed=students,
        ranked_below=len(ranked) - considered,
        candidates_found=len(pool.candidates),
        calls=_call_report(api.meter),
    )
    if options.ingest or options.add_to_shortlist:
        discovery.ingest = _ingest(listed, settings, options, api, announce)
        if options.add_to_shortlist:
            discovery.shortlisted = _shortlist(settings, discovery.ingest.professors)
    discovery.calls = _call_report(api.meter)
    return discovery


def _judge_in_rank_order(
    api: OpenAlexSession,
    ranked: Sequence[tuple[Candidate, MatchResult]],
    scope: Scope,
    options: DiscoverOptions,
    this_year: int,
) -> tuple[list[DiscoveredProfessor], list[DiscoveredProfessor], int]:
    """Author records are fetched 50 at a time from the top of the ranking until the table is full, so a long
    tail of co-authors costs nothing. Returns the listed rows, the likely students ranked among them (listed only
    with --include-students), and how many of the ranked candidates were considered."""
    listed: list[DiscoveredProfessor] = []
    students: list[DiscoveredProfessor] = []
    seen: set[str] = set()
    considered = 0
    for start in range(0, len(ranked), IDS_PER_CALL):
        batch = ranked[start : start + IDS_PER_CALL]
        records = lookup_authors([c.id for c, _ in batch], api)
        for found, match in batch:
            considered += 1
            record = records.get(found.id)
            candidate = _as_recorded(found, record)
            if candidate.id in seen:  # a merged author met under both ids: the better-ranked row stands
                continue
            seen.add(candidate.id)
            facts = author_facts(record, candidate, scope)
            row = DiscoveredProfessor(candidate=candidate, facts=facts, verdict=judge(facts, this_year), match=match)
            if row.verdict.status == STUDENT and not options.include_students:
                students.append(row)
            else:
                listed.append(row)
            if len(listed) == options.top:
                return listed, students, considered
    return listed, students, considered


def _as_recorded(candidate: Candidate, record: Json | None) -> Candidate:
    """The author record is the authority: its display name, and its id when OpenAlex merged the one on the
    works into another (so --ingest asks for the author that exists)."""
    if record is None:
        return candidate
    record_id = short_id(as_str(record.get("id"))) or candidate.id
    return candidate.model_copy(update={"id": record_id, "name": as_str(record.get("display_name")) or candidate.name})


def _ingest(
    listed: Sequence[DiscoveredProfessor],
    settings: Settings,
    options: DiscoverOptions,
    api: OpenAlexSession,
    announce: Announce,
) -> IngestReport:
    """The listed authors (likely students only when listed on purpose), by OpenAlex id so no name is ambiguous;
    every author's works are fetched before anything is written."""
    chosen = [p for p in listed if p.verdict.status != STUDENT or options.include_students]
    if not chosen:
        return IngestReport()
    limit = settings.openalex_max_works
    needed = sum(1 + works_pages(p.facts.works_count or 0, limit) for p in chosen)
    announce(f"ingesting {len(chosen)} author(s): about {needed} more OpenAlex call(s) (works, up to {limit} each)")
    if api.meter.max_calls is not None and api.meter.total + needed > api.meter.max_calls:
        raise CallBudgetExceeded(
            f"ingesting needs about {needed} more OpenAlex calls, {api.meter.total} were made and --max-calls is "
            f"{api.meter.max_calls}; raise --max-calls (the discovery's answers are cached) or ingest fewer. "
            "Nothing was written to the store."
        )
    return ingest_openalex([p.candidate.id for p in chosen], settings, session=api)


def _shortlist(settings: Settings, professor_ids: Sequence[str]) -> list[str]:
    from assistant import shortlist

    catalog = Catalog(settings.catalog_path)
    try:
        return shortlist.add(catalog, professor_ids)
    finally:
        catalog.close()


def _call_report(meter: Meter) -> CallReport:
    return CallReport(
        made=dict(meter.made),
        cached=meter.cached,
        estimated_cost_usd=round(estimate_usd(meter.made), 6),
        prices_checked=PRICES_CHECKED,
        allowance_remaining=meter.remaining,
        allowance_limit=meter.limit,
    )
