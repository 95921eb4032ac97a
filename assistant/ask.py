"""Ask: answer a student's question from a professor's indexed papers, with every citation checked in code.

Retrieval is the index's hybrid search, restricted to one professor (or to a collection) when given, else over
all professors (collections are left out unless asked for). Each retrieved paper gets a marker `[n]`; in a chat
the markers are stable for the whole conversation, so earlier answers keep pointing at the same papers.

Two answerers share retrieval and checks:

- LLM (settings.llm_configured): `prompts/ask.j2` puts the papers in numbered, delimited data blocks and tells the
  model to answer only from them. With `--json` it is one structured call (`AskReply`: answer, supported, cited).
  In the terminal the same prompt with a plain-text output instruction is streamed through `LLM.stream`; a small
  filter (`MarkerFilter`) holds back a `[`… until its marker is complete, so citations to papers that were not
  retrieved are dropped before they reach the screen, and the printed text is exactly the checked text.
- Offline: an extractive answer. Every sentence (and the title) of the retrieved abstracts is scored against the
  question; the best sentence of each paper scoring at least `RELEVANCE_THRESHOLD` is quoted with its marker.
  Nothing above the threshold: "The indexed papers don't cover X", then the closest papers.

Relevance of a sentence = mean of (a) semantic: the larger cosine of the sentence's MiniLM vector with the
question's and with the question's topic phrase ("data selection" for "What has she published on data
selection?"), and (b) coverage: the IDF-weighted share of the topic's terms that the sentence contains (BM25 IDF
over the whole store; a term no paper contains weighs as BM25's IDF at df=0, log(2N+2)). Measured on the sample
store (2 professors, 18 papers, k=5; best sentence per question) with the 24 on-topic and 24 off-topic questions
in tests/fixtures/ask/relevance_questions.json: on-topic 0.61-0.92 (lowest: "test-time memorization" 0.61, VLM
safety 0.64), off-topic 0.10-0.41 (highest: "reinforcement learning for robotics" 0.41, "federated learning
privacy" 0.41). The cut is the midpoint of that gap, 0.51 (a margin of 0.10 on each side). Neither signal alone
separates the sets usefully: semantic alone leaves a gap of 0.02 (on >= 0.47, off <= 0.45), coverage alone 0.05
(on >= 0.52, off <= 0.47). Using the paper's stored vector instead of each sentence's separates almost as well
(gap 0.16) but lets coverage pick the quotes ("data mixing" then quotes "mixed valid and invalid tokens"). Since a
sentence needs coverage >= 2T - 1 to pass even at cosine 1, sentences without a topic term are never embedded.
tests/test_ask.py re-checks every labelled question against the cut.

Question kinds: "who works on X?" across professors takes at most ceil(k/2) papers per professor and groups the
answer by professor; "theory or experiments?" retrieves with theory/experiment cue words added and quotes the
sentences that state each kind of result. Chat follow-ups: in LLM mode the history and the previous answer's
papers (same markers) go to the model; offline, "most recent / oldest" sorts the previous answer's papers by date
and "which of those …" re-asks within them.

Checks (both modes; `check_answer`): a `[n]` that points to no retrieved paper is stripped and reported (hard).
Every sentence goes through the guardrails' `check_answer_sentence` with the papers it cites as the only evidence
(all retrieved papers for a sentence with no marker): numbers, years and named things must appear in those papers,
quoted titles must be real, no instructions or unknown links (the answer checks: titles, numbers, attribution,
injection; citations is ours), and the guardrails' roll-up makes the report. A cited sentence that shares no
content word with the paper it cites is flagged (soft). Words the student used in the question may be repeated in
sentences that cite nothing or say the papers don't cover it ("The indexed papers don't cover RLHF").

`supported` is trust-but-verify: the model's (or the extractive scorer's) verdict, and at least one valid citation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from assistant.errors import InputError, OutreachError, error_lines
from assistant.guardrails import ANSWER_CHECKS, Claim, check_answer_sentence, check_claims, report_of
from assistant.guardrails.verifier import SupportVerifier, support_verifier, verifier_llm
from assistant.ids import normalize_text
from assistant.index import PaperIndex
from assistant.llm import LLM, StreamEnd, Usage
from assistant.settings import Settings
from assistant.templating import render
from assistant.text import SEARCH_STOPWORDS as STOPWORDS
from assistant.text import join_english, sentences, tokenize
from assistant.types import (
    AskAnswer,
    AskCitation,
    GuardrailReport,
    Paper,
    Professor,
    Provenance,
    Violation,
)
from assistant.untrusted import trusted_copy, usable_abstract, usable_sentences, usable_title

RELEVANCE_THRESHOLD = 0.51  # see the module docstring for the measurements behind it
MAX_QUOTES = 4  # offline: at most this many quoted sentences (one per paper)
CLOSEST = 3  # papers shown when the question is not covered
HISTORY_TURNS = 6  # chat: earlier turns passed to the model
ASK_CHECKS = ("citations", *ANSWER_CHECKS)
TEMPLATES = ["ask.j2"]

Kind = Literal["topic", "who", "methodology"]

# ---------------------------------------------------------------- the question


# Words that say how the student asks, not what about: never part of the topic.
_QUESTION_WORDS = frozenset(
    """what which who whom whose how why when where does do did done doing has have had is are was were will
    would could should can she he her his hers him they them their theirs professor prof dr lab labs group
    groups faculty people person anyone anybody researcher researchers research publish publishes published
    publishing publication publications paper papers work works worked working study studies studied
    anything something thing things about any area areas field fields topic topics tell me you please know
    use uses using used involve involves include includes focus focuses cover covers mention mentions
    """.split()
)
_TOPIC_AFTER = re.compile(r"\b(?:on|about|regarding|concerning|into|with)\s+(?P<topic>\S.*)$", re.IGNORECASE)
_WHO = re.compile(
    r"^\s*(?:who\b|which\s+(?:professors?|people|labs?|groups?|faculty|researchers?|of them)\b)", re.IGNORECASE
)
_THEORY_WORDS = re.compile(r"\btheor(?:y|ies|etical|etically|ems?)\b|\bproofs?\b", re.IGNORECASE)
_EXPERIMENT_WORDS = re.compile(r"\bexperiment\w*|\bempiric\w*|\bapplied\b|\bpractical\b", re.IGNORECASE)
_THEORY_CUES = re.compile(
    r"\b(?:theor(?:y|ies|etical|etically|ems?)|we (?:prove|derive)|prove that|proofs?|provabl[ey]|"
    r"(?:upper|lower) bounds?|convergence (?:rate|guarantee)s?|guarantees?|formali[sz]e)\b",
    re.IGNORECASE,
)
_EXPERIMENT_CUES = re.compile(
    r"\b(?:experiments?|experimental(?:ly)?|empirical(?:ly)?|we evaluate|outperform\w*|ablations?)\b",
    re.IGNORECASE,
)
_METHODOLOGY_QUERY = "theoretical analysis, we prove a theorem; experiments, empirical evaluation on benchmarks"


def question_topic(question: str) -> str:
    """What the question is about, in the student's words: "protein folding" for "Does she work on protein
    folding?". Empty when the question names no topic."""
    text = question.strip().rstrip("?.! ")
    found = _TOPIC_AFTER.search(text)
    if found:
        words = found.group("topic").split()
    else:
        words = [w for w in text.split() if normalize_text(w) not in _QUESTION_WORDS | STOPWORDS]
    while words and normalize_text(words[0]) in _QUESTION_WORDS | STOPWORDS:
        words = words[1:]
    return " ".join(words).strip(" ,;:")


