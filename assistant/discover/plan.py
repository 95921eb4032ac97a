"""The plan of a discovery: which OpenAlex calls it needs, what they cost, which the cache already answers.

Printed before the first call, and checked against --max-calls so that a run which cannot fit its budget stops
before spending anything. Institution and works-search URLs are known in advance (works searches once the
institutions are known, so from the cache, or after resolving them); author lookups depend on the ranking, so
the plan counts their minimum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.discover.models import DiscoverOptions, Scope
from assistant.discover.search import ItemSearch, planned_requests
from assistant.errors import InputError
from assistant.sources.openalex import OpenAlexSession, Request, resolve_institution
from assistant.sources.openalex.authors import IDS_PER_CALL
from assistant.sources.openalex.institutions import institution_from_answer, institution_request
from assistant.sources.openalex.meter import CallBudgetExceeded, Tier, describe_counts, estimate_usd, price_note
from assistant.sources.openalex.works import search_pages

MAX_INSTITUTIONS = 50  # OR-ed values in one filter


@dataclass
class Plan:
    institutions: list[Request]
    uncached_institutions: list[Request]
    searches: int  # works-search calls at most (a short last page ends an item's search early)
    searches_cached: int | None  # None: not known before the institutions are resolved
    options: DiscoverOptions
    items: int

    def counts(self) -> Counter[Tier]:
        """The calls that will reach OpenAlex at least, by tier. Author lookups come after the ranking, so they
        count as one batch, or none when everything before them is cached (the same ranking as last time)."""
        counts: Counter[Tier] = Counter(r.tier for r in self.uncached_institutions)
        counts["search"] += self.searches - (self.searches_cached or 0)
        if +counts:
            counts["list"] += 1
        return +counts

    def minimum_calls(self) -> int:
        return sum(self.counts().values())

    def text(self) -> str:
        o = self.options
        places = ", ".join([*o.institutions, *[c.upper() for c in o.countries]])
        cached_places = len(self.institutions) - len(self.uncached_institutions)
        cached_works = "?" if self.searches_cached is None else str(self.searches_cached)
        counts = self.counts()
        return "\n".join(
            [
                f"OpenAlex plan: {self.items} CV item(s) at {places}",
                f"  places        {len(self.institutions)} call(s) "
                f"({describe_counts(Counter(r.tier for r in self.institutions))}), {cached_places} cached",
                f"  works search  {self.searches} search call(s) at most, {o.works_per_item} works per item, "
                f"{cached_works} cached",
                f"  authors       1+ list call(s), {IDS_PER_CALL} records each, in rank order until {o.top} are listed",
                f"  new calls: at least {sum(counts.values())} ({describe_counts(counts)}), about "
                f"${estimate_usd(counts):.4f}; {price_note()}; budget --max-calls {o.max_calls}",
            ]
        )


def make_plan(session: OpenAlexSession, options: DiscoverOptions, searches: Sequence[ItemSearch], since: int) -> Plan:
    requests = [institution_request(q, options.countries) for q in options.institutions]
    answers = [session.peek(r) for r in requests]
    per_item = search_pages(options.works_per_item)
    plan = Plan(
        institutions=requests,
        uncached_institutions=[r for r, a in zip(requests, answers, strict=True) if a is None],
        searches=per_item * len(searches),
        searches_cached=None,
        options=options,
        items=sum(len(s.items) for s in searches),
    )
    if all(a is not None for a in answers):
        institutions = [
            institution_from_answer(q, r, a)
            for q, r, a in zip(options.institutions, requests, answers, strict=True)
            if a is not None
        ]
        scope = Scope(institutions=institutions, countries=_countries(options), since=since)
        plan.searches_cached = sum(
            1 for r in planned_requests(searches, scope, options.works_per_item) if session.peek(r) is not None
        )
    return plan


def check_budget(plan: Plan) -> None:
    needed = plan.minimum_calls()
    if needed > plan.options.max_calls:
        raise CallBudgetExceeded(
            f"this discovery needs at least {needed} OpenAlex calls but --max-calls is {plan.options.max_calls}; "
            "raise --max-calls, or search fewer CV items or places. No call was made."
        )


def resolve_scope(session: OpenAlexSession, options: DiscoverOptions, since: int) -> Scope:
    countries = _countries(options)
    institutions = [resolve_institution(q, session, countries) for q in options.institutions]
    return Scope(institutions=list({i.id: i for i in institutions}.values()), countries=countries, since=since)


def validate(options: DiscoverOptions) -> None:
    if not options.institutions and not options.countries:
        raise InputError("say where to look: --institution NAME|ROR|I-id (repeatable) and/or --country CC")
    if len(options.institutions) > MAX_INSTITUTIONS or len(options.countries) > MAX_INSTITUTIONS:
        raise InputError(f"at most {MAX_INSTITUTIONS} institutions and {MAX_INSTITUTIONS} countries per discovery")
    bad = [c for c in options.countries if len(c.strip()) != 2 or not c.strip().isalpha()]
    if bad:
        raise InputError(f"--country takes two-letter ISO codes (US, GB, DE…), not {', '.join(map(repr, bad))}")


def _countries(options: DiscoverOptions) -> list[str]:
    return list(dict.fromkeys(c.strip().upper() for c in options.countries))
