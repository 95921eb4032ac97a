"""What an email may rely on, normalised once per check run: the professor's papers and profile, the retrieved
sources, the student's CV (without text that reads like instructions to a model), and the other professors'
papers (a `corpus.Corpus`, shared by every draft of a batch)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from assistant.guardrails.acronyms import acronyms, spelled_out
from assistant.guardrails.atoms import Atom, clause_subject
from assistant.guardrails.corpus import Corpus, StoreCorpus, Texts, title_matches
from assistant.guardrails.focus import title_head
from assistant.guardrails.paper_words import PaperWords, paper_words
from assistant.guardrails.quantities import stated
from assistant.guardrails.vocabulary import canonical_url, is_generic, norm
from assistant.instructions import CV_INSTRUCTION_RE
from assistant.text import EMAIL_RE, URL_RE, sentences, stem
from assistant.types import Paper, Professor, StudentProfile
from assistant.untrusted import is_instruction

if TYPE_CHECKING:
    from assistant.guardrails.verifier import SupportVerifier


class GuardrailContext(BaseModel):
    """What a draft may rely on: the professor's papers, the retrieved sources, the CV, the rest of the store."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    professor: Professor  # with .papers = all their indexed papers
    sources: list[Paper]  # the papers retrieved for this draft (all their papers for a hand-written email)
    student: StudentProfile | None = None  # None: nothing about the student can be verified (check skipped)
    other_papers: list[tuple[str, Paper]] = Field(default_factory=list)  # (other professor's name, paper)
    # The same, prepared once for a whole store (draft.guardrail_context); overrides other_papers when given.
    corpus: Corpus | None = Field(default=None, exclude=True)
    min_words: int = 80
    max_words: int = 400


@dataclass(frozen=True)
class Author:
    """Whose work the text talks about: a professor, or the owners of the papers an answer cites."""

    name: str
    papers: tuple[Paper, ...]
    id: str | None = None
    profile: tuple[str | None, ...] = ()  # what else their profile says: position, topics, coauthors...
    active_years: tuple[int | None, ...] = ()
    email: str = ""
    affiliation: str = ""
    units: tuple[str, ...] = ()  # department, labs, position: other names of where they work

    @classmethod
    def of(cls, prof: Professor) -> Author:
        profile = [prof.position, prof.affiliation, prof.department, prof.email, prof.about, *prof.topics]
        profile += [*prof.labs, *prof.education, *prof.awards, *(c.name for c in prof.coauthors)]
        profile += [c.affiliation for c in prof.coauthors]
        return cls(
            name=prof.name,
            papers=tuple(prof.papers),
            id=prof.id,
            profile=tuple(profile),
            active_years=(prof.active_from, prof.active_to),
            email=prof.email or "",
            affiliation=prof.affiliation or "",
            units=tuple(x for x in (prof.department, prof.position, *prof.labs) if x),
        )

    @property
    def profile_parts(self) -> list[str | None]:
        return [self.name, *self.profile]


def _paper_parts(paper: Paper) -> list[str | None]:
    return [*paper_titles(paper), paper.abstract, paper.venue, *(s.venue for s in paper.sources)]


def paper_titles(paper: Paper) -> list[str]:
    """Its title, then the titles of versions a merge folded into it (a preprint's, a journal version's)."""
    titles = [t for t in (paper.title, *(s.title for s in paper.sources)) if t]
    return list(dict.fromkeys(titles))


