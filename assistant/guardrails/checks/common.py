"""Helpers that several checks share: whose paper a mention names, what the CV backs, known numbers and terms."""

from __future__ import annotations

from rapidfuzz import fuzz

from assistant.guardrails.atoms import Token
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import Mention
from assistant.guardrails.vocabulary import PUBLICATION_CUE_RE, norm
from assistant.text import content_words, numbers_in
from assistant.types import Paper

CV_MATCH_RATIO = 90  # rapidfuzz partial_ratio of a claimed publication title against the CV


def own_paper(m: Mention, ev: Evidence) -> Paper | None:
    """The professor's paper a mention names by title (a Title-Case run may also contain the title)."""
    return ev.title_of(m.text, m.kind == "run")


def others_paper(m: Mention, ev: Evidence) -> tuple[str, Paper] | None:
    """(owner name, paper) when a mention names another professor's paper."""
    return ev.other_title_of(m.text, m.kind == "run")


def student_publication(m: Mention, ev: Evidence) -> bool:
    """A mention in a sentence that claims a publication for the student ("my paper '…'")."""
    # A phrase quoted from the professor's own papers is about their work, whatever pronouns surround it.
    if len(content_words(norm(m.text))) >= 3 and ev.prof.has(m.text.rstrip("\u2026. ")):
        return False
    return m.sentence is not None and bool(PUBLICATION_CUE_RE.search(m.sentence.text))


def cv_has_title(title: str, ev: Evidence) -> bool:
    n = norm(title)
    if f" {n} " in ev.cv.norm:
        return True
    if fuzz.partial_ratio(n, ev.cv.norm) < CV_MATCH_RATIO:
        return False
    return ev.cv.has_all_words(title)


def number_known(tok: Token, ev: Evidence, strict: bool) -> bool:
    """Every number in the token is stated in their papers (strict) or in their papers or the CV."""
    pool = ev.prof.numbers if strict else ev.prof.numbers | ev.cv.numbers
    return all(v in pool for v in numbers_in(tok.text))


def stated_in(tok: Token, numbers: frozenset[float]) -> bool:
    return all(v in numbers for v in numbers_in(tok.text))


def term_known(term: str, ev: Evidence, strict: bool) -> bool:
    return ev.known_to_professor(term) if strict else ev.known_anywhere(term)


def written_in(term: str, *raw_texts: str) -> bool:
    """A term that normalisation erases (Cyrillic, Chinese: "Нұрланқызы", "张伟") is looked up as written,
    case-folded, in the raw texts; normalised lookups would never find it."""
    folded = term.casefold()
    return any(folded in t.casefold() for t in raw_texts)