def topic_terms(topic: str) -> set[str]:
    return {t for t in tokenize(topic) if t not in _QUESTION_TERMS}


_QUESTION_TERMS = frozenset(tokenize(" ".join(_QUESTION_WORDS)))


def question_kind(question: str, across_professors: bool) -> Kind:
    if _THEORY_WORDS.search(question) and _EXPERIMENT_WORDS.search(question):
        return "methodology"
    return "who" if across_professors and _WHO.search(question) else "topic"


# ---------------------------------------------------------------- sources and markers


@dataclass
class Source:
    """A retrieved paper as the answer cites it: `[marker]`."""

    marker: int
    paper: Paper
    professor_id: str
    professor_name: str
    score: float = 0.0  # the hybrid search score (1.0 = ranked first by vector and BM25)

    def where(self) -> str:
        return self.paper.where()


@dataclass
class Scope:
    """Whose papers to search: one professor, one collection, or every professor (collections excluded)."""

    professor_ids: list[str]
    names: dict[str, str]  # professor id -> name, for every record in the store
    professor: Professor | None = None

    @property
    def across_professors(self) -> bool:
        return self.professor is None and len(self.professor_ids) > 1


def make_scope(index: PaperIndex, professor: str | None = None, collection: str | None = None) -> Scope:
    catalog = index.catalog
    names = {p.id: p.name for p in catalog.professors(kind=None)}
    if professor and collection:
        raise InputError("give --professor or --collection, not both")
    if professor:
        prof = catalog.resolve(professor, kind="professor")
        return Scope([prof.id], names, prof)
    if collection:
        coll = catalog.resolve(collection, kind="collection")
        return Scope([coll.id], names, coll)
    return Scope(catalog.professor_ids(kind="professor"), names)


