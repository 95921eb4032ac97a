"""form: what a reader sees before reading a word of substance.

Hard: a missing subject, or one that carries a person's name, a role, a URL or a slug (readable.py); a
salutation whose addressee is no person's name, names someone else or misspells the name; "Professor X" where X
is another professor of the store; an unfilled placeholder; a sentence cut short (ending in an ellipsis, on "the"
or "of", or with a parenthesis left open); a first-person plural inside a sentence about the professor's work
("you presented our work on...", copied from an abstract's "we"). Soft: a salutation without the name, a body
outside [min_words, max_words] words, a long subject, and a word form that does not exist ("exploreed": a known
word with a wrong ending, per lemminflect's lexicon; words the lexicon does not know are not judged)."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.guardrails.atoms import requested
from assistant.guardrails.checks.readable import cut_short, not_a_name, subject_problems
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard, soft
from assistant.guardrails.structure import GREETING_RE
from assistant.guardrails.vocabulary import Severity, norm
from assistant.text import STOPWORDS, surname
from assistant.types import Violation

NAME = "form"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

LONG_SUBJECT_WORDS = 20
_HONORIFICS = frozenset("professor prof dr doctor mr ms mrs mx miss sir madam".split())
_GENERIC_ADDRESSEES = frozenset("sir madam whom concern team all everyone colleagues committee".split())
_NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*")
_PERSON_MENTION_RE = re.compile(r"\b(?:Professor|Prof\.?|Dr\.?)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_PLACEHOLDER_RE = re.compile(
    r"\[(?:your|insert|name|student|professor|university|institution|title|paper|topic|date|link)[^\]\n]{0,40}\]"
    r"|\{\{?\s*\w+\s*\}?\}|<(?:NAME|YOUR[ _]NAME|UNIVERSITY|TITLE)>|\bXXX+\b",
    re.IGNORECASE,
)


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = _subject_violations(email.subject.strip(), ev)
    out += _salutation_violations(email, ev) + _person_mentions(email, ev) + _placeholders(email)
    out += _cut_sentences(email) + _plural_leaks(email, ev) + _word_forms(email, ev)
    return out + _length(email, ev)


def _subject_violations(subject: str, ev: Evidence) -> list[Violation]:
    if not subject:
        return [hard(NAME, "The email has no subject: add a short, specific one.")]
    out = [
        hard(NAME, f"The subject carries {words!r} ({what}): name your research topic instead.", words)
        for words, what in subject_problems(subject, ev.cv_raw)
    ]
    words = len(subject.split())
    if words > LONG_SUBJECT_WORDS:
        out.append(soft(NAME, f"The subject has {words} words: keep it under {LONG_SUBJECT_WORDS}.", subject))
    return out


def _salutation_violations(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    line = next((s for s in email.sentences if s.part == "salutation"), None)
    if line is None:
        return [soft(NAME, f"No salutation: open with 'Dear Professor {surname(ev.name)},'.")]
    m = GREETING_RE.match(line.text)
    words = [(w.group(), norm(w.group())) for w in _NAME_WORD_RE.finditer(m.group("rest") if m else "")]
    # A surname may be a stopword ("He", "An"): the professor's own name words always count as names.
    names = [
        (raw, n) for raw, n in words if n in ev.name_tokens or (n and n.replace(" ", "") not in _HONORIFICS | STOPWORDS)
    ]
    if not names or any(n in _GENERIC_ADDRESSEES for _, n in words):
        return [
            soft(
                NAME,
                f"The salutation does not name the professor: write 'Dear Professor {surname(ev.name)},'.",
                line.text,
            )
        ]
    problem = not_a_name(m.group("rest")) if m else None
    if problem:
        return [
            hard(
                NAME,
                f"The salutation does not address a person ({problem}): write 'Dear Professor <surname>,' with "
                f"the professor's real name (the store has {ev.name!r}).",
                line.text,
            )
        ]
    wrong = [raw for raw, n in names if n not in ev.name_tokens]
    if wrong:
        return [
            hard(NAME, f"The salutation names {wrong[0]!r}, but the professor is {ev.name}: fix the name.", wrong[0])
        ]
    return []


def _person_mentions(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """ "Professor X" in the body where X is another professor of the store: a mixed-up mail merge.

    Other unknown names are left to the numbers and student_claims checks (a former advisor is fine if the CV
    names them)."""
    out = []
    for s in email.sentences:
        if s.part not in ("body", "subject"):
            continue
        for m in _PERSON_MENTION_RE.finditer(s.text):
            name = m.group(1)
            tokens = set(norm(name).split())
            if tokens & ev.name_tokens or ev.cv.has(name):
                continue  # the addressee, or someone the CV names (a former advisor)
            # Every word of the name must be the other professor's: "Prof. Lin Chen" is not Valerie Chen.
            other = next((o for o in ev.other_names if tokens <= set(norm(o).split())), None)
            if other:
                out.append(
                    hard(
                        NAME,
                        f"The email names {name!r} ({other}, another professor of the batch); this email is "
                        f"to {ev.name}: fix the name.",
                        name,
                    )
                )
    return out


def _placeholders(email: ParsedEmail) -> list[Violation]:
    return [
        hard(NAME, f"Unfilled placeholder {m.group()!r}: replace it with the real text.", m.group())
        for text in (email.subject, email.body)
        for m in _PLACEHOLDER_RE.finditer(text)
    ]


def _cut_sentences(email: ParsedEmail) -> list[Violation]:
    return [
        hard(NAME, f"This sentence is cut short ({why}): finish it or leave it out.", s.text)
        for s in email.sentences
        if s.part == "body" and (why := cut_short(s.text))
    ]


# A second person and then, in the same clause, the first-person plural that an abstract uses for its authors.
_PLURAL_AFTER_YOU_RE = re.compile(r"\b(?:you|your)\b[^.;:!?\n]*?\b(?P<we>we|our|ours|us)\b(?P<next>(?:\s+[\w-]+){0,2})")
_YOU_VERB_WE_RE = re.compile(r"\byou\s+[a-z]+\s+(?:that\s+|how\s+)?(?:we|our|us)\b")


def _plural_leaks(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """ "you presented our work on...": a sentence about the professor's work that kept its abstract's "we".

    Flagged when the "we/our" phrase is the abstract's own ("our work on" is in their abstracts) or follows
    "you <verb> (that)" directly; "your results could help our lab" is the student's group and is left alone, and
    so is the "we/us" of a question or a request ("Do you think we could talk?", "Would you let us reuse it?")."""
    out = []
    for s in email.body_sentences("professor", "mixed"):
        for m in _PLURAL_AFTER_YOU_RE.finditer(s.text):
            if requested(s, s.start + m.start("we")):
                continue  # "Do you think we could talk?", "Could you tell us…": the student's own "we" asks
            phrase = (m.group("we") + m.group("next")).strip()
            if (len(phrase.split()) == 3 and ev.abstracts.has(phrase)) or _YOU_VERB_WE_RE.search(m.group()):
                message = (
                    f"{m.group('we')!r} in a sentence about the professor's work reads as if you wrote it: it is "
                    "their abstract's first person. Say 'you'/'your' (or name the method)."
                )
                out.append(hard(NAME, message, s.text))
                break
    return out


def _word_forms(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for s in email.sentences:
        if s.part == "signature":
            continue
        for tok in email.tokens(s):
            word = tok.text
            if tok.quoted or not word.isalpha() or not word.islower():
                continue
            # The cached lexicon lookup first: searching the professor's texts for every word was 5.7 of the
            # ~21 ms a draft spends in check_draft, for the few words the lexicon finds misinflected.
            meant = lexicon.misinflected(word)
            if meant and not ev.prof.has(word) and not ev.cv.has(word):
                out.append(soft(NAME, f"{word!r} is not an English word form: did you mean {meant!r}?", word))
    return out


def _length(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    n = len(email.body.split())
    if n < ev.min_words:
        return [soft(NAME, f"The body has {n} words; aim for {ev.min_words}-{ev.max_words}.")]
    if n > ev.max_words:
        return [soft(NAME, f"The body has {n} words; cut it to at most {ev.max_words}.")]
    return []
