"""Claims about the student that name their source: what a referee or advisor said of them (a quoted reference),
who supervised them, and which paper they authored. Each is a fact about the student like a degree, so the CV
must hold it: an invented reference quote, a supervisor the CV does not name, or authorship of one of the
professor's papers the CV does not list is a claim the CV does not back."""

from __future__ import annotations

import re

import regex
from rapidfuzz import fuzz

from assistant.guardrails.atoms import Atom
from assistant.guardrails.checks.common import CV_MATCH_RATIO
from assistant.guardrails.checks.student_common import aspirational, claim
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import PROF_PRONOUN_RE, norm
from assistant.text import content_words
from assistant.types import Violation

_AUTHORED_GAP = 5  # characters between the authorship cue and the name: "the ", "of the "
TESTIMONY_MIN_WORDS = 3  # a shorter quote is a term ("gold questions"), not what someone said
# Someone reporting what they think of the student, before the quote: "Dr. Berg writes that I am '…'", "in her
# words", "my reference letter calls my thesis '…'".
_REPORTING_RE = re.compile(
    r"\b(?:writes?|wrote|written|says?|said|describes?|described|calls?|called|notes?|noted|puts?\s+it|words|"
    r"according\s+to|recommendation|reference|referee|letter|praised|considers?|considered)\b",
    re.IGNORECASE,
)
_OWN_WORDS_RE = re.compile(
    r"\b(?:I|we)\s+(?:\w+\s+)?(?:call|called|describe|described|term|termed|name|named|dub|dubbed|put\s+it)\b"
)
_QUOTE_RE = re.compile(r'"([^"\n]{3,300})"|“([^”\n]{3,300})”')
_SUPERVISOR_RE = regex.compile(
    r"\b(?:(?:co-)?supervised|advised|mentored)\s+by\s+|\bunder\s+(?:the\s+)?(?:supervision|guidance)\s+of\s+|"
    r"\b(?:[Mm]y|[Hh]is|[Hh]er)\s+(?:(?:thesis|master['’]s|bachelor['’]s|former|current|research|PhD)\s+)?"
    r"(?:advisor|adviser|supervisor|mentor)(?:\s*,)?\s+"
)
_PERSON_RE = regex.compile(
    r"(?:(?:Prof(?:essor)?|Dr)\.?\s+)?(?P<name>\p{Lu}[\p{L}\p{M}'’-]+(?:\s+\p{Lu}\.)?(?:\s+\p{Lu}[\p{L}\p{M}'’-]+){0,2})"
)
_AUTHORSHIP_RE = re.compile(
    r"\b(?:I|[Ss]he|[Hh]e|[Tt]he\s+(?:student|applicant|candidate))\s+(?:am|is|was|have\s+been|has\s+been)\s+"
    r"(?:the\s+|an?\s+)?(?:first|lead|sole|main|co-?|corresponding)[\s-]?author\s+(?:of|on)\b|"
    r"\b(?:I|[Ss]he|[Hh]e)\s+(?:co-?)?(?:authored|wrote|first-authored)\b"
)


def source_claims(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    """The claims of one sentence about the student that name a source."""
    return _testimony(ev, s) + _supervisors(ev, s) + _authorship(email, ev, s)


def _testimony(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for m in _QUOTE_RE.finditer(s.text):
        quote = m.group(1) or m.group(2)
        start = m.start(1) if m.group(1) else m.start(2)
        before = s.text[: m.start()]
        if len(quote.split()) < TESTIMONY_MIN_WORDS or not _REPORTING_RE.search(before):
            continue
        if PROF_PRONOUN_RE.search(before) or _OWN_WORDS_RE.search(before):
            continue  # "as you wrote, '…'": the professor's words; "what I call '…'": the student's own
        if _in_texts(quote, ev):
            continue
        out.append(claim(s, start, start + len(quote), "a reference quote"))
    return out


def _in_texts(quote: str, ev: Evidence) -> bool:
    """The quote is the CV's (a title, a line), or the professor's (a title or an abstract's words)."""
    n = norm(quote)
    if not content_words(n) or f" {n} " in ev.cv.norm or fuzz.partial_ratio(n, ev.cv.norm) >= CV_MATCH_RATIO:
        return True
    return ev.prof.has(quote) or ev.abstracts.has(quote)


def _supervisors(ev: Evidence, s: Sentence) -> list[Violation]:
    """ "Supervised by Prof. Kim", "my advisor, Dr. Elin Berg": a supervisor must be one the CV names; one the
    student hopes for ("I would like to be supervised by…") is a plan."""
    out = []
    for m in _SUPERVISOR_RE.finditer(s.text):
        person = _PERSON_RE.match(s.text, m.end())
        if person is None or aspirational(s.text, m.start()):
            continue
        words = [w for w in person.group("name").split() if len(w.rstrip(".")) > 1]
        if words and not all(ev.cv_has(w) for w in words):
            out.append(claim(s, person.start("name"), person.end("name"), "the supervisor"))
    return out


def _authorship(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    """ "I am the first author of the SMERF paper": a named thing of the professor's papers, in a clause that
    makes the student its author, that the CV does not have."""
    cue = _AUTHORSHIP_RE.search(s.text)
    if cue is None or aspirational(s.text, cue.start()):
        return []
    out = []
    for atom in email.atoms_of(s):
        at = atom.start - s.start
        # The authored work itself, right after the cue ("…first author of the SMERF paper"), not a work the
        # student's paper builds on ("I co-authored a workshop paper that applies SMERF to audio").
        if atom.kind == "name" and 0 <= at - cue.end() <= _AUTHORED_GAP and _professors_own(atom, ev):
            out.append(claim(s, at, atom.end - s.start, "authorship of"))
    return out


def _professors_own(atom: Atom, ev: Evidence) -> bool:
    return atom.strong and ev.name_known(atom) and not ev.cv_has_name(atom)