class MarkerRegistry:
    """Paper id -> marker, stable for a conversation: a paper keeps its number across turns."""

    def __init__(self) -> None:
        self.markers: dict[str, int] = {}

    def number(self, paper_id: str) -> int:
        if paper_id not in self.markers:
            self.markers[paper_id] = len(self.markers) + 1
        return self.markers[paper_id]


def retrieve(
    index: PaperIndex, query: str, scope: Scope, k: int, registry: MarkerRegistry, *, per_professor: int | None = None
) -> list[Source]:
    """The k best papers for `query` in scope (at most `per_professor` from one professor), numbered."""
    if not scope.professor_ids:
        return []
    hits = index.search(query, professor_ids=scope.professor_ids, k=k * 3 if per_professor else k)
    taken: dict[str, int] = {}
    sources: list[Source] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.paper is None or hit.paper_id in seen:
            continue
        if per_professor and taken.get(hit.professor_id, 0) >= per_professor:
            continue
        taken[hit.professor_id] = taken.get(hit.professor_id, 0) + 1
        seen.add(hit.paper_id)
        name = scope.names.get(hit.professor_id, hit.professor_id)
        sources.append(Source(registry.number(hit.paper_id), hit.paper, hit.professor_id, name, hit.score))
        if len(sources) == k:
            break
    return sources


_NUMBERS = r"\d{1,3}(?:\s*[,;]\s*\d{1,3})*"
_MARKER = re.compile(rf"\[({_NUMBERS})\]")
_MARKER_WITH_SPACE = re.compile(rf"[ \t]*\[({_NUMBERS})\]")
# "[1], [2] and [3]": a run of markers with the words that join them, removed as one before checking a sentence.
_MARKER_RUN = re.compile(rf"[ \t]*\[{_NUMBERS}\](?:(?:\s*,)?(?:\s+(?:and|or))?\s*\[{_NUMBERS}\])*")
_PARTIAL_MARKER = re.compile(r"\s*\[[\d,; ]*$")


def markers_in(text: str) -> list[int]:
    """Every marker number in the text, in order of first appearance ("[1, 3]" counts as 1 and 3)."""
    found = [int(n) for m in _MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]
    return list(dict.fromkeys(found))


def strip_invalid_markers(text: str, valid: Iterable[int]) -> tuple[str, list[int]]:
    """Drop citations to papers that were not retrieved: "[2, 7]" -> "[2]", "[7]" -> "". Returns the text and
    the dropped numbers."""
    allowed = set(valid)
    dropped: list[int] = []

    def fix(m: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        kept = [n for n in numbers if n in allowed]
        dropped.extend(n for n in numbers if n not in allowed)
        if len(kept) == len(numbers):
            return m.group(0)
        if not kept:
            return ""
        lead = m.group(0)[: m.group(0).index("[")]
        return f"{lead}[{', '.join(str(n) for n in kept)}]"

    return _MARKER_WITH_SPACE.sub(fix, text), list(dict.fromkeys(dropped))


def remove_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER_RUN.sub("", text)).strip()


