"""The offline answerer: an extractive answer that quotes the retrieved abstracts' best sentences with their
markers, or says the papers don't cover the question and points to the closest ones.

Every sentence (and the title) of the retrieved abstracts is scored against the question; the best sentence of
each paper scoring at least `RELEVANCE_THRESHOLD` is quoted. Relevance of a sentence = mean of (a) semantic: the
larger cosine of the sentence's MiniLM vector with the question's and with the question's topic phrase ("data
selection" for "What has she published on data selection?"), and (b) coverage: the IDF-weighted share of the
topic's terms that the sentence contains (BM25 IDF over the whole store; a term no paper contains weighs as BM25's
IDF at df=0, log(2N+2)).

Measured on the sample store (2 professors, 18 papers, k=5; best sentence per question) with the 24 on-topic and
24 off-topic questions in tests/fixtures/ask/relevance_questions.json: on-topic 0.61-0.92 (lowest: "test-time
memorization" 0.61, VLM safety 0.64), off-topic 0.10-0.41 (highest: "reinforcement learning for robotics" 0.41,
"federated learning privacy" 0.41). The cut is the midpoint of that gap, 0.51 (a margin of 0.10 on each side).
Neither signal alone separates the sets usefully: semantic alone leaves a gap of 0.02 (on >= 0.47, off <= 0.45),
coverage alone 0.05 (on >= 0.52, off <= 0.47). Using the paper's stored vector instead of each sentence's separates
almost as well (gap 0.16) but lets coverage pick the quotes ("data mixing" then quotes "mixed valid and invalid
tokens"). Since a sentence needs coverage >= 2T - 1 to pass even at cosine 1, sentences without a topic term are
never embedded. tests/test_ask.py re-checks every labelled question against the cut.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.ask.question import Kind, question_topic, topic_terms
from assistant.ask.retrieve import Source
from assistant.ask.wording import closest_text, not_covered_text
from assistant.embeddings_memo import embed_remembered, memo_path
from assistant.index import PaperIndex
from assistant.text import join_english, tokenize
from assistant.types import Paper
from assistant.untrusted import usable_sentences, usable_title

RELEVANCE_THRESHOLD = 0.51  # see the module docstring for the measurements behind it
MAX_QUOTES = 4  # at most this many quoted sentences (one per paper)

_THEORY_CUES = re.compile(
    r"\b(?:theor(?:y|ies|etical|etically|ems?)|we (?:prove|derive)|prove that|proofs?|provabl[ey]|"
    r"(?:upper|lower) bounds?|convergence (?:rate|guarantee)s?|guarantees?|formali[sz]e)\b",
    re.IGNORECASE,
)
_EXPERIMENT_CUES = re.compile(
    r"\b(?:experiments?|experimental(?:ly)?|empirical(?:ly)?|we evaluate|outperform\w*|ablations?)\b",
    re.IGNORECASE,
)


@dataclass
class Quote:
    source: Source
    text: str
    score: float


def paper_sentences(paper: Paper) -> list[str]:
    """The title and the abstract's sentences that may be quoted (none marked at ingest: untrusted.py), an
    "Abstract:" lead dropped, fragments under 4 words skipped."""
    found = [re.sub(r"^\s*abstract\s*[:.]\s*", "", s, flags=re.IGNORECASE) for s in usable_sentences(paper)]
    found = [s for s in found if len(s.split()) >= 4]
    title = usable_title(paper)
    return [title, *found] if title else found


class SentenceScorer:
    """Scores sentences against a question: mean of semantic similarity and IDF-weighted topic coverage."""

    def __init__(self, index: PaperIndex) -> None:
        self.index = index
        self.idf = index.catalog.term_stats()  # the FTS5 index's document frequencies, read per term
        self.unseen_idf = math.log(2 * max(self.idf.n_docs, 1) + 2)  # BM25's IDF for a term in no document

    def coverage(self, terms: set[str], sentence: str) -> float:
        if not terms:
            return 0.0
        have = set(tokenize(sentence))
        total = sum(self.idf.get(t, self.unseen_idf) for t in terms)
        return sum(self.idf.get(t, self.unseen_idf) for t in terms if t in have) / total

    def scores(self, question: str, sentences: Sequence[str], *, prune: bool = True) -> np.ndarray:
        """Relevance of each sentence. With `prune`, a sentence whose coverage is too low to reach the threshold
        even at cosine 1 (cov < 2T - 1) is not embedded and scores cov/2: the verdict is the same, for a fraction
        of the embeddings."""
        topic = question_topic(question) or question
        terms = topic_terms(topic)
        if not terms:  # nothing to cover: similarity alone
            return self.similarity(question, topic, sentences)
        coverage = np.array([self.coverage(terms, s) for s in sentences], dtype=np.float32)
        semantic = np.zeros(len(sentences), dtype=np.float32)
        todo = [i for i, c in enumerate(coverage) if not prune or c >= 2 * RELEVANCE_THRESHOLD - 1]
        if todo:
            semantic[todo] = self.similarity(question, topic, [sentences[i] for i in todo])
        return (semantic + coverage) / 2

    def similarity(self, question: str, topic: str, sentences: Sequence[str]) -> np.ndarray:
        """Each sentence's cosine to the question or its topic, whichever is closer. The sentences' vectors are
        saved beside the catalog once made (embeddings_memo.py): the next question reuses them."""
        asked = self.index.embedder.embed([question, topic])
        path = memo_path(self.index.settings.store_dir, self.index.model_id)
        vectors = embed_remembered(self.index.embedder, sentences, path)
        return np.maximum(vectors @ asked[0], vectors @ asked[1]).astype(np.float32)

    def best_per_paper(self, question: str, sources: Sequence[Source], *, prune: bool = True) -> list[Quote]:
        """Each paper's best sentence with its score, best first."""
        pairs = [(s, text) for s in sources for text in paper_sentences(s.paper)]
        scores = self.scores(question, [t for _, t in pairs], prune=prune)
        best: dict[int, Quote] = {}
        for (source, text), score in zip(pairs, scores, strict=True):
            if source.marker not in best or score > best[source.marker].score:
                best[source.marker] = Quote(source, text, float(score))
        return sorted(best.values(), key=lambda q: -q.score)

    def best_quotes(
        self, question: str, sources: Sequence[Source], *, limit: int = MAX_QUOTES, spread: bool = False
    ) -> list[Quote]:
        """The best sentence of each paper scoring at least RELEVANCE_THRESHOLD, best first; with `spread`, every
        professor's best quote comes before anyone's second."""
        quotes = [q for q in self.best_per_paper(question, sources) if q.score >= RELEVANCE_THRESHOLD]
        if spread:
            firsts = list({q.source.professor_id: q for q in reversed(quotes)}.values())
            quotes = sorted(firsts, key=lambda q: -q.score) + [q for q in quotes if q not in firsts]
        return sorted(quotes[:limit], key=lambda q: -q.score)


