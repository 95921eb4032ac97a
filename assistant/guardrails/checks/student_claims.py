"""student_claims: what the email claims for the student must be in the CV: degrees (by level, and the field),
institutions and employers, awards, skills, publications and venues, numbers and named things in sentences
about the student, and every structured claim's CV item. CV text that reads like an instruction to a model was
removed first (evidence.clean_cv), so it backs nothing. Needs a CV: without one it is reported as skipped."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from assistant.guardrails.atoms import Atom, clause_subject, in_what_student_read, is_duration
from assistant.guardrails.checks.common import CV_MATCH_RATIO, cv_has_title, student_publication, written_in
from assistant.guardrails.checks.skills import unbacked_skills
from assistant.guardrails.checks.student_common import (
    AT_RUN_RE,
    aspirational,
    claim,
    fact_inside_plan,
    ordinal_forms,
    planned,
    trim_run,
)
from assistant.guardrails.checks.student_degrees import degree_claims, signature_degree_claims
from assistant.guardrails.checks.student_figures import figure_backed
from assistant.guardrails.checks.student_roles import rank_claims, role_claims
from assistant.guardrails.checks.student_sources import source_claims
from assistant.guardrails.cv_facts import ANY_ENTRY, Part, Unit, clipped_forms, cv_units, unbacked_part, year_parts
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
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

_AFFILIATION_VERB_RE = re.compile(
    r"\b(?:student|intern|interned|internship|worked|working|work|studied|studying|study|graduated|graduating|"
    r"graduate|researcher|assistant|engineer|employed|degree|thesis|visiting|visited|postdoc|undergraduate|"
    r"major|majoring|enrolled|attended|attend|completed|earned|received|hold|PhD|M\.S|B\.S|MSc|BSc|"
    r"took\s+part|participated|spent|workshop|summer\s+school)\b"
)
_AWARD_NOUN = r"(?i:awards?|scholarships?|fellowships?|prizes?|medals?|grants?|honou?rs?|distinctions?|dean['’]s list)"
_AWARD_VERB = (
    r"\b(?:won|win|received|was awarded|were awarded|earned|got|was granted|"
    r"was named|was selected for|was honou?red with|was a recipient of|am a recipient of|"
    r"was nominated for|was shortlisted for|was a finalist for|was (?:the\s+)?runner-up for|"
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
    # What the award was given for, and the verb, when the claim opens on "my" ("My OTDK entry won 2nd prize").
    + "entry submission won received got earned awarded took was were".split()
)
_FORMAT_RE = re.compile(
    r"\b(?P<format>oral|spotlight|poster|invited|contributed)\s+(?:presentation|talk|paper|session)s?\b", re.IGNORECASE
)
_YEAR_WORD_RE = re.compile(r"\b(?:19|20)\d\d\b")
_VENUE_CLAIM_RE = re.compile(
    r"\b(?:(?:published|accepted|appeared|presented)\s+(?:\w+\s+){0,2}?(?:at|in|to)|(?:papers?|publications?)\s+at)"
    r"\s+(?:the\s+)?"
    r"(?P<venue>[A-Z][\w&'’-]*(?:\s+[A-Z0-9][\w&'’-]*)*)"
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = _structured_claim_violations(email, ev)
    for s in email.sentences:
        if s.part == "signature":
            out += signature_degree_claims(ev, s)
        elif s.part == "body" and s.about in ("student", "mixed"):
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
    for stated in email.claims:
        n = norm(stated.cv_item)
        if n and (f" {n} " in ev.cv.norm or fuzz.partial_ratio(n, ev.cv.norm) >= CV_MATCH_RATIO):
            continue
        out.append(
            hard(
                NAME,
                f"The claim {stated.claim!r} is said to rest on the CV text "
                f"{stated.cv_item!r}, which the CV does not contain: remove the claim.",
                email.in_body(stated.claim),
            )
        )
    return out


def _sentence_claim_violations(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    out: list[Violation] = []
    if s.part == "body" and (STUDENT_SUBJECT_RE.search(s.text) or s.about == "student"):
        out += degree_claims(ev, s) + _affiliation_claims(email, ev, s) + _award_claims(ev, s)
        out += _skill_claims(ev, s) + _venue_claims(ev, s) + _format_claims(email, ev, s)
        out += source_claims(email, ev, s) + role_claims(ev, s) + rank_claims(ev, s)
        out += signature_degree_claims(ev, s, at_start=True)  # "About me: - PhD candidate at KTH"
    return out


def _unknown_student_atoms(email: ParsedEmail, ev: Evidence, reported: list[str]) -> list[Violation]:
    """Figures and named things said of the student that neither the CV nor the professor's papers (which the
    student may be quoting) contain. The specific claims run first (their messages are clearer): an atom inside
    a span they `reported` ("the Turing Fellowship") is not reported again."""
    out = []
    for atom in email.atoms:
        if atom.subject != "student" or atom.kind == "year" or atom.text in email.student_words:
            continue
        if any(atom.text in span and span in atom.sentence.text for span in reported) or _unclaimed(atom):
            continue
        named = atom.kind == "name"
        if not (_name_backed(ev, atom) if named else figure_backed(email, ev, atom)):
            out.append(
                hard(
                    NAME,
                    f"{atom.text!r} is stated about the student but is not in the CV: "
                    "remove it or add it to the CV if it is true.",
                    atom.text,
                )
            )
    return out


def _unclaimed(atom: Atom) -> bool:
    """What a plan says (`_in_plan`); a figure of the signature (a phone number, a postcode) or a duration,
    which a CV gives as dates."""
    if _in_plan(atom):
        return True
    return atom.kind != "name" and (atom.sentence.part == "signature" or is_duration(atom))


def _name_backed(ev: Evidence, atom: Atom) -> bool:
    """The CV or the professor's texts have the name: as written for a script normalisation erases ("Нұрланқызы"),
    or as the field of study a clipped word stands for ("Maths")."""
    if not norm(atom.text) and written_in(atom.text, ev.cv_raw, ev.prof_raw):
        return True
    if any(ev.cv.has(w) for w in clipped_forms(atom.text)):
        return True
    return ev.cv_has_name(atom) or ev.name_known(atom)


def _in_plan(atom: Atom) -> bool:
    """A plan or a request claims nothing, unless it says what the student has or did ("I hope to reuse my 13B
    model", "I would like to continue the work I did at Google")."""
    at = atom.start - atom.sentence.start
    if not (atom.plan or planned(atom.sentence.text, at)):
        return False
    return not fact_inside_plan(atom.sentence.text, at)


def _affiliation_claims(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    for m in AT_RUN_RE.finditer(s.text):
        run = trim_run(m.group("run"))
        if _inside_mention(email, s, m.start()) or aspirational(s.text, m.start()):
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
            out.append(claim(s, start, start + len(run), "the affiliation"))
    return out


def _inside_mention(email: ParsedEmail, s: Sentence, offset: int) -> bool:
    at = s.start + offset
    return any(m.field == s.field and m.start <= at < m.end for m in email.mentions)


def _in_one_cv_entry(ev: Evidence, words: list[str]) -> bool:
    forms = [ordinal_forms(w) for w in words]  # "second prize" is the CV's "2nd prize"
    return any(all(any(f" {f} " in e or f" {f}s " in e for f in fs) for fs in forms) for e in ev.cv_entries)


def _award_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    out = []
    patterns = (*_AWARD_CLAIM_RES, _AWARD_IN_STUDENT_SENTENCE_RE) if s.about == "student" else _AWARD_CLAIM_RES
    for pattern in patterns:
        for m in pattern.finditer(s.text):
            if m.group().split()[0].lower() in _THIRD_PERSON_OPENERS and s.about != "student":
                continue  # "he"/"she" speak of the student only in a sentence about them
            award = m.group("award")
            words = [w for w in content_words(norm(award)) if w not in _AWARD_FILLER]
            if aspirational(s.text, m.start("award")) and not re.search(r"\b(?:won|received)\b", m.group()):
                continue
            # All in one entry of the CV: a CV listing a workshop paper does not back "the Best Paper Award".
            if words and not _in_one_cv_entry(ev, words):
                out.append(claim(s, m.start("award"), m.end("award"), "the award"))
    return out


def _skill_claims(ev: Evidence, s: Sentence) -> list[Violation]:
    return [claim(s, start, end, "experience with") for start, end in unbacked_skills(ev, s)]


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
            out.append(claim(s, m.start("venue"), m.end("venue"), "a publication venue"))
    return out


def _format_claims(email: ParsedEmail, ev: Evidence, s: Sentence) -> list[Violation]:
    """How the student's work was presented ("selected for an oral presentation", "a spotlight talk") is part of
    its CV entry: one entry must give the format, with the work's name when the sentence names one the CV has."""
    out = []
    for m in _FORMAT_RE.finditer(s.text):
        if clause_subject(s, s.start + m.start()) == "professor" or aspirational(s.text, m.start()):
            continue
        names = [a.text for a in email.atoms_of(s) if a.kind == "name" and a.strong and ev.cv_has(a.text)]
        parts = [Part("the presentation format", m.group("format"), m.start("format"))]
        entries = cv_units(ev.cv_raw, ANY_ENTRY)
        if unbacked_part(entries, parts) or (names and not any(_entry_with(e, parts, names) for e in entries)):
            out.append(claim(s, m.start(), m.end(), "the presentation"))
    return out


def _entry_with(entry: Unit, parts: list[Part], names: list[str]) -> bool:
    return all(entry.holds(p) for p in parts) and any(entry.has(n) for n in names)
