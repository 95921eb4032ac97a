"""An email's structure: its sentences, the part each stands in (subject, salutation, body, signature) and whom
each is about (the professor, the student, both, or neither), with offsets into the subject or body.

The student is found by first-person pronouns, and in the third person ("The applicant has published…", "Mr.
Wróbel…", "She was a visiting student…") by their name, "the student/applicant/candidate", or a he/she sentence
after the email spoke of them so (until it names another person by title). A P.S. after the closing, or a
paragraph of prose there ("Short bio: …"), is part of the message, read as body sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from assistant.guardrails.vocabulary import PROF_PRONOUN_RE, STUDENT_PRONOUN_RE, WORK_REFERENCE_RE, norm
from assistant.text import WORD_RE, sentence_spans

Field_ = Literal["subject", "body"]
Part = Literal["subject", "salutation", "body", "signature"]
About = Literal["professor", "student", "mixed", "neutral"]

CLOSING_RE = re.compile(
    r"^\s*(?:best|best regards|best wishes|kind regards|warm regards|warmest regards|regards|sincerely|"
    r"sincerely yours|yours sincerely|yours truly|respectfully|thanks|thank you|many thanks|thanks again|"
    r"thanks so much|thank you so much|cheers|warmly|with gratitude|with thanks|all the best|"
    r"(?:respectfully|faithfully|cordially|sincerely)\s+yours|yours\s+(?:respectfully|faithfully|cordially)|"
    r"(?:best|kind|warm|warmest|many)\s+(?:regards|wishes|thanks)\s+and\s+thanks|"
    # "Thank you for your time," on a line of its own closes the letter like "Thanks,".
    r"(?:thank\s+you|thanks|many\s+thanks)\s+(?:again\s+)?for\s+(?:your|you)\b[^.!?\n]{0,30})\s*[,.!]?\s*$",
    re.IGNORECASE,
)
GREETING_RE = re.compile(
    r"^\s*(?:dear|hi|hello|hey|greetings|good\s+(?:morning|afternoon|evening))\b[\s,]*(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
SIGNATURE_MAX_WORDS = 12  # a line after the closing this long, ending a sentence, is prose
_BULLET_RE = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s+")
_POSTSCRIPT_RE = re.compile(r"\s*P\.?\s?S\.?(?:[:\s]|$)\s*")
_STUDENT_ROLE_RE = re.compile(r"\b(?:[Tt]he|[Tt]his|[Oo]ur)\s+(?:student|applicant|candidate)\b")
_TITLED_PERSON_RE = re.compile(r"\b(?:Dr|Prof|Professor|Mr|Ms|Mrs|Mx)\.?\s+(?P<name>[A-Z][\w'’-]+)")
# "This work appeared at…": a work referred back to, which is whoever's the sentence before spoke of.
_WORK_BACK_RE = re.compile(r"^(?:This|That|The)\s+(?:[\w-]+\s+)?(?:work|paper|project|study|thesis)\b")
# A lead-in to what the student did or brings ("What I have done so far:", "My projects:", "About me:").
_OWN_LEAD_RE = re.compile(
    r"\bI\s+(?:have\s+)?(?:done|did|built|worked|bring|contributed|completed)\b|\babout\s+me\b|"
    r"\b(?:my|our)\s+(?:own\s+|recent\s+|relevant\s+|main\s+)?(?:work|projects?|experience|background|research|"
    r"contributions?|results?|publications?|papers?|skills?|qualifications?)\b",
    re.IGNORECASE,
)
# A lead-in to what a paper says, not to what the student did: a quoted title, a reading verb, "from"/"about" it.
_READ_LEAD_RE = re.compile(
    r"[\"“‘*_]|\b(?:your|you|read|reading|learned|learnt|liked|took\s+away|took\s+from|"
    r"(?:about|from)\s+(?:the|this|that|these|it))\b",
    re.IGNORECASE,
)
# A sentence naming no one that goes on about what the sentence before spoke of: "It…", "The corpus…".
_CONTINUES_RE = re.compile(
    r"^(?:It|They|(?:This|That|The|These|Those)\s+(?:[\w-]+\s+)?(?:corpus|dataset|data|classifier|model|tracker|"
    r"system|tool|benchmark|project|pipeline|study|survey|package|library|set|collection|annotation|experiment)s?)\b"
)
_THIRD_PERSON_RE = re.compile(r"\b(?:[Ss]he|[Hh]e|[Hh]er|[Hh]is|[Hh]im|[Hh]erself|[Hh]imself)\b")


@dataclass(frozen=True)
class Sentence:
    field: Field_
    start: int
    end: int
    text: str
    part: Part
    about: About


def surname_pattern(name: str) -> re.Pattern[str] | None:
    """The professor's surname as a whole word: a sentence naming it is about their work."""
    surname = norm(name).split()[-1:]
    return re.compile(rf"\b{re.escape(surname[0])}\b", re.IGNORECASE) if surname else None


