"""The rest of the store, as the guardrails compare a draft against it: every professor's papers beyond the one
written to. `Corpus` is what `Evidence` asks; `StoreCorpus` answers from papers held in memory (a test's or a
hand-made context's), `saved_corpus.SavedCorpus` from a lookup saved beside the catalog (a store's, so a draft
does not read and index every paper of a 100,000-paper store).

Also here, because both corpora need them: `Texts` (whole-word lookups in normalised text) and `title_matches`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from assistant.guardrails.vocabulary import norm, plural_variants
from assistant.text import content_words, numbers_in, stem
from assistant.types import Paper

TITLE_MIN_RATIO = 90  # rapidfuzz ratio (0..100) between a claimed and a real title, both normalised


@lru_cache(maxsize=65536)
def _source_numbers(text: str) -> frozenset[float]:
    return frozenset(numbers_in(text))


class WordLookup(ABC):
    """Whole-word lookups of a term in some texts; `has` decides, the rest are built on it."""

    @abstractmethod
    def has(self, term: str) -> bool:
        """`term` (any text) appears as whole words, tolerant to case, punctuation and a plural s.

        A single word of 5+ letters may also open a longer word ("Scholar" in "Scholarship")."""

    def has_all_words(self, phrase: str) -> bool:
        words = content_words(norm(phrase))
        return bool(words) and all(self.has(w) for w in words)

    def has_any_word(self, phrase: str) -> bool:
        return any(self.has(w) for w in content_words(norm(phrase)))

    def has_phrase(self, phrase: str) -> bool:
        return self.has(phrase) or self.has_all_words(phrase)


@dataclass(frozen=True)
class Texts(WordLookup):
    """Normalised text padded with spaces for whole-word lookups, and the numbers it states."""

    norm: str = " "
    numbers: frozenset[float] = frozenset()

    @classmethod
    def of(cls, parts: Iterable[str | None]) -> Texts:
        # Part by part, so each source text is normalised once per process (cached), not once per draft.
        texts = [p for p in parts if p]
        joined = " ".join(n for n in map(norm, texts) if n)
        return cls(norm=f" {joined} ", numbers=frozenset().union(*map(_source_numbers, texts)))

    def has(self, term: str) -> bool:
        n = norm(term)
        if not n:
            return False
        if any(f" {v} " in self.norm for v in plural_variants(n)):
            return True
        return " " not in n and len(n) >= 5 and f" {n}" in self.norm


def title_matches(candidate: str, title: str, allow_containment: bool) -> bool:
    """A claimed title (normalised) names a real one: near-identical with no foreign word, or a verbatim part."""
    if not candidate or not title:
        return False
    if len(candidate.split()) >= 3 and f" {candidate} " in f" {title} ":
        return True
    if allow_containment and len(title.split()) >= 3 and f" {title} " in f" {candidate} ":
        return True
    if fuzz.ratio(candidate, title) < TITLE_MIN_RATIO:
        return False
    title_stems = {stem(w) for w in title.split()}
    return all(stem(w) in title_stems for w in content_words(candidate))


Owner = tuple[str | None, str]  # (professor id, name); the id is None for a paper given only with a name


class Corpus(ABC):
    """Every professor's papers, to compare a draft against beyond its own professor. It may hold the checked
    professor's own papers too: lookups that must skip them take the professor's id."""

    texts: WordLookup  # title and abstract text of every paper (a term is looked up here only after own texts)

    @abstractmethod
    def names_besides(self, professor_id: str | None) -> set[str]:
        """The names of the professors whose papers it holds, but for this one."""

    @abstractmethod
    def abstracts_with(self, own: Sequence[Paper]) -> Hashable:
        """Every abstract in play, the corpus's and these papers': the key `verbatim.ngram_owners` indexes."""

    @abstractmethod
    def other_title(self, phrase: str, professor_id: str | None, allow_containment: bool) -> tuple[str, Paper] | None:
        """(owner name, paper) of the first paper not this professor's whose title the normalised `phrase` names."""

    @abstractmethod
    def owner_of(self, paper_id: str) -> Owner | None:
        """Whose paper this is (the last owner listed, when several professors hold it)."""

    @abstractmethod
    def other_paper_using(self, words: Sequence[str], professor_id: str | None, least: int) -> tuple[str, Paper] | None:
        """(owner name, paper) of the first titled paper not this professor's whose title and abstract hold at
        least `least` of `words`, and more than half of them."""


def uses_words(texts: WordLookup, words: Sequence[str], least: int) -> bool:
    found = sum(texts.has(w) for w in words)
    return found >= least and 2 * found > len(words)


class StoreCorpus(Corpus):
    """Every professor's papers, normalised once, held in memory.

    One is shared by all the drafts of a batch: rebuilding it for each check was a fifth of the guardrails' time
    on a 2,000-paper store.
    """

    def __init__(self, papers: Iterable[tuple[str | None, str, Paper]]) -> None:  # (owner id, owner name, paper)
        entries = list(papers)
        self.by_paper = {p.id: (owner, name) for owner, name, p in entries}
        self.titles = [(owner, name, p, norm(p.title)) for owner, name, p in entries if p.title and norm(p.title)]
        self.title_norms = [t for _, _, _, t in self.titles]  # for rapidfuzz's batch scoring
        # Own papers in it are harmless: a term is looked up here only after it was not found in the professor's
        # own texts.
        self.texts = Texts.of(x for _, _, p in entries for x in (p.title, p.abstract))
        self.owners = {(owner, name) for owner, name, _ in entries}
        self.abstracts = frozenset((p.id, p.abstract) for _, _, p in entries if p.abstract)
        self.abstract_key = tuple(sorted(self.abstracts))

    @classmethod
    def of_others(cls, other_papers: Iterable[tuple[str, Paper]]) -> StoreCorpus:
        return cls((None, name, paper) for name, paper in other_papers)

    def names_besides(self, professor_id: str | None) -> set[str]:
        return {name for owner, name in self.owners if owner != professor_id}

    def abstracts_with(self, own: Sequence[Paper]) -> tuple[tuple[str, str], ...]:
        # The corpus's own key whenever it already holds these abstracts (always, in a batch: both sides are
        # trusted copies, see draft.guardrail_context; a key per draft would rebuild the index for every draft).
        mine = {(p.id, p.abstract) for p in own if p.abstract}
        return self.abstract_key if mine <= self.abstracts else tuple(sorted(self.abstracts | mine))

    def other_title(self, phrase: str, professor_id: str | None, allow_containment: bool) -> tuple[str, Paper] | None:
        # Only the titles that contain it, that it contains, or that rapidfuzz scores near it (one C call over
        # the store) are compared in full.
        near = process.extract(phrase, self.title_norms, scorer=fuzz.ratio, score_cutoff=TITLE_MIN_RATIO, limit=None)
        candidates = {i for _, _, i in near}
        padded = f" {phrase} "
        candidates |= {i for i, t in enumerate(self.title_norms) if padded in f" {t} " or t in phrase}
        for i in sorted(candidates):
            owner, name, paper, title = self.titles[i]
            if owner != professor_id and title_matches(phrase, title, allow_containment):
                return name, paper
        return None

    def owner_of(self, paper_id: str) -> Owner | None:
        return self.by_paper.get(paper_id)

    def other_paper_using(self, words: Sequence[str], professor_id: str | None, least: int) -> tuple[str, Paper] | None:
        for owner, name, paper, _ in self.titles:
            if owner != professor_id and uses_words(Texts.of([paper.title, paper.abstract]), words, least):
                return name, paper
        return None
