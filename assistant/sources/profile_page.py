"""Profile pages copied from a faculty-profile site.

Layout (blank lines are ignored):

    <name>
    · <position>Verified<affiliation> · <department>
    Active 2009–2026
    About / <paragraph>
    Research topics / - <topic>...
    Selected publications / entries of:
        [<title>]                       optional: an untitled entry stays untitled
        <venue> · <YYYY-MM-DD>          or just the date
        <kind>[Open access][Senior author]<abstract>
    Frequent coauthors / - <N> shared, <name>, [<affiliation>]...
    Labs / <line>...
    Education / <degree>, <institution>...
    Awards & honors / - <award>...

The site's sign-up pitch at the bottom ("- Save to shortlist", "See your match with …") is not the
professor's and is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import InputError
from assistant.merge import merge_papers, year_of
from assistant.sources.detect import clean, make_paper, make_professor_id, parse_date, split_lines
from assistant.types import Coauthor, Paper, PaperSource, Professor

_SECTIONS = {
    "about": "about",
    "research topics": "topics",
    "research interests": "topics",
    "topics": "topics",
    "selected publications": "publications",
    "publications": "publications",
    "frequent coauthors": "coauthors",
    "coauthors": "coauthors",
    "co-authors": "coauthors",
    "labs": "labs",
    "lab": "labs",
    "education": "education",
    "awards & honors": "awards",
    "awards and honors": "awards",
    "awards": "awards",
    "honors": "awards",
}
_SECTION_TITLES = {
    "about": "About",
    "topics": "Research topics",
    "publications": "Selected publications",
    "coauthors": "Frequent coauthors",
    "labs": "Labs",
    "education": "Education",
    "awards": "Awards & honors",
}

# The site's pitch: product-feature bullets and the call to action. Matched by vocabulary, not exact text,
# and only on bullets / short lines so a paper titled "... match score ..." cannot end the page.
_PITCH_BULLET = re.compile(
    r"^-\s*.*\b(match score|shortlist|ai[- ]drafted|free to start|no credit card|sign[- ]?up|phd ?fit)\b",
    re.IGNORECASE,
)
_PITCH_LINE = re.compile(r"^(see your match\b|.*\bphd ?fit\b)", re.IGNORECASE)
_PITCH_MAX_CHARS = 200

_VERIFIED = re.compile(r"\s*Verified(?=[A-Z\s]|$)\s*")
_ACTIVE = re.compile(r"^Active\s+(\d{4})\s*(?:[–—-]\s*(\d{4}))?", re.IGNORECASE)
_VENUE_DATE = re.compile(r"^(?:(?P<venue>.+?)\s+·\s+)?(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)$")
_SHARED = re.compile(r"^-\s*(\d+)\s+shared\b", re.IGNORECASE)
_DEGREE = re.compile(
    r"^(ph\.?\s*d|d\.?\s*phil|doctor|dr\.|master|bachelor|diploma|postdoc|habilitation|mba\b|"
    r"[mb]\.?\s*(sc?|a|eng|tech|phil|e)\b\.?)",
    re.IGNORECASE,
)
_KINDS = sorted(
    (
        "article book-chapter book dataset dissertation editorial erratum letter libguides other paratext "
        "peer-review preprint reference-entry report retraction review standard supplementary-materials "
        "grant proceedings proceedings-article conference-paper thesis"
    ).split(),
    key=len,
    reverse=True,
)
_FLAGS = ("Open access", "Senior author")

Line = tuple[int, str]  # (1-based line number, stripped text)


@dataclass
class _Page:
    name: Line
    header: Line | None = None
    active: Line | None = None
    sections: dict[str, list[Line]] = field(default_factory=dict)


def read_profile(text: str, path: Path, professor: str | None = None) -> tuple[list[Professor], list[str]]:
    """One Professor with the page's papers, de-duplicated; `professor` overrides the page's name."""
    page = _split_page(text, path)
    skipped: list[str] = []
    if not professor and not looks_like_name(page.name[1]):
        raise InputError(
            f"a profile page starts with the professor's name, and this one starts with {page.name[1][:80]!r}, "
            "which does not read as a name: pass --professor NAME if the page is theirs, or check the file",
            path=str(path),
            line=page.name[0],
        )
    name = clean(professor) or page.name[1]
    position, affiliation, department = _parse_header(page.header[1] if page.header else "")
    active_from, active_to = _parse_active(page.active[1] if page.active else "")
    sections = page.sections
    papers = _parse_publications(sections.get("publications", []), path, skipped)
    if not papers:
        raise InputError(
            "the profile page has no publication with a title or an abstract under 'Selected publications', so "
            "there is nothing to index; nothing was written",
            path=str(path),
        )
    prof = Professor(
        id=make_professor_id(name, path, None if professor else page.name[0]),
        name=name,
        position=position,
        affiliation=affiliation,
        department=department,
        active_from=active_from,
        active_to=active_to,
        about=clean("\n".join(text for _, text in sections.get("about", []))),
        topics=_items(sections.get("topics", [])),
        coauthors=_parse_coauthors(sections.get("coauthors", [])),
        labs=_items(sections.get("labs", [])),
        education=_parse_education(sections.get("education", [])),
        awards=_items(sections.get("awards", [])),
        papers=merge_papers([], papers)[0],
    )
    return [prof], skipped


# A name: up to six words, each capitalised or a particle (de, van, al-…), initials allowed; no sentence
# punctuation or digits ("Welcome to our lab!" is not one).
_PARTICLES = "de|van|von|der|den|da|di|du|la|le|del|bin|al|ibn|y|e"
_NAME_WORD = re.compile(rf"^(?:[A-ZÀ-ÖØ-Þ\u0100-\u024f][\w'’.-]*|[A-Z]\.|(?:{_PARTICLES})[-’']?\w*)$")
_NAME_MAX_WORDS = 6


def looks_like_name(line: str) -> bool:
    words = line.replace(",", " ").split()
    if not words or len(words) > _NAME_MAX_WORDS or re.search(r"[!?:;@/|#<>()\d]", line):
        return False
    if any(_not_a_name_word(w) for w in words):
        return False
    return all(_NAME_WORD.match(w) for w in words) and any(w[0].isupper() for w in words)


_SITE_WORDS = frozenset(
    "welcome to our the your us about home homepage lab laboratory group page news research team people join "
    "of and for with at in on is are this".split()
)


def _not_a_name_word(word: str) -> bool:
    """Words of a page's greeting or heading ("Welcome to Our Lab"); a lone capital is an initial."""
    lower = word.lower().strip(".")
    return lower in _SITE_WORDS and not (len(word) == 1 and word.isupper())


