"""Offline answers to chat follow-ups, from the papers the question refers back to (followup.py finds them):
which of them is most recent or oldest, when one was published, what they say about what is asked, or what
they are about when nothing more is asked ("Tell me more about the first one")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.ask.extractive import Quote, SentenceScorer, grouped_lines, paper_sentences
from assistant.ask.followup import reference_spans
from assistant.ask.question import NEWEST, OLDEST, question_topic, topic_terms
from assistant.ask.retrieve import Source
from assistant.ask.wording import date_key, month_year, not_covered_text
from assistant.text import join_english, tokenize
from assistant.untrusted import usable_title

# Words of a question that asks for nothing but more about the papers: "Tell me more about…", "Summarize…".
_TELL_MORE = frozenset(
    tokenize("tell more explain elaborate summarize summarise summary describe details simpler terms idea briefly")
)
_WHEN = re.compile(r"\b(?:how (?:recent|old|new)|when|what year|which year|dated?)\b", re.IGNORECASE)


def followup_answer(
    question: str, meant: Sequence[Source], previous: Sequence[Source], scorer: SentenceScorer
) -> tuple[str, bool]:
    """(answer text, supported) for a question about `meant`, the papers it refers to ([] when it refers to a
    paper the conversation has not cited)."""
    if not meant:
        refs = join_english([f"[{s.marker}]" for s in previous])
        return f"I can't tell which paper you mean: the last answer cited {refs}.", False
    if NEWEST.search(question) or OLDEST.search(question):
        return order_answer(question, meant)
    if _WHEN.search(question):
        return dates_answer(meant)
    rest = _without_references(question)
    if not topic_terms(question_topic(rest)) - _TELL_MORE:
        return summary_answer(meant), True
    quotes = scorer.best_quotes(rest, meant)
    if not quotes:
        if len(meant) == 1:
            return not_covered_text(rest, [], f"The abstract of [{meant[0].marker}]", "doesn't"), False
        return not_covered_text(rest, meant, subject="Those papers"), False
    return "\n".join([_head(meant), *grouped_lines(quotes, _several_professors(quotes))]), True


def summary_answer(meant: Sequence[Source]) -> str:
    """What the papers are about: the opening sentences of each abstract (two for one paper, one each for more),
    or the title of a paper without an abstract."""
    per_paper = 2 if len(meant) == 1 else 1
    quotes = [Quote(source, text, 1.0) for source in meant for text in _opening(source)[:per_paper] if text]
    return "\n".join([_head(meant), *grouped_lines(quotes, _several_professors(quotes))])


def dates_answer(meant: Sequence[Source]) -> tuple[str, bool]:
    """ "How recent is the second one?": each paper's month and year, as the index has them."""
    said = [f"[{s.marker}] is from {month_year(s.paper)}." for s in meant if date_key(s.paper)]
    undated = [f"[{s.marker}]" for s in meant if not date_key(s.paper)]
    if undated:
        said.append(f"{join_english(undated)} {'has' if len(undated) == 1 else 'have'} no date in the index.")
    return " ".join(said), len(undated) < len(meant)


def order_answer(question: str, previous: Sequence[Source]) -> tuple[str, bool]:
    """ "Which of those is most recent / oldest?": the previous answer's papers sorted by date."""
    newest = not OLDEST.search(question)
    dated = sorted((s for s in previous if date_key(s.paper)), key=lambda s: date_key(s.paper) or "", reverse=newest)
    undated = [s for s in previous if not date_key(s.paper)]
    which = "most recent" if newest else "oldest"
    if not dated:
        refs = join_english([f"[{s.marker}]" for s in undated])
        return f"None of those papers ({refs}) has a date in the index, so I can't tell which is {which}.", False
    lines = [f"The {which} of those is [{dated[0].marker}] ({month_year(dated[0].paper)})."]
    if len(dated) > 1:
        rest = ", ".join(f"[{s.marker}] ({month_year(s.paper)})" for s in dated[1:])
        lines.append(f"Then {rest}.")
    if undated:
        refs = join_english([f"[{s.marker}]" for s in undated])
        lines.append(f"{refs} {'has' if len(undated) == 1 else 'have'} no date in the index.")
    return " ".join(lines), True


def _opening(source: Source) -> list[str]:
    found = paper_sentences(source.paper)
    return found[1:] or found if usable_title(source.paper) else found  # the title comes first when usable


def _head(meant: Sequence[Source]) -> str:
    return f"From [{meant[0].marker}]:" if len(meant) == 1 else "Of those:"


def _several_professors(quotes: Sequence[Quote]) -> bool:
    return len({q.source.professor_name for q in quotes}) > 1


def _without_references(question: str) -> str:
    """The question with the words naming the papers blanked: what it asks about them."""
    kept, at = [], 0
    for start, end in reference_spans(question):
        kept.append(question[at:start] if start > at else "")
        at = max(at, end)
    kept.append(question[at:])
    return " ".join(" ".join(kept).split())
