"""One sentence about one paper: its contribution or finding, chosen from its abstract and retold to its author
(voice.py), or, when no sentence can be retold safely, a plain mention of its title.

Sentences are chosen, never cut: one longer than MAX_WORDS, or one that would copy COPY_SOFT_WORDS or more
consecutive words of the abstract (the copying guardrail's warning), loses to a shorter one; a run of
MAX_COPIED_WORDS or more is never used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant import lexicon
from assistant.compose.student import lower_first
from assistant.compose.voice import FINDING, PROPOSAL, Retold, plain_statement, retell
from assistant.guardrails.checks.copying import COPY_SOFT_WORDS
from assistant.guardrails.verbatim import shingles, verbatim_runs, words_with_offsets
from assistant.text import sentences, tokenize
from assistant.types import Paper

MAX_WORDS = 32  # of the retold sentence, opener excluded
MIN_WORDS = 6
# A "title" that names proceedings ("INTERSPEECH 2012, 13th Annual Conference of ...") is no paper to mention.
_VENUE_RE = re.compile(r"\b(?:Proceedings|Conference|Symposium|Workshop|Annual Meeting)\b.*\b(?:19|20)\d\d\b")
MAX_COPIED_WORDS = 22  # longer verbatim runs read as pasted (the copying check only warns, from 12 words)
_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to via with".split())


Kind = Literal["finding", "proposal", "study", "opening", "title"]


@dataclass(frozen=True)
class Description:
    kind: Kind  # "opening": an untitled paper told by its abstract's first sentence
    opener: str  # "In “Title” (2024)" or "In your 2026 preprint"
    retold: str = ""  # "you showed that ..." (empty for a title mention)
    copied_words: int = 0  # the longest run of the abstract's words it repeats

    @property
    def paper_named(self) -> str:
        """The paper as the subject of a sentence: "In your 2026 preprint" -> "Your 2026 preprint"."""
        named = self.opener.removeprefix("In ")
        return named[:1].upper() + named[1:]


def describe(paper: Paper, focus: str = "") -> Description | None:
    """The best sentence about `paper` for a student interested in `focus`, or None when the paper has neither
    a sentence that can be retold nor a title."""
    opener = _opener(paper)
    focus_terms = set(tokenize(focus))
    best: tuple[float, Description] | None = None
    for position, sentence in enumerate(sentences(paper.abstract or "")):
        retold = retell(sentence)
        if retold is None:
            continue
        words = len(retold.text.split())
        copied = _copied_words(retold.text, paper.abstract or "")
        if not MIN_WORDS <= words <= MAX_WORDS or copied >= MAX_COPIED_WORDS:
            continue
        score = _score(retold, focus_terms, position, words, copied)
        if best is None or score > best[0]:
            best = (score, Description(_kind(retold), opener, retold.text, copied))
    if best:
        return best[1]
    if paper.title:
        return None if _VENUE_RE.search(paper.title) else Description("title", opener)
    return _opening(paper, opener)


def _opening(paper: Paper, opener: str) -> Description | None:
    """An untitled paper, told by the plain statement its abstract opens with ("Your 2026 preprint opens with the
    observation that synthetic data has the potential to ..."): its topic, in its own words."""
    first = next(iter(sentences(paper.abstract or "")), "")
    if not plain_statement(first):
        return None
    text = lower_first(first.rstrip("."))
    copied = _copied_words(text, paper.abstract or "")
    # Reported as it stands, the statement is all copy: short enough that the copying check does not warn.
    if not MIN_WORDS <= len(text.split()) <= MAX_WORDS or copied >= COPY_SOFT_WORDS:
        return None
    return Description("opening", opener, text, copied)


def _score(retold: Retold, focus_terms: set[str], position: int, words: int, copied: int) -> float:
    """Findings over proposals over set-up, the student's topic, shorter and earlier sentences, fewer words
    copied in a row."""
    kind = 3.0 if retold.verb in FINDING else 2.5 if retold.verb in PROPOSAL else 1.5
    overlap = min(2.0, 0.5 * len(focus_terms & set(tokenize(retold.text))))
    penalty = 0.05 * position + (1.25 if copied >= COPY_SOFT_WORDS else 0.0) + (0.5 if words > 26 else 0.0)
    return kind + overlap - penalty


def _kind(retold: Retold) -> Literal["finding", "proposal", "study"]:
    return "finding" if retold.verb in FINDING else "proposal" if retold.verb in PROPOSAL else "study"


def _copied_words(text: str, abstract: str) -> int:
    """The longest run of words of `text` found consecutively in `abstract` (as the copying check counts)."""
    n = 4  # shorter runs do not matter here
    words = [w for w, _, _ in words_with_offsets(text)]
    runs = verbatim_runs(words, shingles(abstract, n), n)
    return max((b - a for a, b in runs), default=0)


def shown_title(title: str) -> str:
    """A title as an email quotes it: without the full stop some listings end it with, and in title case when the
    listing shouts it ("PARAMETER-EFFICIENT TRANSFER LEARNING")."""
    title = title.strip().removesuffix(".")
    if not title.isupper() or len(title.split()) < 2:
        return title
    words = ["-".join(_title_case(part) for part in word.split("-")) for word in title.split()]
    return " ".join([words[0]] + [w.lower() if w.lower() in _SMALL_WORDS else w for w in words[1:]])


def _title_case(word: str) -> str:
    # A short word the lexicon does not know is an acronym ("NLP", "GANS"): it stays in capitals.
    return word.capitalize() if lexicon.is_known(word.lower()) or len(word) > 5 else word


def _opener(paper: Paper) -> str:
    when = f" ({paper.year})" if paper.year else ""
    if paper.title:
        return f"In \u201c{shown_title(paper.title)}\u201d{when}"
    kind = next((s.kind for s in paper.sources if s.kind), None) or "paper"
    venue = re.sub(r"\s*\([^)]*\)", "", paper.venue or "").strip()
    where = f" on {venue}" if venue and len(venue.split()) <= 3 else ""
    return f"In your {paper.year or 'recent'} {kind}{where}"