def _split_page(text: str, path: Path) -> _Page:
    lines = [(n, line.strip()) for n, line in enumerate(split_lines(text), start=1) if line.strip()]
    lines = _without_pitch(lines)
    if not lines:
        raise InputError("a profile page starts with the professor's name, and this one has none", path=str(path))
    page = _Page(name=lines[0])
    current: str | None = None
    for number, line in lines[1:]:
        section = _SECTIONS.get(line.lower())
        if section:
            current = section
            page.sections.setdefault(section, [])
        elif current:
            page.sections[current].append((number, line))
        elif line.startswith("·") and page.header is None:
            page.header = (number, line)
        elif _ACTIVE.match(line) and page.active is None:
            page.active = (number, line)
        else:
            page.sections.setdefault("about", []).append((number, line))  # untitled text under the header
    return page


def _without_pitch(lines: list[Line]) -> list[Line]:
    """Everything before the first line of the site's sign-up pitch."""
    for pos, (_, line) in enumerate(lines):
        if pos >= 2 and len(line) <= _PITCH_MAX_CHARS and (_PITCH_BULLET.match(line) or _PITCH_LINE.match(line)):
            return lines[:pos]
    return lines


def _parse_header(line: str) -> tuple[str | None, str | None, str | None]:
    """`· <position>Verified<affiliation> · <department>` -> (position, affiliation, department)."""
    parts = [p.strip() for p in line.lstrip("·").split(" · ") if p.strip()]
    if not parts:
        return None, None, None
    head, rest = parts[0], parts[1:]
    pieces = _VERIFIED.split(head, maxsplit=1)
    if len(pieces) == 2:
        position, affiliation = clean(pieces[0]), clean(pieces[1])
    elif rest:  # no "Verified" badge: the parts are position · affiliation [· department]
        position, affiliation, rest = head, rest[0], rest[1:]
    else:
        position, affiliation = head, None
    return position, affiliation, clean(" · ".join(rest))


def _parse_active(line: str) -> tuple[int | None, int | None]:
    match = _ACTIVE.match(line)
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def _items(lines: list[Line]) -> list[str]:
    return [item for _, line in lines if (item := line.removeprefix("-").strip())]