def name_pattern(name: str | None) -> re.Pattern[str] | None:
    """Any word of the student's name, as written (capitalised): a sentence naming them speaks of them."""
    parts = [w for w in WORD_RE.findall(name or "") if len(w) > 1 and w[0].isupper()]
    return re.compile("|".join(rf"\b{re.escape(w)}\b" for w in parts)) if parts else None


@dataclass(frozen=True)
class People:
    """How to recognise the professor and the student in a sentence."""

    professor: re.Pattern[str] | None  # their surname
    student: re.Pattern[str] | None  # the words of the student's name

    def about(self, text: str, third_person_student: bool = False) -> About:
        prof = bool(PROF_PRONOUN_RE.search(text) or WORK_REFERENCE_RE.search(text))
        prof = prof or bool(self.professor and self.professor.search(text))
        student = bool(STUDENT_PRONOUN_RE.search(text)) or self.names_student(text)
        student = student or (third_person_student and bool(_THIRD_PERSON_RE.search(text)))
        if prof and student:
            return "mixed"
        return "professor" if prof else "student" if student else "neutral"

    def names_student(self, text: str) -> bool:
        """The student in the third person: by name or role, not in a first-person self-introduction."""
        named = bool(_STUDENT_ROLE_RE.search(text) or (self.student and self.student.search(text)))
        return named and not STUDENT_PRONOUN_RE.search(text)


def parse_sentences(subject: str, body: str, people: People) -> list[Sentence]:
    """The subject, then the body's salutation, sentences (paragraph by paragraph, list items apart), signature
    lines and any P.S. (as body sentences)."""
    sentences: list[Sentence] = []
    if subject.strip():
        s = len(subject) - len(subject.lstrip())
        sentences.append(Sentence("subject", s, len(subject.rstrip()), subject.strip(), "subject", "neutral"))
    lines = _line_spans(body)
    non_empty = [i for i, (a, b) in enumerate(lines) if body[a:b].strip()]
    if not non_empty:
        return sentences
    first = non_empty[0]
    if GREETING_RE.match(body[slice(*lines[first])]):
        sentences.append(_make_sentence(body, *lines[first], "salutation", people))
        first += 1
    closing = [i for i in non_empty if i >= first and CLOSING_RE.match(body[slice(*lines[i])])]
    last = closing[-1] if closing else len(lines)
    referent = _Referent()
    sentences += _body_sentences(body, lines, first, last, people, referent)
    for i in (i for i in non_empty if i >= last):
        postscript = _POSTSCRIPT_RE.match(body, *lines[i])
        if postscript and i > last:
            sentences += _body_sentences(body, [(postscript.end(), lines[i][1])], 0, 1, people, referent)
        elif i > last and _prose(body[slice(*lines[i])]):
            sentences += _body_sentences(body, [lines[i]], 0, 1, people, referent)
        else:
            sentences.append(_make_sentence(body, *lines[i], "signature", people))
    return sentences


def _prose(line: str) -> bool:
    """A paragraph after the closing ("Short bio: …", a note): part of the message, not a signature line (a name,
    a role, contact details are short)."""
    return len(line.split()) >= SIGNATURE_MAX_WORDS and bool(re.search(r"[.!?]\s*$", line.strip()))


