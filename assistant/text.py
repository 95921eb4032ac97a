"""Text helpers shared by every module that reads words: the guardrails, ask, draft, cv and the keyword index.

One of each: a Unicode word tokenizer, the sentence splitter (with the one abbreviation list), stopwords, the
stemmer and the search tokenizer built on them, number parsing, the email and URL patterns, the English list
join and the surname. Letters are Unicode letters (the `regex` module's `\\p{L}`), so a student named Kovač,
Müller, Łukasz or Nguyễn is one word, and "100,000" is one number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import regex

from assistant.ids import normalize_text

# ---------------------------------------------------------------- words and tokens

# A word: a letter or digit, then letters, combining marks (a decomposed "ễ") and digits.
WORD_RE = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")
# A token of running text as the guardrails read it: a word with its inner punctuation kept ("Llama3.2-1B",
# "30%-40%", "don't", "100,000"), so a named thing or a figure is looked up whole. A comma stays inside a token
# only as a thousands separator.
TOKEN_RE = regex.compile(
    r"[\p{L}\p{N}](?:(?:[\p{L}\p{M}\p{N}'’.+\-–%×]|(?<=\p{N}),(?=\p{N}{3}(?!\p{N})))*[\p{L}\p{M}\p{N}+%×])?"
)


def words(text: str) -> list[str]:
    """The words of `text`, as written."""
    return WORD_RE.findall(text)


def tokens(text: str) -> list[str]:
    """The tokens of `text`, as written (see TOKEN_RE)."""
    return TOKEN_RE.findall(text)


# ---------------------------------------------------------------- stopwords, stemming, search terms

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either few for from further had has have
    having he her here hers herself him himself his how however i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too toward
    towards under until up upon very via was we were what when where which while who whom why will with within
    without would yet you your yours yourself yourselves""".split()
)
# Words too common in abstracts to rank papers by.
RESEARCH_STOPWORDS = frozenset(
    """using use used based show shows shown propose proposed paper work approach method methods new results
    thus one two well may many much often et al study studies""".split()
)
# The search and match scores were measured with these words as terms (README, "The match score"): keeping them
# keeps every score where it was.
_SEARCH_TERMS = frozenset("either toward towards upon within without yet".split())
SEARCH_STOPWORDS = (STOPWORDS | RESEARCH_STOPWORDS) - _SEARCH_TERMS


def stem(word: str) -> str:
    """A light stemmer: folds plurals and a few suffixes so "datasets" meets "dataset"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Search terms: normalised (ASCII-folded, lowercase) words, stopwords dropped, stemmed. BM25 search and the
    TF-IDF part of the match score rest on exactly this output."""
    return [stem(w) for w in normalize_text(text).split() if w not in SEARCH_STOPWORDS and len(w) > 1]


def content_words(norm: str) -> list[str]:
    """The words of normalised text that carry meaning: longer than two letters and not stopwords."""
    return [w for w in norm.split() if len(w) > 2 and w not in STOPWORDS]


# ---------------------------------------------------------------- numbers

_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_NUMBER_VALUE_RE = re.compile(r"\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[float]:
    """Every number stated in `text` ("100,000" is 100000, "30%-40%" is 30 and 40, "1.5x" is 1.5)."""
    return {float(v) for v in _NUMBER_VALUE_RE.findall(_THOUSANDS_RE.sub("", text))}


# ---------------------------------------------------------------- sentences

# Words a full stop follows without ending the sentence (single letters, initials, are handled apart).
ABBREVIATIONS = frozenset(
    "e.g i.e etc al dr prof mr ms mrs vs cf fig figs eq no nos st jr sr ph.d m.s b.s m.sc b.sc b.tech m.tech b.e "
    "m.eng b.eng b.a m.a u.s u.k a.k.a approx resp incl dept univ inc ltd co "
    # Titles and degrees of CVs and signatures ("Assoc. Prof.", "M.Phil."), references ("Vol. 3, pp. 1-9", "Eq.",
    # "Sec."), and months as CVs date entries ("Sept. 2023").
    "assoc asst assist d.phil m.phil m.res m.b.a d.sc ll.m m.ed vol vols pp ed eds sec ch chap ca viz "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“(\[]?[A-Z0-9])")
_LAST_WORD_RE = re.compile(r"([A-Za-z.]+)$")
_NEXT_WORD_RE = re.compile(r"\s+[\"“(\[]?([A-Za-z]+)")
_LAST_WORD_CHARS = 24  # longer than any abbreviation: a longer run is a word, never one of them


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of text[start:end]; a sentence ends at . ! or ? (and any closing
    quote or bracket) before a capital or a digit, except after an abbreviation or an initial. Spans cover the
    text without gaps, so each keeps the spaces that lead it."""
    end = len(text) if end is None else end
    spans, begin = [], start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if m.group().startswith(".") and _abbreviation_before(
            text, max(begin, m.start() - _LAST_WORD_CHARS), m.start(), _next_word(text, m.end())
        ):
            continue
        if _inside_quotation(text, begin, m):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    return spans


def _abbreviation_before(text: str, start: int, stop: int, following: str) -> bool:
    """An abbreviation, or an initial: a single letter, unless a function word follows it ("… inner steps T.
    The example…": a name's initial is followed by a name)."""
    before = _LAST_WORD_RE.search(text[start:stop])
    word = before.group(1).lower() if before else ""
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha() and following.lower() not in STOPWORDS)


def _inside_quotation(text: str, begin: int, end: re.Match[str]) -> bool:
    """The stop is inside a double quotation that closes later on the same line, with no stop of its own before
    its closing mark: a quoted title ("Is Attention Enough? A Study…", "Less is More... Sometimes") goes on.
    A quotation whose stop the closing mark follows ('She said "It works." Then…') ends where it ends."""
    if end.group()[-1] in "\"”’')]":
        return False
    before = text[begin : end.start()]
    curly_open = before.count("“") > before.count("”")
    if not (curly_open or before.count('"') % 2):
        return False
    line_end = text.find("\n", end.end())
    rest = text[end.end() : len(text) if line_end < 0 else line_end]
    close = rest.find("”" if curly_open else '"')
    return close >= 0 and not re.search(r"[.!?]\s", rest[:close])


def _next_word(text: str, at: int) -> str:
    m = _NEXT_WORD_RE.match(text, at)
    return m.group(1) if m else ""


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, empty ones left out."""
    return [s for a, b in sentence_spans(text) if (s := text[a:b].strip())]


# ---------------------------------------------------------------- emails, links, names, lists

# Bounded as RFC 5321 bounds them, and anchored, so a long run of letters cannot make the search quadratic.
EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])[\w.%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"
)
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"'“”]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    r"(?:com|org|edu|net|io|ai|dev|me|xyz|info|co|app|site|ly|gg|page)(?:/[^\s<>()\"'“”]*)?(?![\w@])",
    re.IGNORECASE,
)


def surname(name: str) -> str:
    """The last word of a name as written ("Mirzasoleiman" for "Baharan Mirzasoleiman")."""
    parts = name.split()
    return parts[-1] if parts else name


def join_english(items: Sequence[str], *, serial_comma: bool = False) -> str:
    """ "a", "a and b", "a, b and c" ("a, b, and c" with the serial comma); "" for no items."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ("," if serial_comma else "") + " and " + items[-1]
