"""Degrees claimed for the student: the level (a PhD, an M.Sc.), then what the sentence gives that degree (its
field, institution and years) must be one degree entry of the CV."""

from __future__ import annotations

import re

from assistant.guardrails.checks.student_common import AT_RUN_RE, aspirational, claim, trim_run
from assistant.guardrails.cv_facts import Part, cv_units, unbacked_part, year_parts
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import is_generic, norm
from assistant.text import content_words
from assistant.types import Violation

_DEGREE_LEVELS: dict[str, str] = {
    "doctoral": r"Ph\.?\s?D\.?|PhD|DPhil|[Dd]octorate|[Dd]octoral",
    "master's": r"M\.?S\.?c?\.?|M\.?Eng\.?|M\.?Tech\.?|M\.A\.|MA|MPhil|MBA|MRes|[Mm]aster(?:['’]s|s)?",
    "bachelor's": r"B\.?S\.?c?\.?|B\.?Eng\.?|B\.?Tech\.?|B\.E\.|BE|B\.A\.|BA|[Bb]achelor(?:['’]s|s)?|"
    r"[Uu]ndergrad(?:uate)?",
}
_DEGREE_RES = {level: re.compile(rf"(?<![A-Za-z])(?:{p})(?![A-Za-z])") for level, p in _DEGREE_LEVELS.items()}
ANY_DEGREE_RE = re.compile("|".join(r.pattern for r in _DEGREE_RES.values()))
# Where what a sentence says of one degree ends: the next degree, clause (", I collected…") or item.
# "…from KAIST and would be thrilled to apply for Fall 2027": a verb after "and" starts what the student does next;
# "In my M.Sc. I have been working on speeches from 2008–2023": a new subject starts a clause of its own.
_NEXT_VERB = r"would|will|am|was|have|has|had|now|since|also|currently|plan|hope|want|wish|then|I|is|are"
_DEGREE_TAIL_END_RE = re.compile(
    rf"[;:]|\s[-–—]\s|,\s+(?:where|which|and|but|while|with|I|we|she|he|they)\b|\b(?:and|then)\s+(?:an?|my|his|her|the)\s|"
    rf"\b(?:and|but)\s+(?:{_NEXT_VERB})\b|\s(?:I|we|she|he)\s|{ANY_DEGREE_RE.pattern}"
)
# A degree is claimed only in a frame that gives it to the student: "I am an M.Sc. student", "I hold a BSc",
# "with an M.Sc. in…", "my master's thesis", "she is a PhD candidate". "As a PhD student in your group", "doing a
# PhD under your supervision", "interest in a PhD" and "PhD programs" are plans, not degrees held.
# A word between the frame and the degree modifies the degree ("my recent M.Sc."); a preposition means the
# degree is the object of something else ("my interest in PhD research", "have an interest in a PhD").
_DEGREE_MODIFIER = r"(?:(?!(?:in|of|for|on|about|to|at|from|under|with|into|toward|towards)\s)[\w'’.-]+\s+)"
_DEGREE_FRAME_RE = re.compile(
    r"(?:\b(?:I\s+am|I['’]m|I\s+was|I\s+have\s+been|(?:[Ss]he|[Hh]e|[Tt]hey)\s+(?:is|was|are)|is|was)\s+"
    rf"(?:currently\s+|now\s+|also\s+|still\s+)?an?\s+{_DEGREE_MODIFIER}{{0,3}}?"
    r"|\b(?:I\s+am|I['’]m|(?:[Ss]he|[Hh]e)\s+is)\s+(?:currently\s+)?(?:pursuing|doing|completing|finishing)\s+"
    rf"(?:an?\s+|my\s+|(?:his|her)\s+)?{_DEGREE_MODIFIER}{{0,2}}?"
    r"|\b(?:hold|holds|held|have|has|had|earned|earn|received|completed|obtained|finished|got|gained)\s+"
    rf"(?:an?\s+|my\s+|(?:his|her)\s+|the\s+){_DEGREE_MODIFIER}{{0,2}}?"
    rf"|\bgraduated\s+(?:with\s+)?(?:an?\s+)?|\bwith\s+an?\s+|\b(?:[Mm]y|[Hh]is|[Hh]er)\s+{_DEGREE_MODIFIER}{{0,2}}?)$"
)
# A degree in a clause that plans or asks ("I would like my PhD to…", "whether you would consider supervising my
# PhD") is one the student does not hold yet.
_DEGREE_PLAN_RE = re.compile(
    r"\b(?:would|could|will|might|shall|wish|hope|hoping|plan|planning|want|wanting|intend|intending|consider|"
    r"considering|supervise|supervising|supervision)\b|['’]d\b",
    re.IGNORECASE,
)
_NOT_A_DEGREE_AFTER_RE = re.compile(
    r"^\W*(?:\w+\s+)?(?:programs?|positions?|openings?|admissions?|applicants?|applications?|opportunit\w*|"
    r"studies|supervision|advisor|students|student\s+in\s+your|student\s+with\s+you|fellowships?|scholarships?|"
    r"awards?|prizes?|grants?)\b",
    re.IGNORECASE,
)
# A field ends where the sentence goes on to say when ("in Computer Science Engineering this June", "in 2025").
_WHEN = (
    r"this|last|next|earlier|in|back|ago|(?:19|20)\d\d|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|spring|summer|autumn|fall|winter"
)
_DEGREE_FIELD_RE = re.compile(
    rf"^\s+(?:degree\s+)?(?:in|of)\s+(?!(?:{_WHEN})\b)(?P<field>[A-Za-z&][A-Za-z&\s-]{{1,60}}?)"
    rf"(?=\s*(?:[,.;:()]|$|\s(?:at|from|with|where|under|to|for|since|during|and\s+I|{_WHEN})\b))"
)