@dataclass
class _Referent:
    """Whom "he"/"she" refers back to: the student, once the email has named them in the third person, until it
    names someone else by title ("my advisor, Dr. Horvat")."""

    student: bool = False
    student_list: bool = False  # the list being read was introduced as the student's ("What I have done so far:")

    def after(self, text: str, people: People) -> None:
        if people.names_student(text):
            self.student = True
        elif self.student and any(self._new_person(text, m, people) for m in _TITLED_PERSON_RE.finditer(text)):
            self.student = False

    @staticmethod
    def _new_person(text: str, m: re.Match[str], people: People) -> bool:
        """A titled person who is not the student, named before any he/she of the sentence ("Her thesis,
        supervised by Dr. Martin, …" still speaks of the student; "My advisor, Dr. Horvat, …" does not)."""
        if people.student and people.student.search(m.group("name")):
            return False
        return not _THIRD_PERSON_RE.search(text, 0, m.start())


def _body_sentences(
    body: str, lines: list[tuple[int, int]], first: int, last: int, people: People, referent: _Referent
) -> Iterator[Sentence]:
    for start, end in _paragraph_blocks(body, lines, first, last):
        lead = _BULLET_RE.match(body, start, end)
        offset = lead.end() if lead else start
        before: About = "neutral"
        for a, b in sentence_spans(body, offset, end):
            sentence = _make_sentence(body, a, b, "body", people, referent.student)
            if before == "student" and sentence.about == "professor" and _refers_back_only(sentence.text, people):
                sentence = replace(sentence, about="student")
            if lead and referent.student_list and sentence.about == "neutral":
                sentence = replace(sentence, about="student")
            if before == "student" and sentence.about == "neutral" and _CONTINUES_RE.match(sentence.text):
                sentence = replace(sentence, about="student")  # "I collected JaHotelDial. It has 3,200 dialogues."
            referent.after(sentence.text, people)
            if sentence.text:
                before = sentence.about
                yield sentence
        if not lead:
            referent.student_list = before == "student" and _introduces_own_list(body[start:end])


def _introduces_own_list(block: str) -> bool:
    """A paragraph about the student that ends in a colon introduces a list of what they did ("What I have done
    so far:", "My projects:"), whose items name no one: they are the student's. One that presents a paper or
    what the student read ("What I took from "CSFCube…":") introduces the paper's points."""
    text = block.strip()
    return text.endswith(":") and bool(_OWN_LEAD_RE.search(text)) and not _READ_LEAD_RE.search(text)


def _refers_back_only(text: str, people: People) -> bool:
    """The sentence speaks of the professor only by "This work…"/"That paper…" at its start (no you/your, no
    surname): after a sentence about the student's own work, it goes on about that work ("I annotated 2,300
    messages. This work appeared at VarDial 2026.")."""
    m = _WORK_BACK_RE.match(text)
    if not m or PROF_PRONOUN_RE.search(text) or (people.professor and people.professor.search(text)):
        return False
    return not WORK_REFERENCE_RE.search(text, m.end())


def _paragraph_blocks(body: str, offsets: list[tuple[int, int]], first: int, last: int) -> Iterator[tuple[int, int]]:
    """(start, end) of text blocks between lines `first` and `last`: paragraphs, with list items split off."""
    block_start: int | None = None
    for i in range(first, last):
        start, end = offsets[i]
        line = body[start:end]
        if not line.strip() or _BULLET_RE.match(line):
            if block_start is not None:
                yield block_start, offsets[i - 1][1]
            block_start = start if line.strip() else None
            continue
        if block_start is None:
            block_start = start
    if block_start is not None and last > first:
        yield block_start, offsets[last - 1][1]


def _line_spans(body: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in body.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _make_sentence(body: str, start: int, end: int, part: Part, people: People, third_person: bool = False) -> Sentence:
    raw = body[start:end]
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    whom: About = "student" if part == "signature" else "neutral"
    if part == "body":
        whom = people.about(text, third_person)
    return Sentence("body", start + lead, start + lead + len(text), text, part, whom)