class Evidence:
    """Everything a check compares the email with, normalised once per check run."""

    def __init__(
        self,
        author: Author,
        sources: Sequence[Paper],
        *,
        student: StudentProfile | None = None,
        corpus: Corpus | None = None,
        min_words: int = 80,
        max_words: int = 400,
        verifier: SupportVerifier | None = None,
    ) -> None:
        self.name = author.name
        self.verifier = verifier  # what the checks that need an LLM may call; None: they are skipped
        self.prof_id = author.id
        self.sources = list(sources)
        self.source_ids = {p.id for p in sources}
        self.min_words, self.max_words = min_words, max_words
        self._own_texts(author)
        self._other_texts(corpus or StoreCorpus([]), author)
        self._cv_texts(student)
        self.professor_email = author.email.lower()
        self.affiliation, self.units = author.affiliation, author.units
        self._titles_found: dict[tuple[str, bool], Paper | None] = {}

    @classmethod
    def of_context(cls, ctx: GuardrailContext, verifier: SupportVerifier | None = None) -> Evidence:
        return cls(
            Author.of(ctx.professor),
            ctx.sources,
            student=ctx.student,
            corpus=ctx.corpus or StoreCorpus.of_others(ctx.other_papers),
            min_words=ctx.min_words,
            max_words=ctx.max_words,
            verifier=verifier,
        )

    def _own_texts(self, author: Author) -> None:
        papers = author.papers
        self.papers = {p.id: p for p in papers}
        self.paper_texts = {p.id: Texts.of(_paper_parts(p)) for p in papers}
        # As written, for the quantities each paper states (quantities.stated, cached per text).
        self.paper_raw = {p.id: "\n".join(x for x in (p.title, p.abstract) if x) for p in papers}
        self.profile_raw = "\n".join(x for x in author.profile_parts if x)
        self.prof = Texts.of([*(x for p in papers for x in _paper_parts(p)), *author.profile_parts])
        raw = [*(x for p in papers for x in (*_paper_parts(p), p.url, p.doi)), *author.profile_parts]
        self.prof_raw = "\n".join(x or "" for x in raw)
        self.abstracts = Texts.of(p.abstract for p in papers)
        self.prof_years = _years(author)
        self.titles = [(p, norm(t)) for p in papers for t in paper_titles(p) if norm(t)]
        self.name_tokens = set(norm(author.name).split())

    def _other_texts(self, corpus: Corpus, author: Author) -> None:
        self.corpus = corpus
        self.other = corpus.texts
        self.other_names = corpus.names_besides(author.id)
        # Every abstract in play (this professor's and the others'): the key of the n-gram indexes.
        self.all_abstracts = corpus.abstracts_with(author.papers)

    def _cv_texts(self, student: StudentProfile | None) -> None:
        self.has_cv = student is not None
        self.cv_raw, injected = clean_cv(_cv_text(student) if student else "")
        self.injected = list(injected)
        self.cv = Texts.of([self.cv_raw])
        self.student_email = (student.email or "").lower() if student else ""

    @cached_property
    def words(self) -> PaperWords:
        """Which of their papers hold each word (built on first use: only plain text and figures need it)."""
        return paper_words(tuple((pid, texts.norm) for pid, texts in self.paper_texts.items()))

    @cached_property
    def title_heads(self) -> dict[str, tuple[str, ...]]:
        """Their papers by the head of each title (focus.title_head)."""
        heads: dict[str, list[str]] = {}
        for p in self.papers.values():
            for head in {title_head(t) for t in paper_titles(p)} - {""}:
                heads.setdefault(head, []).append(p.id)
        return {head: tuple(ids) for head, ids in heads.items()}

    @cached_property
    def name_stems(self) -> frozenset[str]:
        return frozenset(stem(w) for w in self.name_tokens)

    @cached_property
    def allowed_urls(self) -> set[str]:
        return {canonical_url(u) for u in URL_RE.findall(self.prof_raw + "\n" + self.cv_raw)}

    @cached_property
    def allowed_emails(self) -> set[str]:
        """The CV's, the profile's, and those the professor's own titles and abstracts give outside a sentence that
        reads as an instruction (trusted copies leave them out: ingest kept them in `flagged_sentences`)."""
        texts = [self.cv_raw, self.profile_raw, *self.abstract_marked]
        found = {e.lower() for text in texts for e in EMAIL_RE.findall(text)}
        return found | {e for e in (self.student_email, self.professor_email) if e}

    @cached_property
    def abstract_marked(self) -> tuple[str, ...]:
        """The sentences of their titles and abstracts ingest marked for a link or an address, not instructions."""
        return tuple(s for p in self.papers.values() for s in p.flagged_sentences if not is_instruction(s))

    # ---------------------------------------------------------------- named things (atoms.Atom of kind "name")

    def name_known(self, atom: Atom) -> bool:
        """The name (or, for a compound such as "BERT-style", each of its named parts) is in their texts."""
        return self.known_to_professor(atom.text) or (
            bool(atom.parts) and all(map(self.known_to_professor, atom.parts))
        )

    def name_in_paper(self, atom: Atom, pid: str) -> bool:
        texts = self.paper_texts[pid]
        if texts.has(atom.text) or spelled_out(atom.text, texts.norm):
            return True
        return bool(atom.parts) and all(is_generic(p) or texts.has(p) for p in atom.parts)

    def cv_has_name(self, atom: Atom) -> bool:
        if self.cv_has(atom.text):
            return True
        return bool(atom.parts) and all(self.known_anywhere(p) for p in atom.parts)

    def cv_has(self, term: str) -> bool:
        """In the CV as written, or as the acronym of words the CV spells out ("TU" for "Technical University",
        "SGDA" for "stochastic gradient descent-ascent")."""
        return self.cv.has(term) or term in self.cv_acronyms or spelled_out(term, self.cv.norm)

    @cached_property
    def cv_entries(self) -> tuple[str, ...]:
        """The CV's entries (paragraphs and list items, wrapped lines joined), normalised and space-padded."""
        return tuple(f" {norm(e)} " for e in _CV_ENTRY_BREAK_RE.split(self.cv_raw) if norm(e))

    @cached_property
    def cv_entry_stems(self) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(stem(w) for w in e.split()) for e in self.cv_entries)

    @cached_property
    def cv_acronyms(self) -> frozenset[str]:
        return acronyms(self.cv_raw)

    def quantity_backed(self, atom: Atom) -> bool:
        """A figure the CV states, or one of the professor's that the student repeats, unless the student's own
        clause says it ("I ran it on a 128-worker cluster" must be the CV's)."""
        q = atom.quantity
        if q is None:
            return False
        texts = [self.cv_raw]
        if clause_subject(atom.sentence, atom.start) != "student":
            texts += [self.profile_raw, *self.paper_raw.values()]
        return any(stated(t).has(q) for t in texts)

    def foreign_name(self, atom: Atom) -> bool:
        """Another professor's papers hold the name, or a part of it that this professor's do not."""
        if self.other.has(atom.text):
            return True
        unknown = [p for p in atom.parts if not self.known_to_professor(p)]
        return bool(unknown) and all(self.other.has(p) for p in unknown)

    def known_to_professor(self, term: str) -> bool:
        return is_generic(term) or self.prof.has(term)

    def known_anywhere(self, term: str) -> bool:
        return self.known_to_professor(term) or self.cv.has(term)

    def title_of(self, phrase: str, allow_containment: bool = False) -> Paper | None:
        """Their paper whose title `phrase` names (several checks ask about the same mentions: asked once)."""
        key = (phrase, allow_containment)
        if key not in self._titles_found:
            n = norm(phrase)
            found = (p for p, title in self.titles if title_matches(n, title, allow_containment))
            self._titles_found[key] = next(found, None)
        return self._titles_found[key]

    def other_title_of(self, phrase: str, allow_containment: bool = False) -> tuple[str, Paper] | None:
        """Another professor's paper whose title `phrase` names."""
        n = norm(phrase)
        return self.corpus.other_title(n, self.prof_id, allow_containment) if n else None

    def other_owner(self, paper_id: str) -> str | None:
        """The name of the other professor who wrote this paper, if one did."""
        owner, name = self.corpus.owner_of(paper_id) or (self.prof_id, "")
        return name if owner != self.prof_id else None

    def closest_title(self, phrase: str) -> tuple[str, float] | None:
        n = norm(phrase)
        scored = [(p.title or "", fuzz.ratio(n, t)) for p, t in self.titles]
        return max(scored, key=lambda s: s[1]) if scored else None


_CV_ENTRY_BREAK_RE = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+\.)\s)")


def _years(author: Author) -> set[int]:
    papers = author.papers
    years = {p.year for p in papers if p.year}
    texts = [p.date or "" for p in papers] + [s.date or "" for p in papers for s in p.sources]
    texts += [x or "" for x in author.profile_parts]
    years |= {int(y) for t in texts for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", t)}
    return years | {y for y in author.active_years if y}


@lru_cache(maxsize=8)  # a batch checks every draft against the same CV
def clean_cv(text: str) -> tuple[str, tuple[str, ...]]:
    """The CV without segments that read like instructions to a model, and those segments."""
    kept, injected = [], []
    for line in text.split("\n"):
        pieces = sentences(line)
        bad = [p for p in pieces if CV_INSTRUCTION_RE.search(p)]
        if bad:
            injected.extend(bad)
            kept.append(" ".join(p for p in pieces if p not in bad))
        else:
            kept.append(line)
    return "\n".join(kept), tuple(injected)


def _cv_text(student: StudentProfile) -> str:
    items = [i.source_text for i in student.all_items()]
    return "\n".join(x for x in (student.name, student.email, student.raw_text, *items) if x)