def degree_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for level, pattern in _DEGREE_RES.items():
        for m in pattern.finditer(s.text):
            clause = s.text[max(0, m.start() - 80) : m.start()].split(",")[-1]
            if not _DEGREE_FRAME_RE.search(clause) or _NOT_A_DEGREE_AFTER_RE.match(s.text[m.end() :]):
                continue
            if _DEGREE_PLAN_RE.search(clause) or _planned_possession(clause, s.text[m.end() :]):
                continue
            degrees = [u for u in cv_units(ev.cv_raw, ANY_DEGREE_RE) if pattern.search(u.raw)]
            if not degrees:
                out.append(claim(s, m.start(), m.end(), f"a {level} degree"))
                continue
            missing = unbacked_part(degrees, _degree_parts(s.text, m.end()))
            if missing:
                out.append(claim(s, missing.start, missing.start + len(missing.text), missing.what))
    return out


def _degree_parts(text: str, at: int) -> list[Part]:
    """What the sentence gives the degree that ends at `at`: its field, institution and years, up to the next
    degree or clause ("an M.Sc. in Computer Engineering from Aarhus University (2025) and a B.Sc. in…")."""
    end = min([len(text), *(m.start() for m in _DEGREE_TAIL_END_RE.finditer(text, at))])
    tail = text[at:end]
    parts = []
    field = _DEGREE_FIELD_RE.match(tail)
    if field:
        parts.append(Part("the degree field", field.group("field"), at + field.start("field")))
    place = AT_RUN_RE.search(tail, field.end() if field else 0)
    if place:
        run = trim_run(place.group("run"))
        if content_words(norm(run)) and not all(is_generic(w) for w in run.split()):
            parts.append(Part("the institution", run, at + place.start("run")))
    return parts + year_parts(tail, at)


# A signature line gives the student's degree as a role: "PhD candidate, KTH", "M.Sc. student in Data Science".
_ROLE_AFTER_RE = re.compile(r"\s+(?:in\s+[\w\s&-]+?\s+)?(?:student|candidate|researcher)\b", re.IGNORECASE)


def signature_degree_claims(ev: Evidence, s: Sentence, at_start: bool = False) -> list[Violation]:
    """A degree the signature (or, `at_start`, a list item about the student: "- PhD candidate at KTH") gives the
    student as their role must be one the CV lists ("PhD candidate" under a CV with an M.Sc. only); "Prospective
    PhD student" is a plan."""
    out = []
    for level, pattern in _DEGREE_RES.items():
        for m in pattern.finditer(s.text):
            if at_start and s.text[: m.start()].strip():
                continue
            if not _ROLE_AFTER_RE.match(s.text, m.end()) or aspirational(s.text, m.start()):
                continue
            if not any(pattern.search(u.raw) for u in cv_units(ev.cv_raw, ANY_DEGREE_RE)):
                out.append(claim(s, m.start(), m.end(), f"a {level} degree"))
    return out


_POSSESSIVE_END_RE = re.compile(r"\b(?:[Mm]y|[Hh]is|[Hh]er)\s+(?:future\s+)?$")
_PLAN_AFTER_RE = re.compile(
    r"^[^.;:!?]{0,40}?\b(?:I|we)\s+(?:would|['’]d|hope|plan|want|wish|intend|aim)\b|^[^.;:!?]{0,20}?\bwould\b"
)


def _planned_possession(clause: str, after: str) -> bool:
    """ "In my PhD I would like to study…", "My PhD would focus on…": the student's degree to come, as the
    modal after it says; "my PhD thesis is on…" would claim one."""
    return bool(_POSSESSIVE_END_RE.search(clause)) and bool(_PLAN_AFTER_RE.match(after))
