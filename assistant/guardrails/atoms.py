"""Claim atoms: what a sentence claims that can be checked, computed once per email. Figures, ratios and years
(`quantities.py`) and named things (methods, datasets, models, acronyms; a hyphenated compound keeps its parts,
so "BERT-style" is looked up as "BERT"), each with its span, the subject it is about and, for a figure, the words
bound to it (`figures.py`). Titles are the email's `Mention`s (parse.py).

Subject: the student (first person, their name, a third-person bio, the signature), the professor (you/your,
their surname, "the paper"), or other (a sentence naming neither: the checks decide from the paper it describes).
In a sentence about both, an atom belongs to whoever its own clause speaks of. A figure or year in a plan or a
request ("Would you have 20 minutes?", "students for Fall 2027") claims nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.guardrails.figures import sentence_figures
from assistant.guardrails.quantities import Quantity
from assistant.guardrails.structure import Field_, Sentence
from assistant.guardrails.vocabulary import (
    PROF_PRONOUN_RE,
    PROFESSOR_SIDE_RE,
    STUDENT_PRONOUN_RE,
    TokenKind,
    classify_token,
    is_generic,
)
from assistant.text import STOPWORDS

Subject = Literal["student", "professor", "other"]
AtomKind = Literal["figure", "ratio", "year", "name"]

_CLAUSE_CUT_RE = re.compile(r"[;:(),—–]|\s-\s")
_PART_SPLIT_RE = re.compile(r"[-–/]")
_COUNT_COMPOUND_RE = re.compile(r"\d[\d.,]*[-–][a-z]+(?:[-–][a-z]+)*")  # "24-person", "20-minute", "128-worker"
_REQUEST_RE = re.compile(
    r"\?\s*$|\b(?:would|could|can|may|might)\s+(?:you|we|I)\b|\b(?:ask|asking|wonder|wondering|hope|hoping|"
    r"plan|planning|intend|apply|applying|recruit|recruiting|accept|accepting|consider|considering|looking for|"
    r"start|starting|begin|beginning|available|open to|happy to|glad to)\b",
    re.IGNORECASE,
)
_ASPIRATION_RE = re.compile(
    r"\b(?:I|we)\s+(?:would|['’]d)\s+(?:like|love|be\s+(?:glad|happy|keen|eager|excited))\b|"
    r"\b(?:I|we)\s+(?:hope|plan|intend|want|wish|aim)\s+to\b|\bI\s+am\s+(?:hoping|planning|eager|keen)\s+to\b|"
    r"\b(?:in|during)\s+(?:a|my)\s+(?:future\s+)?(?:PhD|doctorate)\b",
)
_INDIRECT_QUESTION_RE = re.compile(
    r"\bwhether\b|\b(?:wonder|wondering|ask|asking|curious|know|understand|see)\s+(?:if|how|why|what|when)\b",
    re.IGNORECASE,
)
# The student reading or liking something: its object is the professor's work, not the student's ("I was equally
# interested in the Facebook corpus of 10,000 posts").
_READING_RE = re.compile(
    r"\b(?:I|we)(?:\s+(?:was|were|am|are|have\s+been|also|really|especially|particularly|equally))*\s+"
    r"(?:interested\s+in|intrigued\s+by|impressed\s+by|struck\s+by|fascinated\s+by|drawn\s+to|read|enjoyed|"
    r"liked|loved|admired|appreciated|noted|noticed|learned\s+(?:a\s+lot\s+|much\s+)?from|"
    r"(?:like|love|admire|appreciate|enjoy)(?!\s+to\b))\b",
    re.IGNORECASE,
)
# A new clause with its own subject between the reading verb and the words ("I read it, and I annotated 300").
_NEW_CLAUSE_RE = re.compile(r"[;:]|,\s+(?:and|but|so)\s+(?:I|we)\b|\b(?:I|we)\s+\w+ed\b")
_DURATION_AFTER_RE = re.compile(r"^[-\s]?(?:minutes?|mins?|hours?|days?|weeks?)\b", re.IGNORECASE)
# A span of time counted from now ("over the last three weeks", "in the 2 years since it appeared", "a year ago"):
# when the student writes, not what a paper reports.
_TIME_UNIT = r"[-\s](?:days?|weeks?|months?|years?|decades?|semesters?|summers?)"
_FROM_NOW_BEFORE_RE = re.compile(
    r"\b(?:the|these|those)\s+(?:last|past|next|coming|previous|recent)\s*$", re.IGNORECASE
)
_FROM_NOW_AFTER_RE = re.compile(rf"^{_TIME_UNIT}\s+(?:ago|since|from\s+now)\b", re.IGNORECASE)
_TIME_UNIT_RE = re.compile(rf"^{_TIME_UNIT}\b", re.IGNORECASE)
# A noun phrase whose relative clause says the professor made or used it: "the three datasets (that) you used".
_WHAT_YOU_DID_RE = re.compile(
    r"[\w.,%-]*(?:\s+(?!(?:where|while|whereas|than|as|but|and|or|like|when|if|because|since|so)\b)[\w-]+){0,4}?"
    r"\s+(?:that\s+|which\s+)?you\s+(?:used|use|introduced|proposed|released|"
    r"collected|built|curated|evaluated|tested|studied|report|reported|describe|described|present|presented)\b",
    re.IGNORECASE,
)
_DIRECT_QUESTION_RE = re.compile(
    r"^\W*(?:could|would|can|will|might|should)\b[^?]*\?\s*$",  # not "Why does…?": that presupposes a fact
    re.IGNORECASE,
)
_COUNTERFACTUAL_RE = re.compile(r"\b(?:if|even\s+if|suppose|imagine)\b[^,;.?]*?\b(?:were|had|could)\b", re.IGNORECASE)
_SPAN_OF_TIME_RE = re.compile(r"^[-\s]?(?:full[-\s])?(?:months?|years?|weeks?|semesters?)\b", re.IGNORECASE)
_SCHEDULE_BEFORE_RE = re.compile(
    r"\b(?:fall|spring|summer|winter|autumn|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|since|until|by|in early|in late|starting|start in|begin in)\s*$",
    re.IGNORECASE,
)
_SCHEDULE_AFTER_RE = re.compile(
    r"^\W*(?:cycle|admissions?|academic|application|applications|intake|term|semester|entry|season|start)\b",
    re.IGNORECASE,
)
_WORK_AFTER_RE = re.compile(r"^\s*(?:[\w-]+\s+)?(?:paper|papers|work|study|article|publication|talk)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    text: str  # the token without a possessive
    start: int  # offsets in the field
    end: int
    kind: TokenKind
    initial: bool  # opens its sentence (capitalised for grammar, not as a name)
    quoted: bool


@dataclass(frozen=True)
class Atom:
    kind: AtomKind
    sentence: Sentence
    start: int  # offsets in the sentence's field (subject or body)
    end: int
    text: str
    subject: Subject
    quantity: Quantity | None = None  # figures, ratios, years
    bound: frozenset[str] = frozenset()  # a figure: the words that say what it measures
    named: frozenset[str] = frozenset()  # a figure: the named things of its segment (figures.Figure.named)
    parts: tuple[str, ...] = ()  # a compound name: its named parts, looked up when the whole is not known
    strong: bool = False  # a name: acronym, CamelCase or with digits (weak: a capitalised word)
    plan: bool = False  # a figure or year of a plan or a request

    @property
    def field(self) -> Field_:
        return self.sentence.field


def name_parts(tok: str) -> tuple[str, ...] | None:
    """The named parts of a hyphenated compound, when it is a name with a modifier ("BERT-style", "MDS-based")
    or names joined by connectors ("ASR-then-MT"); () for a single word or a name with a version number
    ("GPT-4", "CIFAR-100"), which is looked up whole; None when nothing in it is a name ("multi-GPU",
    "24-person": the figure in it is a quantity atom of its own)."""
    if _COUNT_COMPOUND_RE.fullmatch(tok):
        return None
    parts = [p for p in _PART_SPLIT_RE.split(tok) if p]
    if len(parts) < 2 or any(c.isdigit() for c in tok):
        return ()
    named = [p for p in parts if classify_token(p) in ("strong", "weak") and not is_generic(p)]
    if not named:
        return None
    return tuple(named) if len(named) < len(parts) else ()


def subject_of(s: Sentence, at: int) -> Subject:
    """Whom the words at offset `at` (in the sentence's field) speak of."""
    if s.part == "signature":
        return "student"
    if s.part != "body" or s.about == "neutral":
        return "other"
    if s.about == "student":
        return "student"
    if s.about == "professor":
        return "professor"
    # A clause naming no one belongs to whoever the sentence spoke of before it; one that opens the sentence
    # ("Formulating X in the style of DoReMi, …, is familiar to me") to neither: the checks decide by the paper.
    if _WHAT_YOU_DID_RE.match(s.text, at - s.start):
        return "professor"  # "…could complement the three translation datasets you used": theirs, whoever speaks
    before = [m for m in _markers(s.text) if m[0] <= at - s.start]
    return clause_subject(s, at) or (max(before)[1] if before else "other")


def clause_subject(s: Sentence, at: int) -> Subject | None:
    """Whom the atom's own clause names (you/your, I/my…) before it; else, when the clause only names someone
    after it, whom the sentence named before the clause ("Your analysis…, improving accuracy by 37% connects to
    my project": the "my" after the figure is an object, the figure is the analysis's)."""
    rel = at - s.start
    lo, hi = _clause_around(s.text, rel)
    markers = _markers(s.text)
    before = [m for m in markers if lo <= m[0] <= rel]
    if before:
        return max(before)[1]
    earlier = [m for m in markers if m[0] < lo]
    after = [m for m in markers if rel < m[0] < hi]
    if after and earlier:
        return max(earlier)[1]
    return min(after)[1] if after else None


def sentence_quantities(atoms: Sequence[Atom], atom: Atom) -> list[Quantity]:
    """The quantities of the atom's sentence, in order."""
    return [a.quantity for a in atoms if a.sentence is atom.sentence and a.quantity is not None]


def last_named(s: Sentence, at: int) -> Subject | None:
    """Whom the sentence names last before `at`, across clauses ("…close to my work: I contributed to MusPy, an
    open-source library…": the student)."""
    before = [m for m in _markers(s.text) if m[0] <= at - s.start]
    return max(before)[1] if before else None


def addressed(s: Sentence, at: int) -> bool:
    """The nearest marker before `at` in its clause is "you"/"your" ("…to see that you extended IFCA"), not a
    reference to the work that may be the object of the student's verb ("I apply this idea to SQL")."""
    lo, _ = _clause_around(s.text, at - s.start)
    found = [m.start() for m in PROF_PRONOUN_RE.finditer(s.text, lo, at - s.start)]
    others = [p for p, _ in _markers(s.text) if lo <= p <= at - s.start]
    return bool(found) and max(found) >= max(others)


def _markers(text: str) -> list[tuple[int, Subject]]:
    found: list[tuple[int, Subject]] = [(m.start(), "professor") for m in PROFESSOR_SIDE_RE.finditer(text)]
    return found + [(m.start(), "student") for m in STUDENT_PRONOUN_RE.finditer(text)]


def _clause_around(text: str, at: int) -> tuple[int, int]:
    cuts = [m.start() for m in _CLAUSE_CUT_RE.finditer(text)]
    lo = max([0, *(c for c in cuts if c <= at)])
    hi = min([len(text), *(c for c in cuts if c > at)])
    return lo, hi


def aspiration(s: Sentence, at: int) -> bool:
    """What the student would like to do ("I would like to build an ASQA-style evaluation…"): a plan, not a
    claim about them."""
    return bool(_ASPIRATION_RE.search(s.text[: at - s.start]))


def asked(s: Sentence, at: int) -> bool:
    """The words at `at` are asked, not stated: the sentence is a question, or they follow "whether" / "wonder
    if" ("I would like to understand whether EC-Cache remains attractive when TTLs define the working set")."""
    return s.text.rstrip().endswith("?") or bool(_INDIRECT_QUESTION_RE.search(s.text[: at - s.start]))


def requested(s: Sentence, at: int) -> bool:
    """A request or a question ("I would like to ask whether you have a place for a student interested in ANN
    search"): its "you" is whom the student asks, not whose work the words are."""
    return bool(_REQUEST_RE.search(s.text)) or asked(s, at)


def read_by_student(atom: Atom) -> bool:
    """The atom is in the object of the student reading or liking something ("I was equally interested in the
    Facebook corpus of 10,000 posts", "I like how it unifies three problems"): it describes what they read, the
    professor's work, not their own."""
    return in_what_student_read(atom.sentence, atom.start)


def in_what_student_read(s: Sentence, at: int) -> bool:
    """`at` is in the object of a reading or liking verb of the student's, before any new clause of theirs ("I
    read the preface to the workshop at VLDB 2021": where the workshop was, not where the student was)."""
    before = s.text[: at - s.start]
    reading = _READING_RE.search(before)
    return reading is not None and not _NEW_CLAUSE_RE.search(before[reading.end() :])


def hypothetical(s: Sentence) -> bool:
    """A direct question ("Could DIRTY reach 90% with ten times more data?") or a sentence with a counterfactual
    "if" ("If it were extended to Rust, it could cover 2 more languages"): what might be, not what a paper
    reports."""
    return bool(_DIRECT_QUESTION_RE.search(s.text) or _COUNTERFACTUAL_RE.search(s.text))


def plan_quantity(s: Sentence, q: Quantity) -> bool:
    """A duration asked for, a year of a plan, or a span of time counted from now: not a claim about anyone's
    work."""
    before, after = s.text[: q.start], s.text[q.end :]
    request = bool(_REQUEST_RE.search(s.text))
    if q.kind != "year" and hypothetical(s):
        return True
    if q.kind == "year":
        schedule = _SCHEDULE_BEFORE_RE.search(before) or _SCHEDULE_AFTER_RE.match(after)
        return bool(schedule) or (request and not _WORK_AFTER_RE.match(after))
    return (request and bool(_DURATION_AFTER_RE.match(after))) or _from_now(before, after)


def _from_now(before: str, after: str) -> bool:
    return bool(_FROM_NOW_AFTER_RE.match(after)) or (
        bool(_FROM_NOW_BEFORE_RE.search(before)) and bool(_TIME_UNIT_RE.match(after))
    )


def is_duration(atom: Atom) -> bool:
    """ "six months", "two years": how long something lasted, which a CV gives as dates, not as a figure."""
    return atom.kind == "figure" and bool(_SPAN_OF_TIME_RE.match(atom.sentence.text[atom.end - atom.sentence.start :]))


def quantity_atoms(s: Sentence, skip: Sequence[tuple[int, int]]) -> Iterator[Atom]:
    """The figures, ratios and years of a sentence (those inside `skip` spans, e.g. titles and links, left out)."""
    for fig in sentence_figures(s.text):
        q = fig.quantity
        start, end = s.start + q.start, s.start + q.end
        if any(a < end and start < b for a, b in skip) or _list_marker(s.text, q):
            continue
        subject = subject_of(s, start)
        plan = plan_quantity(s, q) or (subject == "student" and aspiration(s, start))
        yield Atom(q.kind, s, start, end, q.text, subject, quantity=q, bound=fig.bound, named=fig.named, plan=plan)


def name_atoms(s: Sentence, toks: Sequence[Token], student_words: frozenset[str]) -> Iterator[Atom]:
    """The named things of a sentence: acronyms, CamelCase, letters with digits (strong) and capitalised words
    that do not open the sentence (weak); generic terms, quoted words and the student's own name left out (the
    name is theirs: it claims nothing about the professor's work)."""
    for tok in toks:
        if tok.kind not in ("strong", "weak") or tok.quoted or is_generic(tok.text):
            continue
        if tok.kind == "weak" and (tok.initial or is_capitalised_stopword(tok.text)):
            continue
        parts = name_parts(tok.text)
        if parts is None:
            continue
        own_name = tok.text in student_words
        subject: Subject = "student" if own_name else subject_of(s, tok.start)
        plan = subject == "student" and aspiration(s, tok.start)
        yield Atom(
            "name", s, tok.start, tok.end, tok.text, subject, parts=parts, strong=tok.kind == "strong", plan=plan
        )


def _list_marker(text: str, q: Quantity) -> bool:
    """ "(1)" or a leading "1." numbering a list: not a figure."""
    if q.spelled or len(q.values) != 1 or not q.text.isdigit() or int(q.text) > 20:
        return False
    wrapped = text[q.start - 1 : q.start] == "(" and text[q.end : q.end + 1] == ")"
    leading = not text[: q.start].strip() and text[q.end : q.end + 1] in (".", ")")
    return wrapped or leading


def is_capitalised_stopword(tok: str) -> bool:
    """ "My", "Our", "The": capitalised for grammar, never a name."""
    return tok.lower() in STOPWORDS and not tok.isupper()
