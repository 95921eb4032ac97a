"""The types `outreach discover` reads and returns. (Domain types belong in assistant/types.py; these live here
until the discover branch is merged, to keep parallel work apart.)"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.sources.openalex.institutions import Institution
from assistant.types import IngestReport, MatchResult

Status = Literal["likely faculty", "unclear", "likely student or postdoc"]
FACULTY: Status = "likely faculty"
UNCLEAR: Status = "unclear"
STUDENT: Status = "likely student or postdoc"


class DiscoverOptions(BaseModel):
    institutions: list[str] = Field(default_factory=list)  # names, RORs or OpenAlex ids, as the user typed them
    countries: list[str] = Field(default_factory=list)  # ISO 3166 alpha-2 codes
    since: int | None = None  # works published from this year on; None: five years before this one
    top: int = Field(default=10, ge=1)
    max_calls: int = Field(default=50, ge=1)  # requests that reach OpenAlex (cached answers are free)
    works_per_item: int = Field(default=50, ge=1, le=500)  # the most relevant works read per CV item
    include_students: bool = False
    ingest: bool = False
    add_to_shortlist: bool = False
    refresh: bool = False


class Scope(BaseModel):
    """Where to look: resolved institutions and/or countries, and how far back."""

    institutions: list[Institution] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)  # upper case
    since: int

    def describe(self) -> str:
        places = [i.name for i in self.institutions] + self.countries
        return f"{', '.join(places)}, works since {self.since}"


class MatchedWork(BaseModel):
    """A work a CV item's search found, as one candidate's."""

    id: str  # W…
    title: str  # the paper's label (its title, or venue/date and the abstract's first words)
    year: int | None = None
    position: str | None = None  # the candidate's author position: first, middle, last
    author_count: int = 0
    cv_items: list[str] = Field(default_factory=list)  # the CV items whose search found it


class Candidate(BaseModel):
    """An author with at least one matching work at the requested places."""

    id: str  # A…
    name: str
    institutions: list[str] = Field(default_factory=list)  # the requested institutions named on their works
    cv_items: list[str] = Field(default_factory=list)  # the CV items whose search found one of their works
    works: list[MatchedWork] = Field(default_factory=list)

    @property
    def newest_year(self) -> int | None:
        return max((w.year for w in self.works if w.year), default=None)


class AuthorFacts(BaseModel):
    """What the faculty rules read: the author record, and the candidate's matching works."""

    works_count: int | None = None
    h_index: int | None = None
    first_year: int | None = None
    last_year: int | None = None
    last_known: list[str] = Field(default_factory=list)  # last known institutions' names
    at_requested: bool | None = None  # is a last known institution one of the requested ones? None: unknown
    last_author_works: int = 0  # matching works with co-authors on which the candidate is last
    multi_author_works: int = 0  # matching works with co-authors


class Verdict(BaseModel):
    status: Status
    reasons: list[str]  # why: the flags (inactive, moved), then the rule that decided
    facts: list[str] = Field(default_factory=list)  # what else was weighed (years, h-index, last-author share)
    inactive: bool = False  # no publication in the last two years


class DiscoveredProfessor(BaseModel):
    candidate: Candidate
    facts: AuthorFacts
    verdict: Verdict
    match: MatchResult


class CallReport(BaseModel):
    made: dict[str, int]
    cached: int
    estimated_cost_usd: float
    prices_checked: str
    allowance_remaining: float | None = None
    allowance_limit: float | None = None


class Discovery(BaseModel):
    scope: Scope
    cv_items: list[str]  # the research items that were searched
    professors: list[DiscoveredProfessor]  # the table: ranked, likely students left out unless asked for
    students_not_listed: list[DiscoveredProfessor] = Field(default_factory=list)  # ranked above the table's end
    ranked_below: int = 0  # candidates ranked below the table's last row (not shown; a larger --top shows them)
    candidates_found: int = 0
    calls: CallReport
    ingest: IngestReport | None = None
    shortlisted: list[str] = Field(default_factory=list)
