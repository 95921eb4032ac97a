"""Text we ingest is data, never instructions: the sentences of abstracts, titles and profiles that read as
instructions to a model, or carry a link or an email address, are marked.

Marked sentences stay in the record (`Paper.flagged_sentences`, `Professor.flagged_sentences`, counted in the
ingest summary), but nothing quotes them: the offline answerer and drafter pick their sentences from
`usable_sentences(paper)`, prompts put `usable_abstract(paper)` in their data blocks, and the answer checks take
`trusted_copy(paper)` as evidence, so an answer that repeats a planted instruction fails the injection check
instead of being excused by the abstract it came from. A sentence that reads as an instruction is left out whole;
of a sentence that only carries a link or an email address, only the link is left out. A site named as a proper
noun ("paragraphs from WikiHow.com") is no link: it is the paper's data source, a fact like any other.

The patterns are the guardrails' own: what the injection check would flag in an email (instructions, model
meta-text) and the link and email patterns of text.py. Links are marked too because a planted "visit
http://evil.example/x" is the payload an instruction points at, and a real abstract's "code at github.com/…"
adds nothing to an email or an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.instructions import OUTPUT_INSTRUCTION_RE
from assistant.text import EMAIL_RE, URL_RE, sentences
from assistant.types import Paper, Professor

LINK_NOTE = "[link left out]"


def is_instruction(sentence: str) -> bool:
    return bool(OUTPUT_INSTRUCTION_RE.search(sentence))


def is_untrusted(sentence: str) -> bool:
    return is_instruction(sentence) or bool(EMAIL_RE.search(sentence)) or any(map(_is_link, URL_RE.finditer(sentence)))


def _is_link(m: re.Match[str]) -> bool:
    """An address, not a site named as a proper noun: "…paragraphs from WikiHow.com" names its data source (a fact
    of the paper, kept as evidence), while "github.com/…", "www.…" or "https://…" is somewhere to go."""
    found = m.group()
    return found.islower() or "/" in found or found.lower().startswith("www.")


def without_links(text: str) -> str:
    """The text with its links and email addresses replaced by a note. Only the link goes: the sentence splitter
    may have joined a real claim to the sentence that carries it ("… by 1.2x. Code at https://…")."""
    return URL_RE.sub(lambda m: LINK_NOTE if _is_link(m) else m.group(), EMAIL_RE.sub(LINK_NOTE, text))


def flagged_in(texts: Iterable[str | None]) -> list[str]:
    """The marked sentences of these texts, in order, each once."""
    found = [s for text in texts if text for s in _marked(text)]
    return list(dict.fromkeys(found))


# Sized like the guardrails' caches (a store of several thousand papers): every draft of a batch asks about its
# professor's papers, and the store corpus about all of them, so without it the instruction pattern was searched
# over every sentence of the store's abstracts once per draft (a third of an offline draft's time).
@lru_cache(maxsize=65536)
def _marked(text: str) -> tuple[str, ...]:
    return tuple(s for s in sentences(text) if is_untrusted(s))


def usable_sentences(paper: Paper) -> list[str]:
    """What an answer or a draft may quote of the abstract: its sentences without those that read as
    instructions, and without links or email addresses."""
    return list(_usable(paper.abstract or ""))


@lru_cache(maxsize=65536)
def _usable(abstract: str) -> tuple[str, ...]:
    return tuple(without_links(s) for s in sentences(abstract) if not is_instruction(s))


def usable_title(paper: Paper) -> str | None:
    return without_links(paper.title) if paper.title and not is_instruction(paper.title) else None


def usable_abstract(paper: Paper) -> str | None:
    """The abstract as `usable_sentences`, with a note saying how many sentences were left out (None: none left)."""
    if not paper.abstract or not flagged_in([paper.abstract]):
        return paper.abstract or None
    kept = usable_sentences(paper)
    left_out = len(sentences(paper.abstract)) - len(kept)
    if not left_out:
        return " ".join(kept)
    note = f"[{left_out} sentence(s) left out: they read as instructions to a model]"
    return " ".join([*kept, note])


def trusted_copy(paper: Paper) -> Paper:
    """The paper as evidence for the guardrails: what `usable_title` and `usable_sentences` keep of it."""
    if not flagged_in([paper.title, paper.abstract]):
        return paper
    abstract = " ".join(usable_sentences(paper)) or None
    return paper.model_copy(update={"title": usable_title(paper), "abstract": abstract})


def trusted_professor(professor: Professor) -> Professor:
    """The professor as evidence: every paper a `trusted_copy`, the profile's "about" text likewise."""
    about = professor.about
    if about and flagged_in([about]):
        about = " ".join(without_links(s) for s in sentences(about) if not is_instruction(s)) or None
    papers = [trusted_copy(p) for p in professor.papers]
    return professor.model_copy(update={"papers": papers, "about": about})


def mark(professor: Professor) -> int:
    """Record the marked sentences of a professor's profile and papers; returns how many there are."""
    professor.flagged_sentences = flagged_in([professor.about, *professor.topics, *professor.labs])
    total = len(professor.flagged_sentences)
    for paper in professor.papers:
        paper.flagged_sentences = flagged_in([paper.title, paper.abstract])
        total += len(paper.flagged_sentences)
    return total