class MarkerFilter:
    """Streams text through `strip_invalid_markers`: a possible marker (and the spaces before it) is held back
    until it is complete, so what is printed is exactly the final, checked text."""

    def __init__(self, valid: Iterable[int]) -> None:
        self.valid = set(valid)
        self.pending = ""
        self.dropped: list[int] = []

    def feed(self, chunk: str) -> str:
        self.pending += chunk
        hold = _PARTIAL_MARKER.search(self.pending)
        cut = hold.start() if hold else len(self.pending.rstrip(" \t"))
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return self._clean(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self._clean(ready)

    def _clean(self, text: str) -> str:
        cleaned, dropped = strip_invalid_markers(text, self.valid)
        self.dropped.extend(d for d in dropped if d not in self.dropped)
        return cleaned


# ---------------------------------------------------------------- checks


_NOT_COVERED = re.compile(r"\b(?:don['’]t|do not|doesn['’]t|does not)\s+cover\b|\bnot covered\b", re.IGNORECASE)
_LEADING_MARKERS = re.compile(r"^(?:\[[\d,; ]+\]\s*)+")


def answer_sentences(text: str) -> list[str]:
    """Lines, then sentences; markers written after the full stop ("… sets. [2]") stay with their sentence."""
    out: list[str] = []
    for line in text.splitlines():
        for piece in sentences(line):
            lead = _LEADING_MARKERS.match(piece)
            if lead and out:
                out[-1] += " " + lead.group().strip()
                piece = piece[lead.end() :]
            if piece.strip():
                out.append(piece.strip())
    return out


def _owners(sources: Sequence[Source]) -> str:
    return ", ".join(dict.fromkeys(s.professor_name for s in sources))


def _unique_papers(sources: Sequence[Source]) -> list[Paper]:
    """The papers as evidence: without the sentences marked at ingest (untrusted.py), so an answer that repeats
    a planted instruction or link fails the injection check instead of being excused by its source."""
    return list({s.paper.id: trusted_copy(s.paper) for s in sources}.values())


def _sentence_violations(plain: str, evidence: Sequence[Source], cited: Sequence[Source]) -> list[Violation]:
    """The guardrails' checks on one sentence, with the papers it cites as the only evidence."""
    cited_ids = [p.id for p in _unique_papers(cited)]
    found = check_answer_sentence(plain, _unique_papers(evidence), cited_ids, about=_owners(evidence))
    if not cited:
        return found
    refs = ", ".join(f"[{s.marker}]" for s in cited)
    return [v.model_copy(update={"message": f"Not in the cited paper {refs}: {v.message}"}) for v in found]


# Words of sentences about the papers rather than their content ("The most recent of those is [3] (May 2026).")
_META_TERMS = frozenset(
    tokenize(
        "closest indexed index recent oldest newest latest earliest date dated undated order then cover covered "
        "january february march april may june july august september october november december"
    )
)


def _support_violations(plain: str, cited: Sequence[Source]) -> list[Violation]:
    """A cited sentence should share at least one content word with the paper it cites."""
    names = {t for s in cited for t in tokenize(s.professor_name)}
    terms = set(tokenize(plain)) - names - _QUESTION_TERMS - _META_TERMS
    if not cited or len(terms) < 2:
        return []
    evidence = {t for s in cited for t in tokenize(s.paper.embedding_text())}
    if terms & evidence:
        return []
    refs = ", ".join(f"[{s.marker}]" for s in cited)
    return [
        Violation(
            check="citations",
            severity="soft",
            message=f"This sentence shares no content word with {refs}, the paper(s) it cites: check the citation.",
            span=plain,
        )
    ]


def _echoes_question(v: Violation, question: str) -> bool:
    return bool(v.span) and f" {normalize_text(v.span or '')} " in f" {normalize_text(question)} "


def dropped_marker_violations(dropped: Sequence[int], sources: Sequence[Source]) -> list[Violation]:
    valid = ", ".join(f"[{s.marker}]" for s in sources) or "none"
    return [
        Violation(
            check="citations",
            severity="hard",
            message=f"[{n}] points to no retrieved paper (retrieved: {valid}); it was removed from the answer.",
            span=f"[{n}]",
        )
        for n in dropped
    ]


def check_answer(
    text: str,
    sources: Sequence[Source],
    question: str,
    extra: Sequence[Violation] = (),
    *,
    supported: bool = True,
    verifier: SupportVerifier | None = None,
) -> GuardrailReport:
    """The answer's guardrail report: `extra` (stripped citations...) plus each sentence checked on its own, and
    the support check on the cited sentences (one verifier call, when a verifier is given). An unsupported
    answer cites the closest papers, which by definition do not support it: no overlap or support check."""
    by_marker = {s.marker: s for s in sources}
    found = list(extra)
    for sentence in answer_sentences(text):
        cited = [by_marker[m] for m in markers_in(sentence) if m in by_marker]
        plain = remove_markers(sentence)
        if not plain:
            continue
        violations = _sentence_violations(plain, cited or sources, cited)
        if supported:
            violations += _support_violations(plain, cited)
        if not cited or _NOT_COVERED.search(plain):
            violations = [v for v in violations if not _echoes_question(v, question)]
        found += violations
    report = report_of(found, ASK_CHECKS)
    support = check_claims(answer_claims(text, sources) if supported else [], verifier)
    return report.model_copy(update={"checks": [*report.checks, support]})


def answer_claims(text: str, sources: Sequence[Source]) -> list[Claim]:
    """The sentences that cite retrieved papers, each with those papers: what the support check judges."""
    by_marker = {s.marker: s for s in sources}
    claims = []
    for sentence in answer_sentences(text):
        cited = [by_marker[m] for m in markers_in(sentence) if m in by_marker]
        plain = remove_markers(sentence)
        if cited and plain and not _NOT_COVERED.search(plain):
            claims.append(Claim(plain, plain, tuple(_unique_papers(cited))))
    return claims


# ---------------------------------------------------------------- offline answers


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
            vectors = self.index.embedder.embed([question, topic, *sentences])
            return np.maximum(vectors[2:] @ vectors[0], vectors[2:] @ vectors[1]).astype(np.float32)
        coverage = np.array([self.coverage(terms, s) for s in sentences], dtype=np.float32)
        semantic = np.zeros(len(sentences), dtype=np.float32)
        todo = [i for i, c in enumerate(coverage) if not prune or c >= 2 * RELEVANCE_THRESHOLD - 1]
        if todo:
            vectors = self.index.embedder.embed([question, topic, *(sentences[i] for i in todo)])
            semantic[todo] = np.maximum(vectors[2:] @ vectors[0], vectors[2:] @ vectors[1])
        return (semantic + coverage) / 2

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


def _grouped_lines(quotes: Sequence[Quote], group: bool) -> list[str]:
    if not group:
        return [_quote_line(q.text, q.source.marker) for q in quotes]
    lines: list[str] = []
    for name in dict.fromkeys(q.source.professor_name for q in quotes):
        lines.append(f"{name}:")
        lines += [_quote_line(q.text, q.source.marker) for q in quotes if q.source.professor_name == name]
    return lines


def closest_text(closest: Sequence[Source]) -> str:
    refs = join_english([f"[{s.marker}]" for s in closest[:CLOSEST]])
    return f"The closest indexed papers are {refs}." if closest else ""


def not_covered_text(question: str, closest: Sequence[Source], subject: str = "The indexed papers") -> str:
    topic = question_topic(question)
    head = f"{subject} don't cover {topic}." if topic else f"{subject} don't answer this question."
    return f"{head} {closest_text(closest)}".strip()


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
    return "\n".join([head, *_grouped_lines(quotes, group=len(owners) > 1)]), True


def methodology_answer(sources: Sequence[Source]) -> tuple[str, bool]:
    """ "Theory or experiments?": the sentences of the retrieved abstracts that state each kind of result."""
    theory: list[Quote] = []
    experiments: list[Quote] = []
    for source in sources:
        sentences = paper_sentences(source.paper)
        t = next((s for s in sentences if _THEORY_CUES.search(s)), None)
        e = next((s for s in sentences if _EXPERIMENT_CUES.search(s) and s != t), None)
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
        lines += ["Theory:", *_grouped_lines(theory[:2], group)]
    if experiments:
        lines += ["Experiments:", *_grouped_lines(experiments[:2], group)]
    return "\n".join(lines), True


_MONTHS = "January February March April May June July August September October November December".split()


def date_key(paper: Paper) -> str | None:
    return paper.date or (str(paper.year) if paper.year else None)


def month_year(paper: Paper) -> str:
    """ "April 2026" (the guardrails know years, not full dates, so answers say no more than month and year)."""
    key = date_key(paper) or ""
    parts = key.split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


_NEWEST = re.compile(r"\b(?:most recent|latest|newest|last one|recent one)\b", re.IGNORECASE)
_OLDEST = re.compile(r"\b(?:oldest|earliest|least recent|first one)\b", re.IGNORECASE)
# "they" is left out: "Do they do theory?" is about the lab, not about the last answer.
_REFERS_BACK = re.compile(r"\b(?:those|these|of them|that one|which one|of the above)\b", re.IGNORECASE)


def is_followup(question: str) -> bool:
    return bool(_NEWEST.search(question) or _OLDEST.search(question) or _REFERS_BACK.search(question))


def order_answer(question: str, previous: Sequence[Source]) -> tuple[str, bool]:
    """ "Which of those is most recent / oldest?": the previous answer's papers sorted by date."""
    newest = not _OLDEST.search(question)
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


# ---------------------------------------------------------------- LLM answers


class AskReply(BaseModel):
    """What the model must return in structured mode."""

    answer: str = Field(description="The answer, citing the numbered sources inline as [n].")
    supported: bool = Field(description="False when the sources do not answer the question.")
    cited: list[int] = Field(default_factory=list, description="The source numbers the answer cites.")


def _source_block(source: Source) -> dict[str, object]:
    return {
        "n": source.marker,
        "professor": source.professor_name,
        "title": usable_title(source.paper) or "(title left out: it reads as an instruction or carries a link)",
        "where": source.where() or "no venue or date",
        "abstract": _defang(usable_abstract(source.paper) or "(no abstract)"),
    }


def _defang(text: str) -> str:
    """Text that imitates our delimiters cannot close a data block."""
    return re.sub(r"<\s*/?\s*(?:sources?|question)\b[^>]*>", "[removed tag]", text, flags=re.IGNORECASE)


def ask_messages(
    question: str,
    sources: Sequence[Source],
    scope: Scope,
    kind: Kind,
    *,
    output: Literal["structured", "text"],
    history: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    variables: dict[str, Any] = {
        "output": output,
        "professor_name": scope.professor.name if scope.professor else "",
        "who": kind == "who",
        "sources": [_source_block(s) for s in sorted(sources, key=lambda s: s.marker)],
        "question": _defang(question),
    }
    messages = [("system", render("ask", part="system", **variables))]
    for asked, answered in history[-HISTORY_TURNS:]:
        messages += [("human", asked), ("ai", answered)]
    messages.append(("human", render("ask", part="human", **variables)))
    return messages


@dataclass
class Drafted:
    """An answer before checks: the text, the answerer's own verdict, and what it cost."""

    text: str
    supported: bool
    dropped: list[int] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cut: str | None = None  # why a streamed answer stopped short (a limit, a broken connection), in plain words


def llm_structured_answer(llm: LLM, messages: list[tuple[str, str]], valid: set[int], question: str) -> Drafted:
    reply, usage = llm.structured(messages, AskReply, what="answering", kind="ask_json")
    text, dropped = strip_invalid_markers(reply.answer.strip(), valid)
    dropped += [n for n in reply.cited if n not in valid and n not in dropped]
    if not reply.supported and not _NOT_COVERED.search(text):
        text = f"{not_covered_text(question, [])} {text}".strip()
    return Drafted(text, reply.supported, dropped, usage)


def llm_streamed_answer(
    llm: LLM, messages: list[tuple[str, str]], valid: set[int], on_text: Callable[[str], None]
) -> Drafted:
    """Stream the plain-text answer; `[n]` to papers not retrieved never reach the screen. The stream's end says
    whether the answer is whole: one cut by max_tokens, the deadline or the connection is kept as shown, and
    marked."""
    flt = MarkerFilter(valid)
    shown: list[str] = []
    streamed = llm.stream(messages, what="answering", kind="ask")
    for chunk in streamed:
        piece = flt.feed(chunk)
        if piece:
            on_text(piece)
            shown.append(piece)
    tail = flt.flush()
    if tail:
        on_text(tail)
        shown.append(tail)
    text = "".join(shown).strip()
    first = answer_sentences(text)[:1]
    supported = not (first and _NOT_COVERED.search(first[0]))
    end = streamed.end or StreamEnd("error", detail="the answer stream ended early")
    return Drafted(text, supported, flt.dropped, end.usage, end.detail if end.cut else None)


# ---------------------------------------------------------------- orchestration


@dataclass
class AskResult:
    answer: AskAnswer
    sources: list[Source]  # everything retrieved, with markers
    kind: Kind = "topic"
    cut: str | None = None  # the streamed answer stopped short: why, in plain words

    @property
    def cited(self) -> list[Source]:
        by_marker = {s.marker: s for s in self.sources}
        return [by_marker[c.marker] for c in self.answer.citations if c.marker in by_marker]

    def to_json(self) -> dict[str, Any]:
        from assistant.export import report_json

        return {
            "answer": self.answer.answer,
            "supported": self.answer.supported,
            "citations": [c.model_dump(include={"marker", "paper_id", "title"}) for c in self.answer.citations],
            "guardrails": report_json(self.answer.guardrails),
        }


@dataclass
class Conversation:
    """A chat's memory: stable markers, and each turn's question and result."""

    registry: MarkerRegistry = field(default_factory=MarkerRegistry)
    turns: list[tuple[str, AskResult]] = field(default_factory=list)

    @property
    def last(self) -> AskResult | None:
        return self.turns[-1][1] if self.turns else None

    def history(self) -> list[tuple[str, str]]:
        return [(q, r.answer.answer) for q, r in self.turns]


class Asker:
    """Answers questions within one scope; `ask` is one question, a chat keeps a Conversation across calls."""

    def __init__(
        self,
        settings: Settings,
        scope: Scope,
        *,
        k: int = 5,
        index: PaperIndex | None = None,
        llm: LLM | None = None,
        offline: bool | None = None,
    ) -> None:
        self.settings = settings
        self.scope = scope
        self.k = k
        self.index = index or PaperIndex(settings)
        self.use_llm = settings.mode(offline) == "llm"
        self.llm = llm or (LLM(settings) if self.use_llm else None)
        self.verify_llm = verifier_llm(settings) if self.use_llm else None  # built lazily: no call unless used
        self._scorer: SentenceScorer | None = None

    @property
    def scorer(self) -> SentenceScorer:
        if self._scorer is None:
            self._scorer = SentenceScorer(self.index)
        return self._scorer

    def ask(
        self, question: str, *, conversation: Conversation | None = None, on_text: Callable[[str], None] | None = None
    ) -> AskResult:
        """Answer one question. With `on_text`, the final answer text is passed to it as it is made (streamed
        from the model in LLM mode), and the caller prints only the references afterwards."""
        conv = conversation or Conversation()
        kind = question_kind(question, self.scope.across_professors)
        previous = conv.last.cited if conv.last else []
        if not self.use_llm and previous and is_followup(question):
            result = self._followup(question, previous, on_text)
        else:
            sources = self._sources(question, kind, conv, previous)
            result = self._answer(question, kind, sources, conv, on_text)
        conv.turns.append((question, result))
        return result

    def _sources(self, question: str, kind: Kind, conv: Conversation, previous: list[Source]) -> list[Source]:
        query = f"{question} {_METHODOLOGY_QUERY}" if kind == "methodology" else question
        per_professor = math.ceil(self.k / 2) if kind == "who" else None
        found = retrieve(self.index, query, self.scope, self.k, conv.registry, per_professor=per_professor)
        if not self.use_llm:
            return found
        # The model resolves follow-ups itself; it needs the papers the last answer cited, under their markers.
        kept = {s.marker for s in previous}
        return [*previous, *(s for s in found if s.marker not in kept)]

    def _answer(
        self,
        question: str,
        kind: Kind,
        sources: list[Source],
        conv: Conversation,
        on_text: Callable[[str], None] | None,
    ) -> AskResult:
        valid = {s.marker for s in sources}
        if not sources:
            drafted = Drafted(not_covered_text(question, []), False)
        elif self.use_llm:
            assert self.llm is not None
            output: Literal["structured", "text"] = "text" if on_text else "structured"
            messages = ask_messages(question, sources, self.scope, kind, output=output, history=conv.history())
            if on_text:
                drafted = llm_streamed_answer(self.llm, messages, valid, on_text)
                on_text = self._tail_printer(on_text, drafted.text)
            else:
                drafted = llm_structured_answer(self.llm, messages, valid, question)
        else:
            text, supported = offline_answer(question, sources, self.scorer, kind)
            drafted = Drafted(text, supported)
        return self._finish(question, kind, sources, drafted, on_text)

    @staticmethod
    def _tail_printer(on_text: Callable[[str], None], streamed: str) -> Callable[[str], None]:
        """After streaming, only text appended to the model's answer is still to be printed."""

        def tail(final: str) -> None:
            if final.startswith(streamed) and len(final) > len(streamed):
                on_text(final[len(streamed) :])

        return tail

    def _followup(self, question: str, previous: list[Source], on_text: Callable[[str], None] | None) -> AskResult:
        """Offline follow-ups refer to the previous answer's papers: sort them by date, or re-ask within them."""
        if _NEWEST.search(question) or _OLDEST.search(question):
            text, supported = order_answer(question, previous)
        else:
            quotes = self.scorer.best_quotes(question, previous)
            if quotes:
                group = len({q.source.professor_name for q in quotes}) > 1
                text, supported = "\n".join(["Of those:", *_grouped_lines(quotes, group)]), True
            else:
                text, supported = not_covered_text(question, previous, subject="Those papers"), False
        return self._finish(question, "topic", previous, Drafted(text, supported), on_text)

    def _finish(
        self,
        question: str,
        kind: Kind,
        sources: list[Source],
        drafted: Drafted,
        on_text: Callable[[str], None] | None,
    ) -> AskResult:
        text = drafted.text
        extra = dropped_marker_violations(drafted.dropped, sources)
        by_marker = {s.marker: s for s in sources}
        cited = [by_marker[m] for m in markers_in(text) if m in by_marker]
        supported = drafted.supported and bool(cited)
        if not cited and sources:
            if drafted.supported and self.use_llm:
                extra.append(
                    Violation(
                        check="citations",
                        severity="hard",
                        message="The answer cites none of the retrieved papers, so nothing in it is grounded in them.",
                    )
                )
            if drafted.cut is None:  # a cut answer ends where it was cut: nothing is glued onto it
                text = f"{text} {closest_text(sources)}".strip()
                cited = [by_marker[m] for m in markers_in(text) if m in by_marker]
        if on_text:
            on_text(text)
        verifier = support_verifier(self.settings, offline=not self.use_llm, llm=self.verify_llm)
        report = check_answer(text, sources, question, extra, supported=supported, verifier=verifier)
        record = self._answer_record(question, text, supported, cited, report, sources, drafted, verifier)
        return AskResult(record, sources, kind, cut=drafted.cut)

    def _answer_record(
        self,
        question: str,
        text: str,
        supported: bool,
        cited: list[Source],
        report: GuardrailReport,
        sources: list[Source],
        drafted: Drafted,
        verifier: SupportVerifier,
    ) -> AskAnswer:
        provenance = Provenance(
            mode="llm" if self.use_llm else "offline",
            model=self.settings.llm_model if self.use_llm else None,
            templates=(TEMPLATES if self.use_llm else []) + verifier.templates,
            settings_hash=self.settings.fingerprint(),
            grounded_on=[s.paper.id for s in sources],
            prompt_tokens=drafted.usage.prompt_tokens,
            completion_tokens=drafted.usage.completion_tokens,
            verify_prompt_tokens=verifier.usage.prompt_tokens,
            verify_completion_tokens=verifier.usage.completion_tokens,
        )
        citations = [
            AskCitation(marker=s.marker, paper_id=s.paper.id, title=s.paper.title, professor_id=s.professor_id)
            for s in cited
        ]
        return AskAnswer(
            question=question,
            answer=text,
            supported=supported,
            citations=citations,
            guardrails=report,
            provenance=provenance,
        )


def ask_question(
    question: str,
    settings: Settings,
    *,
    professor: str | None = None,
    collection: str | None = None,
    k: int = 5,
    offline: bool | None = None,
    index: PaperIndex | None = None,
    llm: LLM | None = None,
    on_text: Callable[[str], None] | None = None,
) -> AskResult:
    """One question, answered from the indexed papers of a professor, a collection, or every professor."""
    index = index or PaperIndex(settings)
    scope = make_scope(index, professor, collection)
    return Asker(settings, scope, k=k, index=index, llm=llm, offline=offline).ask(question, on_text=on_text)


# ---------------------------------------------------------------- rendering


def reference_line(source: Source) -> str:
    where = source.where() if source.paper.title else ""  # label() already places an untitled paper
    return f"[{source.marker}] {source.paper.label()}" + (f" ({where})" if where else "")


def references_text(result: AskResult) -> str:
    """The numbered reference list (grouped by professor when several are cited), and any guardrail findings."""
    from assistant.export import report_lines

    cited = sorted(result.cited, key=lambda s: s.marker)
    several = len({s.professor_id for s in cited}) > 1
    title = "References:" if result.answer.supported else "Closest papers:"
    lines = [title] if cited else []
    if several:
        for name in dict.fromkeys(s.professor_name for s in cited):
            lines.append(f"  {name}")
            lines += [f"    {reference_line(s)}" for s in cited if s.professor_name == name]
    else:
        lines += [f"  {reference_line(s)}" for s in cited]
    if result.answer.guardrails.violations or not result.answer.guardrails.passed:
        lines += ["", *report_lines(result.answer.guardrails)]
    return "\n".join(lines)


# ---------------------------------------------------------------- chat


class ChatSession:
    """A conversation about one professor's papers: follow-ups resolve against the previous answer."""

    def __init__(self, asker: Asker) -> None:
        self.asker = asker
        self.conversation = Conversation()

    def ask(self, question: str, on_text: Callable[[str], None] | None = None) -> AskResult:
        return self.asker.ask(question, conversation=self.conversation, on_text=on_text)

    def papers(self) -> list[Paper]:
        prof = self.asker.scope.professor
        return list(prof.papers) if prof else []


CHAT_HELP = "Ask about their papers; /papers lists them, /exit quits (Ctrl-D works too)."


class Writer(Protocol):
    def __call__(self, text: str, /, *, nl: bool = True) -> None: ...


def chat_loop(session: ChatSession, read: Callable[[str], str], write: Writer) -> int:
    """Read questions until /exit, end of input or Ctrl-C; answers stream as they are made. Returns 0."""
    write(CHAT_HELP)
    try:
        while (line := _read_line(read, write)) is not None:
            command = line.strip()
            if command in ("/exit", "/quit"):
                break
            if command == "/papers":
                write("\n".join(_paper_lines(session)))
            elif command.startswith("/"):
                write(f"unknown command {command}: {CHAT_HELP}")
            elif command:
                _chat_turn(session, command, write)
    except KeyboardInterrupt:
        write("")
    return 0


def _chat_turn(session: ChatSession, question: str, write: Writer) -> None:
    """One question and its answer; a failed turn (the endpoint is down, a limit was hit) is reported and the
    session goes on."""
    try:
        result = session.ask(question, on_text=lambda text: write(text, nl=False))
    except OutreachError as exc:
        write(error_lines(exc))
        return
    write("")
    if result.cut:
        write(f"[answer cut: {result.cut}]")
    write(references_text(result))


def _read_line(read: Callable[[str], str], write: Writer) -> str | None:
    try:
        return read("you> ")
    except EOFError:
        write("")  # end the prompt's line
        return None


def _paper_lines(session: ChatSession) -> list[str]:
    papers = session.papers()
    if not papers:
        return ["no papers indexed for this professor"]
    return [f"- {p.label()}" + (f" ({month_year(p)})" if date_key(p) else "") for p in papers]