def _parse_publications(lines: list[Line], path: Path, skipped: list[str]) -> list[Paper]:
    """Entries of [title] / venue · date / kind+abstract, read in order; a broken entry is an InputError."""
    papers: list[Paper] = []
    pos = 0
    while pos < len(lines):
        title: Line | None = None
        if not _VENUE_DATE.match(lines[pos][1]):
            title = lines[pos]
            pos += 1
            if pos >= len(lines) or not _VENUE_DATE.match(lines[pos][1]):
                raise _entry_error(
                    f"publication entry {title[1][:60]!r} has a title line but no '<venue> · <date>' line after it",
                    path,
                    title[0],
                )
        venue_line = lines[pos]
        pos += 1
        if pos >= len(lines) or _VENUE_DATE.match(lines[pos][1]):
            raise _entry_error("publication entry has a venue/date line but no abstract line", path, venue_line[0])
        body = lines[pos]
        pos += 1
        paper = _entry_paper(title, venue_line, body, path, skipped)
        if paper:
            papers.append(paper)
    return papers


def _entry_error(message: str, path: Path, line: int) -> InputError:
    return InputError(
        f"in 'Selected publications': {message}. Each entry is an optional title line, a '<venue> · <date>' line "
        "and a '<kind><abstract>' line",
        path=str(path),
        line=line,
    )


def _entry_paper(title: Line | None, venue_line: Line, body: Line, path: Path, skipped: list[str]) -> Paper | None:
    match = _VENUE_DATE.match(venue_line[1])
    assert match is not None  # the caller matched it
    venue = clean(match.group("venue"))
    date = parse_date(match.group("date"))
    kind, open_access, senior, abstract = _parse_body(body[1])
    source = PaperSource(origin=path.name, venue=venue, date=date, kind=kind, open_access=open_access)
    return make_paper(
        title[1] if title else None,
        abstract,
        f"{path}:{(title or venue_line)[0]}",
        skipped,
        year=year_of(date),
        date=date,
        venue=venue,
        senior_author=senior,
        sources=[source],
    )


def _parse_body(line: str) -> tuple[str | None, bool, bool, str | None]:
    """`preprintOpen accessSenior authorWhile next-token…` -> (kind, open access, senior author, abstract)."""
    kind = _leading_kind(line)
    rest = line[len(kind) :] if kind else line
    flags: set[str] = set()
    stripped = True
    while stripped:
        stripped = False
        for flag in _FLAGS:
            if rest.startswith(flag):
                flags.add(flag)
                rest = rest[len(flag) :].lstrip()
                stripped = True
    return kind, "Open access" in flags, "Senior author" in flags, clean(rest)


def _leading_kind(line: str) -> str | None:
    glued = re.match(r"[a-z]+(?:-[a-z]+)*", line)
    if glued:
        after = line[glued.end() : glued.end() + 1]
        if not after or after.isupper():  # "articleMixed linear…": the capital marks where the kind ends
            return glued.group()
    return next((k for k in _KINDS if line.startswith(k)), None)


def _parse_coauthors(lines: list[Line]) -> list[Coauthor]:
    """Groups of `- N shared` / name / optional affiliation."""
    groups: list[tuple[int | None, list[str]]] = []
    for _, line in lines:
        shared = _SHARED.match(line)
        if shared:
            groups.append((int(shared.group(1)), []))
        elif groups and len(groups[-1][1]) < 2:
            groups[-1][1].append(line)
        else:  # a name with no count before it
            groups.append((None, [line.removeprefix("-").strip()]))
    return [
        Coauthor(name=texts[0], shared=shared, affiliation=texts[1] if len(texts) > 1 else None)
        for shared, texts in groups
        if texts
    ]


def _parse_education(lines: list[Line]) -> list[str]:
    """Degree line + institution line pairs, joined as "degree, institution"; a degree with no institution
    line (the next line is another degree) stands alone."""
    texts = [line.removeprefix("-").strip() for _, line in lines]
    result: list[str] = []
    pos = 0
    while pos < len(texts):
        degree = texts[pos]
        nxt = texts[pos + 1] if pos + 1 < len(texts) else None
        if nxt and not _DEGREE.match(nxt):  # the institution under a degree never reads like a degree
            result.append(f"{degree}, {nxt}")
            pos += 2
        else:
            result.append(degree)
            pos += 1
    return result
