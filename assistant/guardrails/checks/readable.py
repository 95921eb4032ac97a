"""What a reader of an email notices at once, as plain predicates: the form check reports them, and the offline
drafter (assistant/compose) uses the same ones to refuse a subject phrase or a name before it writes it.

- `subject_problems`: a person's name written as in a citation ("M. Chen", "Chen et al."), a role ("Graduate
  Student Researcher"), a URL or email address, or a slug (a handle such as "coreset-lab": a hyphenated or
  underscored lowercase token that the CV uses as a name - bold, code, before a colon, in a link).
- `cut_short`: a sentence ending in an ellipsis, on a word no sentence ends with ("the", "of", "and"), or with an
  unclosed parenthesis.
- `not_a_name`: a salutation's addressee that is no person's name ("Professor lab!").
"""

from __future__ import annotations

import re

import regex

from assistant import lexicon
from assistant.text import EMAIL_RE, URL_RE

_INITIALS_NAME_RE = regex.compile(r"(?<![\p{L}.])(?:\p{Lu}\.\s?){1,3}(\p{Lu}[\p{Ll}'’-]+)")
_SURNAME_INITIALS_RE = regex.compile(r"\b\p{Lu}[\p{Ll}'’-]+,\s(?:\p{Lu}\.\s?){1,3}(?!\p{L})|\bet\s+al\b")
_ROLE_RE = re.compile(
    r"\b(?:(?:graduate|undergraduate|research|teaching|student|senior|junior|lead|visiting|postdoctoral|doctoral|"
    r"summer|software|staff|principal)\s+)+(?:researcher|assistant|intern|engineer|scientist|fellow|lecturer|"
    r"associate|developer|analyst)s?\b(?!\s+(?:position|positions|opening|openings|role|roles|post|posts|job|jobs))",
    re.IGNORECASE,
)
_SLUG_RE = re.compile(r"(?<![\w.@/-])[a-z0-9]+(?:[-_][a-z0-9]+)+(?![\w@/-])")
# Words no English sentence ends on: a sentence that does was cut short.
_DANGLING = frozenset("the a an and or nor but of than via whose my your our their its".split())
# An ellipsis ending the sentence, or ending one the splitter ran on past ("…" is no sentence end to it).
_ELLIPSIS_RE = re.compile(r"(?:\u2026|\.\.\.)[\"”’')\]]*(?:\s*$|\s+(?=[A-Z]))")
# A quotation's own punctuation is the quoted text's ("Less is More... Sometimes"): looked past for the ellipsis.
_QUOTED_RE = re.compile(r'"[^"\n]+"|“[^”\n]+”')
# The last word, whole: the "a" of "(Sennrich et al., 2016a)" is part of a year, not a dangling article.
_LAST_WORD_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]+)[\"”’')\]]*[.!?]?[\"”’')\]]*\s*$")
_NAME_PARTICLES = frozenset("van von de da di del della der den du dos das le la bin ibn al el ben ter".split())
_HONORIFIC_RE = re.compile(r"^(?:professor|prof\.?|dr\.?|doctor|mr\.?|ms\.?|mrs\.?|mx\.?)\s+", re.IGNORECASE)
_NOT_NAMES = frozenset(
    """lab labs laboratory group team department dept university college institute center centre school faculty
    office admissions research board staff members""".split()
)
_NAME_WORD_RE = regex.compile(r"\p{Lu}[\p{L}\p{M}'’.-]*")


def subject_problems(text: str, cv_text: str = "") -> list[tuple[str, str]]:
    """(the words, what they are) for everything in `text` a subject line must not carry."""
    links = [(m.group(), "a web or email address") for m in (*URL_RE.finditer(text), *EMAIL_RE.finditer(text))]
    names = [(m.group(), "a person's name") for m in _INITIALS_NAME_RE.finditer(text) if _is_surname(m.group(1))]
    names += [(m.group(), "a person's name") for m in _SURNAME_INITIALS_RE.finditer(text)]
    roles = [(m.group(), "a role, not a topic") for m in _ROLE_RE.finditer(text)]
    slugs = [(m.group(), "a handle or slug") for m in _SLUG_RE.finditer(text) if _is_slug(m.group(), cv_text)]
    return links + names + roles + slugs


def _is_surname(word: str) -> bool:
    # "M.S. Student" is a degree and a common word, "M. Chen" a name: surnames are not in the lexicon.
    return not lexicon.is_known(word)


def _is_slug(token: str, cv_text: str) -> bool:
    if "_" in token:
        return True
    named = rf"(?:\*\*|`|/|^|\n)[ \t]*{re.escape(token)}[ \t]*(?:\*\*|`|:|/)"
    return bool(re.search(named, cv_text, re.IGNORECASE))


def cut_short(sentence: str) -> str | None:
    """Why a sentence reads as cut off mid-thought, or None."""
    text = sentence.strip()
    if _ELLIPSIS_RE.search(_QUOTED_RE.sub('""', text)):
        return "it ends in an ellipsis"
    if text.count("(") > text.count(")"):
        return "a parenthesis is left open"
    last = _LAST_WORD_RE.search(text)
    initial = last is not None and len(last.group(1)) == 1 and last.group(1).isupper() and text.endswith(".")
    if last and last.group(1).lower() in _DANGLING and not initial:  # "…Control A.A." ends on an initial
        return f"it ends on {last.group(1)!r}"
    return None


def not_a_name(addressee: str) -> str | None:
    """Why a salutation's addressee ("Professor Mirzasoleiman", "Dr. Ana Kovač") is no person's name, or None."""
    rest = _HONORIFIC_RE.sub("", addressee.strip().rstrip(",:;!. ").strip())
    if not rest:
        return None  # "Dear Professor," is generic, not wrong: the caller says so
    if re.search(r"[!?;@#/\\0-9()\[\]{}<>]", rest):
        return "it has characters no name has"
    for word in rest.split():
        low = word.lower().strip(".,")
        if low in _NOT_NAMES:
            return f"{word!r} is not a name"
        if low not in _NAME_PARTICLES and not _NAME_WORD_RE.fullmatch(word.rstrip(",")):
            return f"{word!r} is not written as a name"
    return None
