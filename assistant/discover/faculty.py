"""Is a candidate likely faculty, a likely student or postdoc, or unclear? Documented rules, with the reason shown.

OpenAlex has no job titles, so we read the publication record (README: "Faculty rules"). The thresholds and
why each:

- career length: years from the first to the last publication. A PhD takes 5-6 years and a postdoc 2-3 more
  before a first faculty job, so up to CAREER_STUDENT_MAX (5) years reads as a student, from CAREER_FACULTY_MIN
  (9) as someone who has had time to become faculty; in between is a postdoc or a new professor.
- output: running a group produces papers; WORKS_FACULTY_MIN (25) works on record backs a long career, fewer
  than WORKS_JUNIOR_MAX (15) goes with a junior one.
- last-author share on the matching works that have co-authors: in most experimental fields the group leader
  signs last, so last on at least SENIOR_SHARE (half) of them (over at least MIN_POSITION_WORKS, 2) marks a
  leader even early on, and never last over several works marks a junior. Fields that order authors
  alphabetically (mathematics, theory, economics) make this signal noise; the career rule does not use it.
- still at the requested place: someone whose last known institution is elsewhere has probably moved, so
  "likely faculty" becomes "unclear" (moved, or a visitor on one paper).
- inactive: no publication in the last INACTIVE_YEARS (2) years is flagged, not hidden.

Everything not decided by a rule is "unclear", shown with what was weighed; nothing is dropped silently.
"""

from __future__ import annotations

from assistant.discover.aggregate import in_scope
from assistant.discover.models import FACULTY, STUDENT, UNCLEAR, AuthorFacts, Candidate, Scope, Status, Verdict
from assistant.sources.openalex.authors import last_known_institutions
from assistant.sources.openalex.parse import Json, as_dict, as_int, as_list, as_str

CAREER_STUDENT_MAX = 5
CAREER_FACULTY_MIN = 9
CAREER_LEADER_MIN = 6  # the last-author rule needs a PhD's worth of record behind it
WORKS_FACULTY_MIN = 25
WORKS_JUNIOR_MAX = 15
SENIOR_SHARE = 0.5
MIN_POSITION_WORKS = 2
INACTIVE_YEARS = 2


def author_facts(record: Json | None, candidate: Candidate, scope: Scope) -> AuthorFacts:
    """The facts the rules read, from an author record (None when OpenAlex had none) and the matching works."""
    multi = [w for w in candidate.works if w.author_count >= 2]
    last = sum(1 for w in multi if w.position == "last")
    work_years = [w.year for w in candidate.works if w.year]
    if record is None:
        return AuthorFacts(last_author_works=last, multi_author_works=len(multi))
    active = [as_int(as_dict(c).get("year")) for c in as_list(record.get("counts_by_year")) if _has_works(c)]
    affiliated = [as_int(y) for a in as_list(record.get("affiliations")) for y in as_list(as_dict(a).get("years"))]
    years = [y for y in (*active, *affiliated, *work_years) if y]
    latest = [y for y in (*active, *work_years) if y]
    institutions = last_known_institutions(record)
    return AuthorFacts(
        works_count=as_int(record.get("works_count")),
        h_index=as_int(as_dict(record.get("summary_stats")).get("h_index")),
        first_year=min(years, default=None),
        last_year=max(latest, default=None),
        last_known=[n for n in (as_str(i.get("display_name")) for i in institutions) if n],
        at_requested=any(in_scope(i, scope) for i in institutions) if institutions else None,
        last_author_works=last,
        multi_author_works=len(multi),
    )


def _has_works(count: object) -> bool:
    return (as_int(as_dict(count).get("works_count")) or 0) > 0


def judge(facts: AuthorFacts, this_year: int) -> Verdict:
    status, rule = _career_rule(facts)
    reasons = [rule]
    if facts.at_requested is False:
        where = ", ".join(facts.last_known)
        reasons.insert(0, f"last known at {where}, not a requested place")
        if status == FACULTY:
            status = UNCLEAR
    inactive = facts.last_year is not None and facts.last_year <= this_year - INACTIVE_YEARS
    if inactive:
        reasons.insert(0, f"no publications since {facts.last_year}")
    return Verdict(status=status, reasons=reasons, facts=_described(facts), inactive=inactive)


def _career_rule(facts: AuthorFacts) -> tuple[Status, str]:
    career = career_years(facts)
    works = facts.works_count
    share = senior_share(facts)
    if career is None or works is None:
        return UNCLEAR, "no publication history in the author record"
    if career >= CAREER_FACULTY_MIN and works >= WORKS_FACULTY_MIN:
        return FACULTY, f"long record: {career} years, {works} works"
    if career >= CAREER_LEADER_MIN and works >= WORKS_JUNIOR_MAX and share is not None and share >= SENIOR_SHARE:
        return FACULTY, f"leads the matching work (last author) after {career} years, {works} works"
    if career <= CAREER_STUDENT_MAX and (share is None or share < SENIOR_SHARE):
        return STUDENT, f"short record: {career} year(s), {works} works"
    if works < WORKS_JUNIOR_MAX and share == 0 and career < CAREER_FACULTY_MIN:
        return STUDENT, f"{works} works, never last author on the matching ones"
    return UNCLEAR, f"between the thresholds: {career} years, {works} works"


def career_years(facts: AuthorFacts) -> int | None:
    if facts.first_year is None or facts.last_year is None:
        return None
    return facts.last_year - facts.first_year + 1


def senior_share(facts: AuthorFacts) -> float | None:
    if facts.multi_author_works < MIN_POSITION_WORKS:
        return None
    return facts.last_author_works / facts.multi_author_works


def _described(facts: AuthorFacts) -> list[str]:
    out = []
    if facts.first_year and facts.last_year:
        out.append(f"publishing {facts.first_year}–{facts.last_year}")
    if facts.h_index is not None:
        out.append(f"h-index {facts.h_index}")
    if facts.multi_author_works:
        out.append(f"last author on {facts.last_author_works} of {facts.multi_author_works} matching works")
    if facts.last_known and facts.at_requested:
        out.append(f"last known at {', '.join(facts.last_known)}")
    return out
