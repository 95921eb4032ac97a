"""Classifying a CV's lines: blank, decorative rule, bullet, contact field or section heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.types import CVSection


@dataclass
class Line:
    number: int  # 1-based
    start: int  # offset of the line in the text
    raw: str


@dataclass
class Kind:
    blank: bool = False
    rule: bool = False  # a decorative line: ----, ====, ____
    section: CVSection | None = None  # set when the line is a heading
    inline: int | None = None  # for "Skills: Python, C++": where the content after the label starts
    contact_field: bool = False  # "Email: …", "GitHub: …": skipped, does not change the section
    bullet: int | None = None  # where the content after a bullet marker starts
    bullet_only: bool = False  # a bullet glyph alone on its line (pypdf emits these for list flowables)


BULLET = re.compile(r"^\s*(?:[-*+•◦▪▫‣●○■□►▸➢➤✓✔·–—]|\(?\d{1,2}[.)]|\[\d{1,2}\])(?=\s|$)\s*")
RULE = re.compile(r"^\s*([-=_*~#—–.·])(\s*\1){2,}\s*$")
_CONTACT_LABEL = re.compile(
    r"^(e-?mail|phone|tel|mobile|cell|web|website|homepage|home page|github|gitlab|linkedin|twitter|address|"
    r"orcid|google scholar|scholar|portfolio|blog|citizenship|nationality|date of birth)$",
    re.IGNORECASE,
)

_HEADING_RULES: list[tuple[re.Pattern[str], CVSection]] = [
    (
        re.compile(
            r"\b(hobbies|personal interests|references|service|activities|leadership|volunteer|volunteering|"
            r"certifications?|certificates|extracurricular|outreach|memberships|affiliations|misc|miscellaneous)\b"
        ),
        "other",
    ),
    (re.compile(r"\binterests?\b|\bresearch (focus|areas?|agenda|statement|summary|objectives?)\b"), "interests"),
    (re.compile(r"\b(publications?|papers|preprints|manuscripts|talks|presentations|posters)\b"), "publications"),
    (
        re.compile(
            r"\b(skills?|tools|technolog(y|ies)|programming|languages?|software|frameworks|competencies|"
            r"expertise|toolbox|stack)\b"
        ),
        "skills",
    ),
    (re.compile(r"\bprojects?\b"), "projects"),
    (
        re.compile(
            r"\b(awards?|honou?rs?|scholarships?|fellowships?|achievements|grants|distinctions|prizes|recognition)\b"
        ),
        "awards",
    ),
    (
        re.compile(r"\b(education|academic background|coursework|courses|qualifications|degrees|training)\b"),
        "education",
    ),
    (
        re.compile(r"\b(experiences?|employment|positions|appointments|internships?|work history|research|teaching)\b"),
        "experience",
    ),
    (re.compile(r"\b(summary|objective|profile|about)\b"), "interests"),
    (re.compile(r"\b(contact|information|details)\b"), "contact"),
]

# A heading may contain only these words: "Machine Learning Research" is an entry, "Research Experience" a heading.
_HEADING_WORDS = frozenset(
    """research interests interest areas area focus summary statement objective objectives profile about me agenda
    education academic background coursework courses relevant qualifications degrees training
    skills skill tools technical programming languages language software frameworks technologies technology computer
    computing competencies expertise toolbox stack tech
    publications publication papers preprints manuscripts selected peer reviewed refereed conference journal workshop
    talks presentations posters under review submitted
    experience experiences work professional industry industrial teaching employment positions appointments
    internships internship history
    projects project personal side open source course independent capstone
    awards award honors honours honor honour scholarships scholarship fellowships fellowship achievements grants
    distinctions prizes recognition
    contact information details info
    service activities leadership volunteering volunteer certifications certificates extracurricular references
    hobbies outreach memberships affiliations misc miscellaneous
    additional other key recent and of in the my for""".split()
)


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, offset, raw))
        offset += len(raw) + 1
    return lines


def classify(raw: str) -> Kind:
    stripped = raw.strip()
    if not stripped:
        return Kind(blank=True)
    if RULE.match(stripped):
        return Kind(rule=True)
    bullet = BULLET.match(raw)
    if bullet:
        return Kind(bullet=bullet.end(), bullet_only=bullet.end() >= len(raw.rstrip()))
    return _heading_kind(raw) or Kind()


def _heading_kind(raw: str) -> Kind | None:
    """Headings in any common form: "EDUCATION", "Education:", "## Research Interests", "**Skills & Tools**"."""
    body_start = len(raw) - len(raw.lstrip(" \t#"))
    label, sep, rest = raw[body_start:].rstrip().partition(":")
    if len(label) > 80:  # headings and their labels are short; long lines are entries
        return None
    label = strip_emphasis(label)
    if sep and rest.strip(" *_"):
        if _CONTACT_LABEL.match(label.strip(" *_")):
            return Kind(contact_field=True)
        section = _heading_section(label)
        if section is None:
            return None
        label_end = raw.index(":", body_start) + 1
        inline = label_end + len(raw[label_end:]) - len(raw[label_end:].lstrip(" \t*_"))
        return Kind(section=section, inline=inline)
    section = _heading_section(label.strip())
    return Kind(section=section) if section else None


def strip_emphasis(text: str) -> str:
    return re.sub(r"(\*\*|__)(.{1,120}?)\1", r"\2", text).strip()


def _heading_section(label: str) -> CVSection | None:
    if len(label) > 80:
        return None
    label = re.sub(r"\([^)]*\)", "", label).strip(" *_")
    if re.fullmatch(r"(?:[A-Z] )+[A-Z]", label):  # letter-spaced: "E D U C A T I O N"
        label = label.replace(" ", "")
    if not label or len(label) > 45 or not label[0].isupper() or re.search(r"[\d@,.;]", label):
        return None
    words = re.findall(r"[a-z]+", label.lower().replace("&", " and "))
    if not words or len(words) > 5 or any(word not in _HEADING_WORDS for word in words):
        return None
    joined = " ".join(words)
    return next((section for pattern, section in _HEADING_RULES if pattern.search(joined)), None)
