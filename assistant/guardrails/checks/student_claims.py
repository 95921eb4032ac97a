"""student_claims: what the email claims for the student must be in the CV: degrees (by level, and the field),
institutions and employers, awards, skills, publications and venues, numbers and named things in sentences
about the student, and every structured claim's CV item. CV text that reads like an instruction to a model was
removed first (evidence.clean_cv), so it backs nothing. Needs a CV: without one it is reported as skipped."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from assistant.guardrails.atoms import (
    Atom,
    clause_subject,
    in_what_student_read,
    is_duration,
    read_by_student,
    sentence_quantities,
)
from assistant.guardrails.checks.common import CV_MATCH_RATIO, cv_has_title, student_publication, written_in
from assistant.guardrails.checks.skills import unbacked_skills
from assistant.guardrails.cv_facts import (
    ANY_ENTRY,
    Part,
    Unit,
    clipped_forms,
    cv_units,
    unbacked_part,
    year_parts,
)
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.quantities import Quantity, derived, quantities, stated
from assistant.guardrails.report import hard
from assistant.guardrails.structure import Sentence
from assistant.guardrails.vocabulary import (
    PUBLICATION_CUE_RE,
    STUDENT_SUBJECT_RE,
    Severity,
    is_generic,
    norm,
)
from assistant.text import content_words
from assistant.types import Violation

NAME = "student_claims"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset({"cv"})

_DEGREE_LEVELS: dict[str, str] = {
    "doctoral": r"Ph\.?\s?D\.?|PhD|DPhil|[Dd]octorate|[Dd]octoral",
    "master's": r"M\.?S\.?c?\.?|M\.?Eng\.?|M\.?Tech\.?|M\.A\.|MA|MPhil|MBA|MRes|[Mm]aster(?:['’]s|s)?",
    "bachelor's": r"B\.?S\.?c?\.?|B\.?Eng\.?|B\.?Tech\.?|B\.E\.|BE|B\.A\.|BA|[Bb]achelor(?:['’]s|s)?|"
    r"[Uu]ndergrad(?:uate)?",
}
_DEGREE_RES = {level: re.compile(rf"(?<![A-Za-z])(?:{p})(?![A-Za-z])") for level, p in _DEGREE_LEVELS.items()}
_ANY_DEGREE_RE = re.compile("|".join(r.pattern for r in _DEGREE_RES.values()))
# Where what a sentence says of one degree ends: the next degree, clause (", I collected…") or item.
# "…from KAIST and would be thrilled to apply for Fall 2027": a verb after "and" starts what the student does next.
_NEXT_VERB = r"would|will|am|was|have|has|had|now|since|also|currently|plan|hope|want|wish|then|I|is|are"
_DEGREE_TAIL_END_RE = re.compile(
    rf"[;:]|\s[-–—]\s|,\s+(?:where|which|and|but|while|with|I|we|she|he|they)\b|\b(?:and|then)\s+(?:an?|my|his|her|the)\s|"
    rf"\b(?:and|but)\s+(?:{_NEXT_VERB})\b|{_ANY_DEGREE_RE.pattern}"
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
_ASPIRATION_RE = re.compile(
    r"\b(?:pursue|pursuing|apply|applying|application|join|joining|seek|seeking|prospective|future|admissions?|"
    r"hope|hoping|plan|planning|become|becoming|begin|start|starting|intend|interested|toward|towards|goal|"
    r"aspire|considering|consider|would|will|want|wish|eager|take|taking|accept|accepting|recruit|recruiting|"
    r"admit|admitting|hire|hiring|new)\b",
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
_AFFILIATION_VERB_RE = re.compile(
    r"\b(?:student|intern|interned|internship|worked|working|work|studied|studying|study|graduated|graduating|"
    r"graduate|researcher|assistant|engineer|employed|degree|thesis|visiting|visited|postdoc|undergraduate|"
    r"major|majoring|enrolled|attended|attend|completed|earned|received|hold|PhD|M\.S|B\.S|MSc|BSc|"
    r"took\s+part|participated|spent|workshop|summer\s+school)\b"
)
_AT_RUN_RE = re.compile(
    r"\b(?:at|from)\s+(?:the\s+)?(?P<run>[A-Z][\w&'’.-]+(?:\s+(?:of|for|and|&|de|[A-Z][\w&'’.-]+))*)"
)
_AWARD_NOUN = r"(?i:awards?|scholarships?|fellowships?|prizes?|medals?|grants?|honou?rs?|distinctions?|dean['’]s list)"
_AWARD_VERB = (
    r"\b(?:won|win|received|was awarded|were awarded|earned|got|was granted|"
    r"was named|was selected for|was honou?red with|was a recipient of|am a recipient of|"
    rf"was the recipient of)\s+(?P<award>[^.;!?]{{0,80}}?\b{_AWARD_NOUN})\b"
)
# In a sentence only about the student, whatever its subject ("Ms. Kovač received…", "Her paper received…").
_AWARD_IN_STUDENT_SENTENCE_RE = re.compile(_AWARD_VERB)
_AWARD_CLAIM_RES = (
    re.compile(
        r"\b(?:I|[Ww]e|[Mm]y|[Ss]he|[Hh]e|[Hh]er|[Hh]is|[Tt]he\s+(?:student|applicant|candidate))\b[^.;!?]{0,100}?"
        + _AWARD_VERB
    ),
    re.compile(rf"\b[Mm]y\s+(?P<award>(?:[\w'’-]+\s+){{0,5}}?{_AWARD_NOUN})\b"),
    re.compile(rf"\b(?:recipient|winner)\s+of\s+(?P<award>[^.;!?]{{0,80}}?\b{_AWARD_NOUN})\b"),
)
_THIRD_PERSON_OPENERS = frozenset({"she", "he", "her", "his", "the"})
_AWARD_FILLER = frozenset(
    "the a an my our prestigious competitive highly several multiple full partial merit based merit-based "
    "annual national international award awards".split()
)
_FORMAT_RE = re.compile(
    r"\b(?P<format>oral|spotlight|poster|invited|contributed)\s+(?:presentation|talk|paper|session)s?\b", re.IGNORECASE
)
_POINTS_AFTER_RE = re.compile(r"\s*(?:percentage\s+)?(?:points?|pp|percent)\b", re.IGNORECASE)
# What the student took from the professor's work: "From your work on X I took the eight open challenges".
_TAKEN_FROM_RE = re.compile(
    r"\b(?:[Ff]rom|[Ii]n)\s+(?:your|you)\b[^.;:!?]{0,80}?\bI\s+(?:also\s+)?(?:took|borrowed|adopted|learned|learnt|"
    r"got|noted|noticed|kept)\b|\bI\s+(?:took|borrowed|adopted|learned|learnt)\b[^.;:!?]{0,60}?\bfrom\s+(?:your|you)\b"
)
_YEAR_WORD_RE = re.compile(r"\b(?:19|20)\d\d\b")
_VENUE_CLAIM_RE = re.compile(
    r"\b(?:published|accepted|appeared|presented)\s+(?:\w+\s+){0,2}?(?:at|in|to)\s+(?:the\s+)?"
    r"(?P<venue>[A-Z][\w&'’-]*(?:\s+[A-Z0-9][\w&'’-]*)*)"
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = _structured_claim_violations(email, ev)
    for s in email.sentences:
        if s.part == "signature" or (s.part == "body" and s.about in ("student", "mixed")):
            out += _sentence_claim_violations(email, ev, s)
    out += _unknown_student_atoms(email, ev, [v.span for v in out if v.span])
    for m in email.mentions:
        if m.owner == "student" and student_publication(m, ev) and not cv_has_title(m.text, ev):
            out.append(
                hard(
                    NAME,
                    f"The email claims the publication {m.text!r} for the student, "
                    "but the CV lists no such title: remove it.",
                    email.span(m.field, m.start, m.end),
                )
            )
    return out


def _structured_claim_violations(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for claim in email.claims:
        n = norm(claim.cv_item)
        if n and (f" {n} " in ev.cv.norm or fuzz.partial_ratio(n, ev.cv.norm) >= CV_MATCH_RATIO):
            continue
        out.append(
            hard(
                NAME,
                f"The claim {claim.claim!r} is said to rest on the CV text "
                f"{claim.cv_item!r}, which the CV does not contain: remove the claim.",
                email.in_body(claim.claim),
            )
        )
    return out


def _sentence_claim_violations(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    out: list[Violation] = []
    if s.part == "body" and (STUDENT_SUBJECT_RE.search(s.text) or s.about == "student"):
        out += _degree_claims(ev, s) + _affiliation_claims(email, ev, s) + _award_claims(ev, s)
        out += _skill_claims(ev, s) + _venue_claims(ev, s) + _format_claims(email, ev, s)
    return out


def _unknown_student_atoms(email: ParsedEmail, ev: Evidence, reported: list[str]) -> list[Violation]:
    """Figures and named things said of the student that neither the CV nor the professor's papers (which the
    student may be quoting) contain. The specific claims run first (their messages are clearer): an atom inside
    a span they `reported` ("the Turing Fellowship") is not reported again."""
    out = []
    for atom in email.atoms:
        if atom.subject != "student" or atom.plan or atom.kind == "year" or atom.text in email.student_words:
            continue
        if any(atom.text in span and span in atom.sentence.text for span in reported):
            continue
        if atom.kind != "name" and (atom.sentence.part == "signature" or is_duration(atom)):
            continue  # phone numbers, postcodes; durations, which a CV gives as dates
        named = atom.kind == "name"
        if named and not norm(atom.text) and written_in(atom.text, ev.cv_raw, ev.prof_raw):
            continue
        if named and any(ev.cv.has(w) for w in clipped_forms(atom.text)):
            continue  # "Maths" for the CV's Mathematics
        if not (ev.cv_has_name(atom) or ev.name_known(atom) if named else _figure_backed(email, ev, atom)):
            span = atom.text
            out.append(
                hard(
                    NAME,
                    f"{span!r} is stated about the student but is not in the CV: "
                    "remove it or add it to the CV if it is true.",
                    span,
                )
            )
    return out


def _figure_backed(email: ParsedEmail, ev: Evidence, atom: Atom) -> bool:
    """The CV states it, or the professor's texts do and the student repeats it: in a clause not about their own
    work (evidence.quantity_backed), or as what they read ("I was interested in your corpus of 10,000 posts")."""
    if ev.quantity_backed(atom):
        return True
    q = atom.quantity
    if q is not None and derived(q, sentence_quantities(email.atoms, atom)):
        return True  # arithmetic on the sentence's own figures, which are checked themselves
    if q is not None and _change_of_cv_figures(email, atom, q, ev):
        return True
    if q is None or not (read_by_student(atom) or _TAKEN_FROM_RE.search(atom.sentence.text)):
        return False
    return any(stated(text).has(q) for text in (ev.profile_raw, *ev.paper_raw.values()))


def _change_of_cv_figures(email: ParsedEmail, atom: Atom, q: Quantity, ev: Evidence) -> bool:
    """ "By 6.5 points" of a CV line's "from 54.9% to 61.4%": a change, difference or ratio of two figures of one
    CV entry. Only for a figure written as a change is (decimals, a percentage, "points", a ratio): a small whole
    count ("eight challenges") is the difference of some two figures of a line by chance."""
    text = email.text(atom.field)
    after, before = text[atom.end : atom.end + 20], text[max(0, atom.start - 4) : atom.start]
    by_end = before.lower() == " by " and bool(re.match(r"\s*(?:[.,;:!?)]|$)", after))  # "…moved it by 63."
    shaped = q.kind == "ratio" or "." in q.text or "%" in q.text or by_end or bool(_POINTS_AFTER_RE.match(after))
    if q.spelled or not shaped:
        return False
    return any(derived(q, list(figures)) for figures in _cv_entry_figures(ev.cv_raw))


@lru_cache(maxsize=32)
def _cv_entry_figures(cv_raw: str) -> tuple[tuple[Quantity, ...], ...]:
    """The figures of each CV line that gives more than one: a change, difference or ratio of two figures of one
    entry ("from 54.9% to 61.4%" -> "6.5 points", "a 12% relative gain") restates it; across entries it would not."""
    entries = (quantities(u.raw) for u in cv_units(cv_raw, ANY_ENTRY))
    return tuple(tuple(q for q in qs if q.kind != "year") for qs in entries if sum(q.kind != "year" for q in qs) > 1)


def _claim(s: Sentence, start: int, end: int, what: str) -> Violation:
    span = s.text[start:end]
    return hard(
        NAME,
        f"The email claims {what} {span!r} for the student, but the CV does not "
        "show it: remove it or correct it to what the CV says.",
        span,
    )


def _aspirational(text: str, at: int) -> bool:
    window = " ".join(text[:at].split()[-8:])
    return bool(_ASPIRATION_RE.search(window))


def _degree_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for level, pattern in _DEGREE_RES.items():
        for m in pattern.finditer(s.text):
            clause = s.text[max(0, m.start() - 80) : m.start()].split(",")[-1]
            if not _DEGREE_FRAME_RE.search(clause) or _NOT_A_DEGREE_AFTER_RE.match(s.text[m.end() :]):
                continue
            if _DEGREE_PLAN_RE.search(clause):
                continue
            degrees = [u for u in cv_units(ev.cv_raw, _ANY_DEGREE_RE) if pattern.search(u.raw)]
            if not degrees:
                out.append(_claim(s, m.start(), m.end(), f"a {level} degree"))
                continue
            missing = unbacked_part(degrees, _degree_parts(s.text, m.end()))
            if missing:
                out.append(_claim(s, missing.start, missing.start + len(missing.text), missing.what))
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
    place = _AT_RUN_RE.search(tail, field.end() if field else 0)
    if place:
        run = _trim_run(place.group("run"))
        if content_words(norm(run)) and not all(is_generic(w) for w in run.split()):
            parts.append(Part("the institution", run, at + place.start("run")))
    return parts + year_parts(tail, at)


def _affiliation_claims(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for m in _AT_RUN_RE.finditer(s.text):
        run = _trim_run(m.group("run"))
        if _inside_mention(email, s, m.start()) or _aspirational(s.text, m.start()):
            continue
        if clause_subject(s, s.start + m.start()) == "professor":
            continue  # "your lab at UCLA": where the professor works is the affiliation check's
        if in_what_student_read(s, s.start + m.start()):
            continue  # "I read the preface to the workshop at VLDB 2021": where the work appeared
        if not _AFFILIATION_VERB_RE.search(" ".join(s.text[: m.start()].split()[-8:])):
            continue
        if not content_words(norm(run)) or all(is_generic(w) for w in run.split()):
            continue
        allowed = ev.cv.has(run) or ev.cv.has_all_words(run) or ev.cv_has(run)  # "HUST": an acronym the CV spells
        if s.about == "mixed" and not allowed:
            allowed = ev.prof.has(run)
        if not allowed:
            start = m.start("run")
            out.append(_claim(s, start, start + len(run), "the affiliation"))
    return out


def _trim_run(run: str) -> str:
    return re.sub(r"(?:\s+(?:of|for|and|&|de))+$", "", run).rstrip(".")


def _inside_mention(email: ParsedEmail, s: Sentence, offset: int) -> bool:
    at = s.start + offset
    return any(m.field == s.field and m.start <= at < m.end for m in email.mentions)


def _in_one_cv_entry(ev: Evidence, words: list[str]) -> bool:
    return any(all(f" {w} " in e or f" {w}s " in e for w in words) for e in ev.cv_entries)


def _award_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    patterns = (*_AWARD_CLAIM_RES, _AWARD_IN_STUDENT_SENTENCE_RE) if s.about == "student" else _AWARD_CLAIM_RES
    for pattern in patterns:
        for m in pattern.finditer(s.text):
            if m.group().split()[0].lower() in _THIRD_PERSON_OPENERS and s.about != "student":
                continue  # "he"/"she" speak of the student only in a sentence about them
            award = m.group("award")
            words = [w for w in content_words(norm(award)) if w not in _AWARD_FILLER]
            if _aspirational(s.text, m.start("award")) and not re.search(r"\b(?:won|received)\b", m.group()):
                continue
            # All in one entry of the CV: a CV listing a workshop paper does not back "the Best Paper Award".
            if words and not _in_one_cv_entry(ev, words):
                out.append(_claim(s, m.start("award"), m.end("award"), "the award"))
    return out


def _skill_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    return [_claim(s, start, end, "experience with") for start, end in unbacked_skills(ev, s)]


def _venue_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    """A venue claimed for the student's paper, with the year beside it, must be one entry of the CV."""
    if s.about != "student" and not PUBLICATION_CUE_RE.search(s.text):
        return []
    out = []
    for m in _VENUE_CLAIM_RE.finditer(s.text):
        venue = m.group("venue")
        if is_generic(venue):
            continue
        name = _YEAR_WORD_RE.sub("", venue).strip()
        parts = [Part("a publication venue", name, m.start("venue"))] if name else []
        missing = unbacked_part(cv_units(ev.cv_raw, ANY_ENTRY), parts + year_parts(venue, m.start("venue")))
        if missing:
            out.append(_claim(s, m.start("venue"), m.end("venue"), "a publication venue"))
    return out


def _format_claims(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    """How the student's work was presented ("selected for an oral presentation", "a spotlight talk") is part of
    its CV entry: one entry must give the format, with the work's name when the sentence names one the CV has."""
    out = []
    for m in _FORMAT_RE.finditer(s.text):
        if clause_subject(s, s.start + m.start()) == "professor" or _aspirational(s.text, m.start()):
            continue
        names = [a.text for a in email.atoms_of(s) if a.kind == "name" and a.strong and ev.cv_has(a.text)]
        parts = [Part("the presentation format", m.group("format"), m.start("format"))]
        entries = cv_units(ev.cv_raw, ANY_ENTRY)
        if unbacked_part(entries, parts) or (names and not any(_entry_with(e, parts, names) for e in entries)):
            out.append(_claim(s, m.start(), m.end(), "the presentation"))
    return out


def _entry_with(entry: Unit, parts: list[Part], names: list[str]) -> bool:
    return all(entry.holds(p) for p in parts) and any(entry.has(n) for n in names)
