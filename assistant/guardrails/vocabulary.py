"""Words and patterns several guardrail checks share: normalisation, what a token is, generic terms, instructions."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import regex

from assistant.ids import normalize_text
from assistant.text import STOPWORDS

Severity = Literal["hard", "soft"]
TokenKind = Literal["number", "year", "strong", "weak", "plain", "skip"]


_NON_ALNUM_RE = regex.compile(r"[^\p{L}\p{M}\p{N}]+")


# Sized for a store of several thousand papers: a batch checks every draft against the same titles and abstracts.
@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Lowercase ASCII words separated by single spaces. Any non-letter is a word break first, so a dash that
    ASCII folding would drop ("ensembles—Bach") still separates words."""
    return normalize_text(_NON_ALNUM_RE.sub(" ", text))


# Capitalised words and acronyms that say nothing checkable (titles, degrees, calendar, courtesy, field names).
_GENERIC_TERMS = frozenset(
    normalize_text(t)
    for t in """I AI ML NLP LLM LLMs CV CVs GPA TA RA PhD Ph.D Ph.D. MS M.S MSc M.Sc BS B.S BSc B.Sc BA B.A MA M.A
    MEng M.Eng BEng B.Eng BTech B.Tech MTech M.Tech MBA MPhil DPhil Professor Prof Dr Doctor Mr Ms Mrs Mx Sir
    Madam Dear Hi Hello Hey Greetings Thank Thanks Best Regards Sincerely Cheers Warmly Kind Warm Yours
    Subject Re Fwd FYI PS P.S Resume Email E-mail OK Zoom English USA US U.S UK U.K
    January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday Fall Spring Summer Winter Autumn Student Students Candidate
    Researcher Research Assistant Intern Applicant Prospective Department University College School Institute
    Lab Laboratory Group Center Centre Program Programme Engineering Science Sciences Master Masters Bachelor
    Bachelors Doctoral Undergraduate Graduate GPU GPUs CPU API APIs CS EE ECE""".split()
)


def is_generic(term: str) -> bool:
    return norm(term) in _GENERIC_TERMS


_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*(?:%|x|×|k|K|M|B)?(?:[-–]\d+(?:[.,]\d+)*(?:%|x|×|k|K|M|B)?)?")
_YEAR_RE = re.compile(r"(?:19|20)\d\d(?:[-–](?:19|20)?\d\d)?")
_SKIP_TOKEN_RE = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm)", re.IGNORECASE)  # ordinals, decades, times
_TOKEN_PART_RE = re.compile(r"[-–./'’]")


@lru_cache(maxsize=65536)  # the same words recur in every sentence and every draft
def classify_token(tok: str) -> TokenKind:
    """What a token can claim: a number or year, a named thing (strong: acronym, CamelCase, digits; weak:
    capitalised), a plain word, or nothing to check (ordinals, decades, times)."""
    if not tok or _SKIP_TOKEN_RE.fullmatch(tok) or _math_symbol(tok):
        return "skip"
    if _NUMBER_RE.fullmatch(tok):
        return "year" if _YEAR_RE.fullmatch(tok) else "number"
    if any(c.isdigit() for c in tok):
        return "strong"
    parts = [p for p in _TOKEN_PART_RE.split(tok) if p]
    if any(sum(c.isupper() for c in p) >= 2 or (p[0].islower() and any(c.isupper() for c in p)) for p in parts):
        return "strong"  # acronyms (SAM, LLMs) and CamelCase (ImageNet, nanoGPT)
    if tok.lower() in STOPWORDS:
        return "plain"  # "My", "Our", "The": capitalised for grammar, never a name
    return "weak" if tok[0].isupper() else "plain"


def _math_symbol(tok: str) -> bool:
    """A variable or a symbol of notation ("T", "Θ", "ℓ0", "τ"): a single letter, or Greek or letter-like."""
    first = ord(tok[0])
    return (len(tok) == 1 and tok.isalpha()) or 0x370 <= first <= 0x3FF or 0x2100 <= first <= 0x214F


def is_named(tok: str) -> bool:
    return classify_token(tok) in ("strong", "weak")


def plural_variants(term: str) -> set[str]:
    variants = {term, term + "s"}
    if len(term) > 3 and term.endswith("s"):
        variants.add(term[:-1])
    if len(term) > 4 and term.endswith("es"):
        variants.add(term[:-2])
    return variants


def canonical_url(url: str) -> str:
    url = url.lower().rstrip(".,;:!?)]}'\"")
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url)
    return url.rstrip("/")


# ---------------------------------------------------------------- whose words a sentence speaks

PROF_PRONOUN_RE = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
# "I", but not the I of "I/O" or of a superscript or subscript ("n^I").
STUDENT_PRONOUN_RE = re.compile(r"\b(?:(?<![\^_])I(?![/-])|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Oo]ur|[Oo]urs|us)\b")
WORK_REFERENCE_RE = re.compile(
    # The noun in lower case: "the Best Paper Award" names an award, it refers to no paper.
    r"\b(?:the|this|that|these|those)\s+(?:[\w-]+\s+){0,2}?(?-i:paper|papers|work|study|studies|finding|findings|"
    r"result|results|analysis|method|methods|approach|framework|idea|observation|insight|proof|theory|"
    r"experiments?|algorithm|technique|objective|gains?|improvements?|speedups?|reductions?)\b"
    r"|\b(?:outperforms|boosts|improves|reduces|achieves|yields|shows|proves|demonstrates|surpasses)\b",
    re.IGNORECASE,
)
PROFESSOR_SIDE_RE = re.compile(rf"{PROF_PRONOUN_RE.pattern}|{WORK_REFERENCE_RE.pattern}", re.IGNORECASE)
STUDENT_SUBJECT_RE = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|[Mm]y|[Ww]e|[Oo]ur)\b")
PUBLICATION_CUE_RE = re.compile(
    r"\b(?:my|our)\s+(?:[\w-]+\s+){0,3}?(?:paper|papers|publication|preprint|article|thesis)\b|"
    r"\bI\s+(?:have\s+|recently\s+|also\s+|previously\s+)*(?:published|co-?authored|authored|wrote|presented|"
    r"first-authored)\b|\b(?:first|co)-?author(?:ed)?\b",
    re.IGNORECASE,
)