def _quote_line(text: str, marker: int) -> str:
    return f"- \u201c{text.strip()}\u201d [{marker}]"


def grouped_lines(quotes: Sequence[Quote], group: bool) -> list[str]:
    """One quoted line per quote; with `group`, under a heading per professor."""
    if not group:
        return [_quote_line(q.text, q.source.marker) for q in quotes]
    lines: list[str] = []
    for name in dict.fromkeys(q.source.professor_name for q in quotes):
        lines.append(f"{name}:")
        lines += [_quote_line(q.text, q.source.marker) for q in quotes if q.source.professor_name == name]
    return lines


def offline_answer(question: str, sources: Sequence[Source], scorer: SentenceScorer, kind: Kind) -> tuple[str, bool]:
    """(answer text, supported): quoted sentences with their markers, or "don't cover" and the closest papers."""
    if kind == "methodology":
        return methodology_answer(sources)
    quotes = scorer.best_quotes(question, sources, spread=kind == "who")
    if not quotes:
        return not_covered_text(question, sources), False
    owners = list(dict.fromkeys(q.source.professor_name for q in quotes))
    topic = question_topic(question)
    about = f" on {topic}" if topic else ""
    if kind == "who":
        head = f"{join_english(owners)} {'has' if len(owners) == 1 else 'have'} indexed papers{about}:"
    elif len(owners) == 1:
        head = f"From {owners[0]}'s indexed papers{about}:"
    else:
        head = f"From the indexed papers{about}:"
    return "\n".join([head, *grouped_lines(quotes, group=len(owners) > 1)]), True


def methodology_answer(sources: Sequence[Source]) -> tuple[str, bool]:
    """ "Theory or experiments?": the sentences of the retrieved abstracts that state each kind of result."""
    theory: list[Quote] = []
    experiments: list[Quote] = []
    for source in sources:
        found = paper_sentences(source.paper)
        t = next((s for s in found if _THEORY_CUES.search(s)), None)
        e = next((s for s in found if _EXPERIMENT_CUES.search(s) and s != t), None)
        if t:
            theory.append(Quote(source, t, 1.0))
        if e:
            experiments.append(Quote(source, e, 1.0))
    if not theory and not experiments:
        head = "The indexed papers don't say whether they are theoretical or experimental."
        return f"{head} {closest_text(sources)}".strip(), False
    group = len({s.professor_name for s in sources}) > 1
    if theory and experiments:
        head = "Both, judging by the indexed papers: some state theoretical results, some report experiments."
    elif theory:
        head = "Mostly theory: the retrieved abstracts state theoretical results and none reports experiments."
    else:
        head = "Mostly experiments: the retrieved abstracts report experiments and none states a theoretical result."
    lines = [head]
    if theory:
        lines += ["Theory:", *grouped_lines(theory[:2], group)]
    if experiments:
        lines += ["Experiments:", *grouped_lines(experiments[:2], group)]
    return "\n".join(lines), True
