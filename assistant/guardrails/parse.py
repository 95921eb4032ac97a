"""The email as the checks read it, parsed once per check run: sentences (structure.py), links masked out,
phrases presented as paper titles (mentions), quoted spans, each sentence's tokens, and the claim atoms
(atoms.py) every check reads."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import regex

from assistant.guardrails.atoms import Atom, Token, name_atoms, quantity_atoms
from assistant.guardrails.structure import (
    CLOSING_RE,
    Field_,
    People,
    Sentence,
    name_pattern,
    parse_sentences,
    surname_pattern,
)
from assistant.guardrails.vocabulary import classify_token, norm
from assistant.text import EMAIL_RE, TOKEN_RE, URL_RE, WORD_RE
from assistant.types import CitationUse, StudentClaim

QUOTE_MIN_WORDS = 4  # a shorter quoted phrase is a term, not a title
ITALIC_MIN_WORDS = 3
TITLE_RUN_MIN_CAPS = 4  # capitalised words in an unquoted Title-Case run presented as a paper

_QUOTE_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r'"([^"\n]{3,300}?)"'), QUOTE_MIN_WORDS),
    (re.compile(r"“([^”\n]{3,300}?)”"), QUOTE_MIN_WORDS),
    (re.compile(r"‘([^’\n]{3,300}?)’(?!\w)"), QUOTE_MIN_WORDS),
    (re.compile(r"(?<![\w'])'([^'\n]{3,300}?)'(?!\w)"), QUOTE_MIN_WORDS),
    (re.compile(r"(?<![\w*])\*([^*\n]{3,300}?)\*(?![\w*])"), ITALIC_MIN_WORDS),
    (re.compile(r"(?<![\w_])_([^_\n]{3,300}?)_(?![\w_])"), ITALIC_MIN_WORDS),
)
_PAPER_NOUN = r"(?:paper|papers|work|article|preprint|publication|study|titled|entitled|called|named)"
_QUOTE_CUE_RE = re.compile(rf"(?:\b{_PAPER_NOUN}\b(?:\s+(?:on|about|in))?|\bin)[\s,:\-–—]*$", re.IGNORECASE)
_RUN_CUE_RE = re.compile(
    r"\b(?:paper|papers|article|preprint|publication|titled|entitled|called|named)\b[\s,:\-–—]*$", re.IGNORECASE
)
_RUN_CONNECTORS = frozenset(
    "a an the of for and or in on to via with at by from is are as vs versus into over under toward towards "
    "without through not yet beyond".split()
)
_RUN_GAP_RE = re.compile(r"\s+|:\s+|\s*[-–—]\s*")
_OWNER_PRONOUN_RE = re.compile(r"\b(?:you|your|I|my|our|we)\b", re.IGNORECASE)
_ALNUM_RE = regex.compile(r"[\p{L}\p{N}]")
_CLAUSE_OPENERS = frozenset(':;—–("“')
_POSSESSIVE_RE = re.compile(r"['’](?:s|m|ve|d|ll|re|t)?$")

Owner = Literal["student", "professor", "unknown"]
# A name, and after it perhaps the name in another script ("Seo-yeon Park (박서연)", "Aikaterini P. / Αικατερίνη Π.").
_SIGNATURE_NAME_RE = regex.compile(
    r"^\s*(\p{Lu}[\p{L}\p{M}'’.-]*(?:\s+\p{Lu}[\p{L}\p{M}'’.-]*){0,3})\s*(?:\([^()\n]{1,60}\)|/[^/\n]{1,60})?\s*$"
)

__all__ = ["Atom", "Mention", "ParsedEmail", "Token", "parse_email"]


@dataclass(frozen=True)
class Mention:
    """A phrase presented as a paper title: quoted, italic, or a Title-Case run ("run"; `cued` when it follows
    "paper"/"titled", else a near-title that counts only if it matches a real title)."""

    field: Field_
    start: int
    end: int
    text: str
    kind: Literal["quote", "italic", "run"]
    cued: bool  # introduced as a paper ("your paper '…'", "titled …", "in '…'")
    sentence: Sentence | None
    owner: Owner  # whose work the nearest pronoun before it makes it


@dataclass
class ParsedEmail:
    """What every check reads. `structured`: a draft that states its cited ids and student claims (from the
    drafter), rather than plain text whose citations can only be inferred."""

    subject: str
    body: str
    structured: bool
    cited_ids: tuple[str, ...]  # every id the draft cites, in order, without repeats
    citations: Sequence[CitationUse]
    claims: Sequence[StudentClaim]
    sentences: list[Sentence]
    masks: dict[Field_, list[tuple[int, int]]]
    quote_spans: dict[Field_, list[tuple[int, int]]]
    mentions: list[Mention] = field(default_factory=list)
    atoms: list[Atom] = field(default_factory=list)
    student_words: frozenset[str] = frozenset()  # the words of the student's name, as written
    focus: dict[Sentence, Any] | None = None  # focus.Focus of each sentence, worked out once (focus.focus_of)
    _tokens: dict[Sentence, list[Token]] = field(default_factory=dict)

    def text(self, field: Field_) -> str:
        return self.subject if field == "subject" else self.body

    def span(self, field: Field_, start: int, end: int) -> str:
        return self.text(field)[start:end]

    def in_body(self, text: str) -> str | None:
        return text if text and text in self.body else None

    def masked(self, field: Field_, start: int, end: int) -> bool:
        """Inside a URL or an email address (checked as links, not as words)."""
        return any(a < end and start < b for a, b in self.masks[field])

    def sentence_at(self, field: Field_, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.field == field and s.start <= offset < s.end:
                return s
        return None

    def body_sentences(self, *abouts: str) -> Iterator[Sentence]:
        """Sentences of the body proper, about any of `abouts` (all when none is given)."""
        return (s for s in self.sentences if s.part == "body" and (not abouts or s.about in abouts))

    def atoms_of(self, s: Sentence) -> list[Atom]:
        return [a for a in self.atoms if a.sentence == s]

    def tokens(self, s: Sentence) -> list[Token]:
        if s not in self._tokens:
            self._tokens[s] = list(self._tokenize(s))
        return self._tokens[s]

    def _tokenize(self, s: Sentence) -> Iterator[Token]:
        # Only the spans that reach into this sentence can hold one of its tokens (most sentences have none).
        quotes = _within(s, [(m.start, m.end) for m in self.mentions if m.field == s.field] + self.quote_spans[s.field])
        masks = _within(s, self.masks[s.field])
        first_alnum = _ALNUM_RE.search(s.text)
        opening = first_alnum.start() if first_alnum else len(s.text)
        for m in TOKEN_RE.finditer(s.text):
            at, stop = m.span()
            start, end = s.start + at, s.start + stop
            tok = m.group()
            if "'" in tok or "’" in tok:
                tok = _POSSESSIVE_RE.sub("", tok)
            if not tok or any(a < end and start < b for a, b in masks):
                continue
            # Sentence-initial: nothing alphanumeric before it, or it opens a clause (after a colon, dash...);
            # what precedes it is looked at within 40 characters, so tokenising stays linear.
            initial = opening >= at or s.text[max(0, at - 40) : at].rstrip()[-1:] in _CLAUSE_OPENERS
            quoted = any(a <= start and end <= b for a, b in quotes)
            kind = classify_token(tok)
            if kind == "number" and _is_list_marker(s.text, at, stop):
                kind = "skip"
            yield Token(tok, start, start + len(tok), kind, initial, quoted)


def _within(s: Sentence, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in spans if a < s.end and s.start < b]


def parse_email(
    subject: str,
    body: str,
    professor_name: str,
    *,
    structured: bool,
    cited_ids: Iterable[str] = (),
    citations: Sequence[CitationUse] = (),
    claims: Sequence[StudentClaim] = (),
    student_name: str | None = None,
) -> ParsedEmail:
    """`student_name`: the CV's; the name signing the email is the student's too."""
    texts: dict[Field_, str] = {"subject": subject, "body": body}
    # The CV's name and the signature's: a CV may give the name in another script only, or not in a form the
    # reader takes for a name ("Seo-yeon Park (박서연)"), and the email names the student as the signature does.
    signed = _signature_name(body)
    name = " ".join(dict.fromkeys(n for n in (student_name, signed) if n)) or None
    people = People(surname_pattern(professor_name), name_pattern(name))
    email = ParsedEmail(
        subject=subject,
        body=body,
        structured=structured,
        cited_ids=tuple(dict.fromkeys([*cited_ids, *(c.paper_id for c in citations)])),
        citations=citations,
        claims=claims,
        sentences=parse_sentences(subject, body, people),
        masks={f: _link_spans(t) for f, t in texts.items()},
        quote_spans={
            f: [m.span(1) for pattern, _ in _QUOTE_PATTERNS for m in pattern.finditer(t)] for f, t in texts.items()
        },
    )
    email.mentions = _find_mentions(email)
    # The words that claim nothing: the CV's name when it has one (a signature naming someone else is checked).
    email.student_words = frozenset(WORD_RE.findall(student_name or signed or ""))
    email.atoms = _atoms(email)
    return email


def _atoms(email: ParsedEmail) -> list[Atom]:
    out: list[Atom] = []
    for s in email.sentences:
        if s.part == "salutation":
            continue
        skip = email.masks[s.field] + [(m.start, m.end) for m in email.mentions if m.field == s.field]
        found = [*quantity_atoms(s, skip), *name_atoms(s, email.tokens(s), email.student_words)]
        out += sorted(found, key=lambda a: a.start)
    return out


def _signature_name(body: str) -> str | None:
    """The line after the last closing ("Best regards,") when it reads as a name."""
    lines = body.split("\n")
    closing = [i for i, line in enumerate(lines) if CLOSING_RE.match(line)]
    after = [line for line in lines[closing[-1] + 1 :] if line.strip()] if closing else []
    match = _SIGNATURE_NAME_RE.match(after[0]) if after else None
    return match.group(1) if match else None


def _link_spans(text: str) -> list[tuple[int, int]]:
    return sorted([m.span() for m in URL_RE.finditer(text)] + [m.span() for m in EMAIL_RE.finditer(text)])


def _is_list_marker(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if not value.isdigit() or int(value) > 20:
        return False
    wrapped = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
    leading = not text[:start].strip() and text[end : end + 1] in (".", ")")
    return wrapped or leading


# ---------------------------------------------------------------- mentions of titles


def _find_mentions(email: ParsedEmail) -> list[Mention]:
    mentions = [m for f in ("subject", "body") for m in _quoted_mentions(email, f)]
    quoted = [(m.start, m.end) for m in mentions if m.field == "body"]
    for s in email.body_sentences():
        for start, end in _title_runs(s):
            if not any(a <= start < b or a < end <= b for a, b in quoted):
                mention = _mention(email, "body", start, end, "run", _RUN_CUE_RE)
                if mention.cued:
                    mentions.append(mention)
    return mentions


def _quoted_mentions(email: ParsedEmail, field: Field_) -> Iterator[Mention]:
    for pattern, min_words in _QUOTE_PATTERNS:
        for m in pattern.finditer(email.text(field)):
            if len(norm(m.group(1).strip()).split()) < min_words or email.masked(field, *m.span(1)):
                continue
            kind: Literal["quote", "italic"] = "italic" if m.group(0)[0] in "*_" else "quote"
            yield _mention(email, field, m.start(1), m.end(1), kind, _QUOTE_CUE_RE)


def _mention(
    email: ParsedEmail,
    field: Field_,
    start: int,
    end: int,
    kind: Literal["quote", "italic", "run"],
    cue: re.Pattern[str],
) -> Mention:
    text = email.text(field)
    sentence = email.sentence_at(field, start)
    prefix = text[sentence.start if sentence else 0 : start].rstrip(" \"“‘'*_")
    pronouns = _OWNER_PRONOUN_RE.findall(prefix)
    last = pronouns[-1].lower() if pronouns else ""
    owner: Owner = "student" if last in ("i", "my", "our", "we") else "professor" if last else "unknown"
    return Mention(field, start, end, text[start:end], kind, bool(cue.search(prefix)), sentence, owner)


def _title_runs(s: Sentence) -> Iterator[tuple[int, int]]:
    """Title-Case runs (>= TITLE_RUN_MIN_CAPS capitalised words; connectors and colons allowed) in a sentence."""
    run: list[Any] = []  # regex matches
    for m in [*TOKEN_RE.finditer(s.text), None]:
        capital = m is not None and (m.group()[0].isupper() or m.group()[0].isdigit())
        connector = m is not None and m.group().lower() in _RUN_CONNECTORS
        gap_ok = m is None or not run or _RUN_GAP_RE.fullmatch(s.text[run[-1].end() : m.start()])
        if m is not None and gap_ok and (capital or (connector and run)):
            run.append(m)
            continue
        while run and run[-1].group().lower() in _RUN_CONNECTORS and not run[-1].group()[0].isupper():
            run.pop()
        if sum(1 for r in run if r.group()[0].isupper()) >= TITLE_RUN_MIN_CAPS:
            yield s.start + run[0].start(), s.start + run[-1].end()
        run = [m] if m is not None and capital else []
