"""attribution: another professor's title, or an 8-word verbatim run of their abstract (carrying at least two
content words foreign to this professor's papers), presented as this professor's work; and a finding of this
professor's papers claimed as the student's own ("In my own experiments I showed that…", "We introduce…", "The
student found that…": a result clause whose words one of their abstracts states and the CV does not); and
another professor's paper credited by what it is about ("your work on data markets with several aggregators").
Another professor's named methods are found by the numbers check and reported here."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.guardrails.checks.common import others_paper, own_paper, student_publication
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.focus import work_phrase
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import hard
from assistant.guardrails.structure import Sentence
from assistant.guardrails.verbatim import Foreign, ngram_owners, verbatim_runs, words_with_offsets
from assistant.guardrails.vocabulary import PROF_PRONOUN_RE, Severity, norm
from assistant.text import RESEARCH_STOPWORDS, content_words, stem
from assistant.types import Paper, Violation

NAME = "attribution"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()

CLAIMED_FINDING_MIN_WORDS = 5  # a result clause this long (content words) can be compared with an abstract
CLAIMED_FINDING_PAPER_SHARE = 0.6  # share of its words one abstract has...
CLAIMED_FINDING_CV_MARGIN = 0.3  # ...and every CV entry at least this much less
CLAIMED_FINDING_RUN_SHARE = 0.5  # or this share, with a run of the abstract's words the CV lacks:
CLAIMED_FINDING_RUN_WORDS = 4  # this many in a row
# "I found that…" states a result; "I found it notable that…" or "I found your paper…" is an opinion.
_RESULT_RE = re.compile(
    r"\b(?:I|[Ww]e|[Ss]he|[Hh]e|[Tt]he\s+(?:student|applicant|candidate))\s+(?:have\s+|has\s+|had\s+|also\s+|"
    r"further\s+|then\s+|first\s+|recently\s+|even\s+)*(?:(?:showed|shown|show|found|find|proved|prove|proven|"
    r"demonstrated|demonstrate|discovered|established|observed|confirmed|derived)\s+that|introduced|introduce|"
    r"proposed|propose)\b"
)
# The student reading the professor's work, before the result verb: what they found is in it.
_READ_BEFORE_RE = re.compile(
    r"\b(?:read|reading|re-reading|rereading)\b|^\s*(?:in|from|through)\s+(?:your|you)\b",
    re.IGNORECASE,
)
_OWN_WORK_RE = re.compile(
    r"\b(?:my|our)\s+(?:own\b|(?:[\w-]+\s+)?(?:experiments?|work|research|study|studies|thesis|project|replication|"
    r"analysis|data|results?)\b)",
    re.IGNORECASE,
)
_WORK_SUBJECT_WORDS = 6  # "your" this early in the found clause makes it about their work
# The found clause opens on the work itself: "…I found that it reveals…", "…that your tensor view…".
_WORK_SUBJECT_RE = re.compile(r"\s*(?:it|they|this|these|your|you|the\s+(?:paper|work|method|framework|approach))\b")
_CLAUSE_END_RE = re.compile(r"[;:]|,\s+(?:but|which|while|whereas|so|and\s+I|and\s+we)\b|$")
ATTRIBUTION_RUN_WORDS = 8  # a verbatim run this long from another professor's abstract is their work...
ATTRIBUTION_FOREIGN_WORDS = 2  # ...when it carries this many content words absent from this professor's papers
OTHERS_WORK_MIN_WORDS = 3  # "your work on <phrase>": a phrase this long (content words) can name a paper
_CLAUSE_OPENER_RE = re.compile(r",?\s+(?:and\s+|or\s+)?(?:how|why|what|whether|which|that|where|when|who)\b")
_OTHERS_ATTRIBUTION_RE = re.compile(r"\bet al\b|\bby\s+[A-Z][a-z]")


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for m in email.mentions:
        if own_paper(m, ev):
            continue
        other = others_paper(m, ev)
        if not other or (m.sentence and _OTHERS_ATTRIBUTION_RE.search(m.sentence.text)):
            continue
        if m.owner == "student" and student_publication(m, ev):
            continue
        out.append(
            hard(
                NAME,
                f"{m.text!r} is {other[0]}'s paper, presented as {ev.name}'s work: remove it or name its real authors.",
                email.span(m.field, m.start, m.end),
            )
        )
    return out + _copied_from_others(email, ev) + _claimed_findings(email, ev) + _others_work(email, ev)


def _others_work(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """ "Your work on <what>" where what it names is another professor's paper and none of this professor's:
    <what> carries content words their texts never use, and one other paper of the store uses most of those."""
    out = []
    for s in email.body_sentences("professor", "mixed"):
        where = work_phrase(s.text)
        if where is None:
            continue
        phrase = _noun_phrase(s.text[slice(*where)])
        words = content_words(norm(phrase))
        foreign = [w for w in words if not ev.prof.has(w)]
        if len(words) < OTHERS_WORK_MIN_WORDS or len(foreign) < ATTRIBUTION_FOREIGN_WORDS:
            continue
        owner = _other_paper_with_words(ev, foreign)
        if owner:
            out.append(
                hard(
                    NAME,
                    f"{phrase!r} describes {owner[0]}'s paper {owner[1].label()!r}, not {ev.name}'s work: remove "
                    "it or name its real authors.",
                    phrase,
                )
            )
    return out


def _noun_phrase(phrase: str) -> str:
    """The phrase up to its first word that can only be a verb, or up to a clause it opens ("and how…", "that…"):
    what the work is about, not what the sentence goes on to say of it ("data-efficient learning | speaks to a
    question I keep running into", "explainable AI | and how people actually use explanations")."""
    clause = _CLAUSE_OPENER_RE.search(phrase)
    if clause and clause.start():
        phrase = phrase[: clause.start()].rstrip(" ,")
    for m in re.finditer(r"\S+", phrase):
        pos = set(lexicon.lemmas(m.group().strip(",.;:!?")))
        if m.start() and pos and pos <= {"VERB", "AUX"}:
            return phrase[: m.start()].rstrip()
    return phrase


def _other_paper_with_words(ev: Evidence, foreign: list[str]) -> tuple[str, Paper] | None:
    """Another professor's paper that uses most of the words this professor's texts never use (at least
    ATTRIBUTION_FOREIGN_WORDS of them: a paraphrase may change one)."""
    if sum(ev.other.has(w) for w in foreign) < ATTRIBUTION_FOREIGN_WORDS:  # before any paper is read
        return None
    return ev.corpus.other_paper_using(foreign, ev.prof_id, ATTRIBUTION_FOREIGN_WORDS)


def _claimed_findings(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out = []
    for s in email.body_sentences("student", "mixed"):
        for m in _RESULT_RE.finditer(s.text):
            if m.group().split()[0].lower() in ("she", "he", "the") and s.about != "student":
                continue  # "he"/"she" speak of the student only in a sentence about them
            if _found_in_their_work(email, ev, s, m):
                continue
            end = _CLAUSE_END_RE.search(s.text, m.end())
            claim = s.text[m.start() : end.start() if end else len(s.text)].rstrip(" ,.")
            paper = _finding_of(ev, s.text[m.end() : m.start() + len(claim)])
            if paper:
                out.append(
                    hard(
                        NAME,
                        f"{claim!r} claims for the student a finding of {ev.name}'s {paper.label()!r}, which the "
                        "CV does not report: credit it to them, or say what the student really did.",
                        claim,
                    )
                )
    return out


def _found_in_their_work(email: ParsedEmail, ev: Evidence, s: Sentence, m: re.Match[str]) -> bool:
    """ "Reading your paper, I found that…", "When I read SMERF I found that it reveals…", "I have found that the
    SMERF suite is a useful tool": what the student found in the professor's work, not a result of their own. The
    sentence says they read it, or the found clause is about the work (it, your…, a name of the professor's)."""
    if _OWN_WORK_RE.search(s.text, 0, m.start()):
        return False  # "In my own follow-up experiments I found that PATE also…": a result claimed as theirs
    if _READ_BEFORE_RE.search(s.text, 0, m.start()) or _titled_before(email, s, s.start + m.start()):
        return True
    after = s.text[m.end() : m.end() + 60]
    first_words = " ".join(after.split()[:_WORK_SUBJECT_WORDS])
    if _WORK_SUBJECT_RE.match(after) or PROF_PRONOUN_RE.search(first_words):
        return True  # "…I found that compared to existing methods, your approach…"

    window = s.start + m.end() + len(" ".join(after.split()[:4]))
    return any(
        a.kind == "name"
        and a.strong
        and s.start + m.end() <= a.start <= window
        and ev.name_known(a)
        and not ev.cv_has_name(a)
        for a in email.atoms_of(s)
    )


def _titled_before(email: ParsedEmail, s: Sentence, at: int) -> bool:
    """A paper title or a quoted name the sentence gives before `at` ('In "Stacked Sequential Learning", I found
    that…'): where it was found."""
    if any(m.sentence == s and m.end <= at and (m.kind != "run" or m.cued) for m in email.mentions):
        return True
    return any(s.start <= a and b <= at for a, b in email.quote_spans[s.field])


def _finding_of(ev: Evidence, text: str) -> Paper | None:
    """Their paper whose abstract states this result, when the CV does not."""
    words = {stem(w) for w in content_words(norm(text))} - RESEARCH_STOPWORDS
    if len(words) < CLAIMED_FINDING_MIN_WORDS:
        return None
    scores = ev.words.description_scores(text, ev.papers)
    ranked = sorted(scores, key=lambda p: -scores[p])[:5]
    best = max(ranked, key=lambda p: len(words & ev.words.paper_stems(p)), default=None)
    share = len(words & ev.words.paper_stems(best)) / len(words) if best else 0.0
    # Per CV entry: a CV shares the field's vocabulary everywhere, a result only in the entry that reports it.
    in_cv = max((len(words & e) for e in ev.cv_entry_stems), default=0) / len(words)
    if not best or in_cv > share - CLAIMED_FINDING_CV_MARGIN:
        return None
    if share >= CLAIMED_FINDING_PAPER_SHARE or (share >= CLAIMED_FINDING_RUN_SHARE and _repeats_run(ev, text, best)):
        return ev.papers[best]
    return None


def _repeats_run(ev: Evidence, text: str, pid: str) -> bool:
    """The clause repeats a run of CLAIMED_FINDING_RUN_WORDS words of the paper's abstract (two of them content
    words) that the CV does not have: a paraphrase of its finding that keeps its phrase ("lower per-sample noise")."""
    words = norm(text).split()
    abstract = f" {norm(ev.papers[pid].abstract or '')} "
    for i in range(len(words) - CLAIMED_FINDING_RUN_WORDS + 1):
        run = " ".join(words[i : i + CLAIMED_FINDING_RUN_WORDS])
        if len(content_words(run)) >= 2 and f" {run} " in abstract and f" {run} " not in ev.cv.norm:
            return True
    return False


def _copied_from_others(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    others = Foreign(ngram_owners(ev.all_abstracts, ATTRIBUTION_RUN_WORDS), frozenset(ev.papers), ev.prof.norm)
    out = []
    for s in email.body_sentences("professor", "mixed", "neutral"):
        words = words_with_offsets(s.text)
        for a, b in verbatim_runs([w for w, _, _ in words], others, ATTRIBUTION_RUN_WORDS):
            span = s.text[words[a][1] : words[b - 1][2]]
            foreign = [w for w in content_words(norm(span)) if not ev.prof.has(w)]
            if len(foreign) < ATTRIBUTION_FOREIGN_WORDS:
                continue  # field boilerplate that happens to match someone else's abstract
            out.append(
                hard(
                    NAME,
                    f"{span!r} is copied from another professor's abstract, not {ev.name}'s: describe their own work.",
                    span,
                )
            )
    return out
