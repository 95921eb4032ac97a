"""numbers: the figures, ratios, years and named things an email says about the professor's work (claim atoms,
atoms.py) must be in the paper the sentence describes (focus.py), and each figure beside what it measures there.

Hard: a figure or spelled quantity ("halves", "three times") in none of their texts; one from another of their
papers than the one the sentence names, refers back to or is about by a distinctive name; two figures of a paper
swapped or a figure attached to the wrong quantity (figures.py); a year in none of their dates or texts; a
distinctive name (acronym, CamelCase, with digits) in none of their texts, or credited to the wrong one of their
papers. Soft: the same against a paper only cited or suggested by the sentence's words; a capitalised word in
none of their texts. A named thing only another professor's papers contain is reported as `attribution`. Plans
and requests ("20 minutes", "Fall 2027") claim nothing; a figure of the student's that the CV backs, in a sentence
that also speaks of the professor, is the student's."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.guardrails import passages
from assistant.guardrails.acronyms import spelled_out
from assistant.guardrails.atoms import (
    Atom,
    addressed,
    asked,
    clause_subject,
    last_named,
    requested,
    sentence_quantities,
)
from assistant.guardrails.checks.common import written_in
from assistant.guardrails.differences import figure_list, gap_implied, list_reading, total_implied
from assistant.guardrails.evidence import Evidence
from assistant.guardrails.figures import Figure, misbound_word, own_names, same_figure, text_figures
from assistant.guardrails.focus import Focus, focus_of, work_phrase
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.quantities import derived, stated
from assistant.guardrails.report import hard, soft
from assistant.guardrails.verbatim import paper_ngrams, verbatim_runs, words_with_offsets
from assistant.guardrails.vocabulary import Severity, is_generic, norm
from assistant.text import STOPWORDS, content_words
from assistant.types import Paper, Violation

OTHER_PAPER_PHRASE_WORDS = 5  # a verbatim run this long from another of their abstracts...
OTHER_PAPER_FOREIGN_WORDS = 2  # ...with this many content words the sentence's paper never uses
ACRONYM_ANY_PAPER_LETTERS = 4  # an acronym this long spelled out in any of their papers is theirs

_PUBLISHED_RE = re.compile(r"\b(?:appeared|published|presented|accepted|was\s+a\s+poster|won)\b")

NAME = "numbers"
SEVERITY: Severity = "hard"
NEEDS: frozenset[str] = frozenset()


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    out: list[Violation] = []
    for atom in email.atoms:
        if atom.subject == "student" or atom.plan or atom.sentence.part not in ("body", "subject"):
            continue
        focus = focus_of(email, ev, atom.sentence)
        check = _name_violation if atom.kind == "name" else _year_violation if atom.kind == "year" else _figure
        found = check(email, ev, atom, focus)
        if found and atom.sentence.part == "subject":
            found = found.model_copy(update={"severity": "soft"})  # a subject line sums up what the body claims
        if found:
            out.append(found)
    return out + _phrases_of_other_papers(email, ev)


def _graded(firm: bool, message: str, atom: Atom, evidence: str | None = None) -> Violation:
    """Hard when `firm` (the caller says what makes it so), else a warning; `evidence`: the passage it was checked
    against."""
    return (hard if firm else soft)(NAME, message, atom.text, evidence)


def _maybe_students(atom: Atom) -> bool:
    """An atom that may be the student's, if the CV backs it: in a sentence naming no one ("At ε = 8 the model
    reached 86.4%" after "I fine-tuned…"), or in a clause that does not itself say it is the professor's ("…
    improved FGD by 9% — a cruder version of what your embeddings learn")."""
    return atom.subject == "other" or clause_subject(atom.sentence, atom.start) != "professor"


def strict(atom: Atom, focus: Focus) -> bool:
    """Said of the professor's work: only their texts can back it (else the CV may, for a sentence about both)."""
    return atom.subject == "professor" or (atom.subject == "other" and atom.sentence.part == "body" and focus.firm)


# ---------------------------------------------------------------- figures and ratios


def _figure(email: ParsedEmail, ev: Evidence, atom: Atom, focus: Focus) -> Violation | None:
    q = atom.quantity
    assert q is not None
    if derived(q, sentence_quantities(email.atoms, atom)):
        return None  # "from 14.2% to 9.8%, about a 30% reduction": arithmetic on figures checked themselves
    backed_by_cv = _cv_backs(ev, atom)
    in_focus = [pid for pid in focus.papers if stated(ev.paper_raw[pid]).has(q)]
    if in_focus:
        return _binding(ev, atom, focus, in_focus, email)
    for pid in focus.papers:
        if gap_implied(q, atom.sentence.text, ev.paper_raw[pid]) or total_implied(
            q, atom.sentence.text, ev.paper_raw[pid]
        ):
            return None  # "6.6 points above the rule-based one", "5,900 across the two": from two figures it gives
    if backed_by_cv and _maybe_students(atom):
        return None  # the student's own figure, in a sentence that also speaks of the professor
    stating = [pid for pid, text in ev.paper_raw.items() if stated(text).has(q)]
    if stating or stated(ev.profile_raw).has(q):
        if not focus.papers or _describes_another(ev, atom.sentence.text, focus, stating):
            return None
        return _other_paper(ev, atom, focus, stating)
    if backed_by_cv and (not strict(atom, focus) or atom.sentence.about == "mixed"):
        return None
    return _unstated(email, ev, atom, focus)


def _unstated(email: ParsedEmail, ev: Evidence, atom: Atom, focus: Focus) -> Violation:
    """A figure said of their work that none of their texts states."""
    q = atom.quantity
    assert q is not None
    what = "spelled-out quantity" if q.spelled and q.kind == "ratio" else "number"
    message = (
        f"The {what} {atom.text!r} is stated about {ev.name}'s work but appears nowhere in their titles, "
        "abstracts or profile: remove it or use what the abstract says."
    )
    # Proven wrong only of a paper the sentence is about (found, or shown by another figure it states); of their
    # work at large, it cannot be confirmed.
    specific = bool(focus.papers) or _states_a_paper_figure(email, ev, atom)
    near = passages.closest(ev, focus.papers[0], q, atom.bound | atom.named) if focus.papers else None
    return _graded(specific, message, atom, near)


def _states_a_paper_figure(email: ParsedEmail, ev: Evidence, atom: Atom) -> bool:
    """Another figure of the sentence is a distinctive one of their papers ("from 17.9% WER to 10.2%"): the
    sentence reports a paper's results, whichever paper."""
    for other in email.atoms:
        q = other.quantity
        if other is atom or other.sentence is not atom.sentence or q is None or q.kind == "year":
            continue
        distinctive = "%" in q.text or "." in q.text or q.kind == "ratio" or q.numbers[0] > 10
        if distinctive and any(stated(text).has(q) for text in ev.paper_raw.values()):
            return True
    return False


def _cv_backs(ev: Evidence, atom: Atom) -> bool:
    """The CV states the figure; said of the professor, with what it measures too (a CV's "12 months" does not
    back "12 tasks" in a sentence about their benchmark)."""
    assert atom.quantity is not None
    if not stated(ev.cv_raw).has(atom.quantity):
        return False
    if atom.subject != "professor" or not atom.bound:
        return True
    return any(atom.bound & f.context for f in text_figures(ev.cv_raw) if same_figure(atom.quantity, f.quantity))


def _binding(ev: Evidence, atom: Atom, focus: Focus, papers: list[str], email: ParsedEmail) -> Violation | None:
    """The figure is in the paper: is it beside the same quantity there?"""
    assert atom.quantity is not None
    listed = figure_list(atom.sentence.text, sentence_quantities(email.atoms, atom), atom.quantity)
    readings = {list_reading(listed, atom.sentence.text, ev.paper_raw[pid]) for pid in papers}
    if "respectively" in readings:
        return None  # "2% and 3.9% on the development and test sets": the paper's list, respectively
    if "swapped" in readings and atom.quantity is listed[0]:
        message = (
            f"{', '.join(q.text for q in listed)}: the paper gives these figures for the same things in the other "
            "order. Give each figure with what it measures in the paper."
        )
        return _graded(focus.firm, message, atom, passages.stating(ev, papers[0], atom.quantity))
    figures: list[Figure] = [f for pid in papers for f in text_figures(ev.paper_raw[pid])]
    # A capitalised word the paper also writes in lower case is a common word ("Web corpus", "web corpus"), not a
    # name that ties the figure to a dataset or a language ("0.947 on Czech").
    named = frozenset(w for w in atom.named if not any(_written_lower(w, ev.paper_raw[pid]) for pid in papers))
    named -= frozenset().union(
        *(own_names(ev.papers[pid].title or "", ev.papers[pid].abstract or "") for pid in papers)
    )
    word = misbound_word(Figure(atom.quantity, atom.bound, named=named), figures)
    if word is None:
        return None
    label = ev.papers[papers[0]].label()
    message = (
        f"{atom.text} is in {label!r}, but not as the figure for {word!r}: there {word!r} goes with another "
        "figure. Give each figure with what it measures in the paper."
    )
    return _graded(focus.firm, message, atom, passages.stating(ev, papers[0], atom.quantity))


def _published_clause(atom: Atom) -> bool:
    """The year says when a work appeared ("appeared at … in 2026", "was a poster at DL4C 2025") in a clause that
    does not say the work is theirs."""
    lo = max(atom.sentence.text.rfind(c, 0, atom.start - atom.sentence.start) for c in ";,:(—")
    return _PUBLISHED_RE.search(atom.sentence.text, max(lo, 0), atom.start - atom.sentence.start) is not None


def _written_whole(name: str, raw: str) -> bool:
    """The name is a whole word of their raw texts, hyphens aside ("GPT-NeoX-20B" in "GPT-NeoX20B", "WikiHow" in
    "WikiHow.com")."""
    squeezed = re.escape(name.replace("-", ""))
    return re.search(rf"(?<![\w-]){squeezed}(?![\w-])", _unhyphenated(raw), re.IGNORECASE) is not None


@lru_cache(maxsize=8)  # one professor's texts, asked for each unknown name of an email
def _unhyphenated(raw: str) -> str:
    return raw.replace("-", "")


def _written_lower(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}", text) is not None


def _describes_another(ev: Evidence, text: str, focus: Focus, stating: list[str]) -> bool:
    """The sentence's words describe a paper that states the figure better than the paper it refers back to or
    names by a method: it is about that paper ("…over 85% of kidney transplants in Australia", background from
    another of their papers). A title or a distinctive name in the sentence is taken at its word."""
    if focus.how in ("title", "name") or not stating:
        return False
    scores = ev.words.description_scores(text, {*stating, *focus.papers}, ev.name_stems)
    return max(scores[p] for p in stating) > max(scores[p] for p in focus.papers)


def _other_paper(ev: Evidence, atom: Atom, focus: Focus, stating: list[str]) -> Violation:
    label = ev.papers[focus.papers[0]].label()
    how = "names" if focus.how in ("title", "name") else "refers to" if focus.how == "previous" else "cites"
    if focus.how == "described":
        how = "describes"
    message = (
        f"{atom.text} is not in the paper this sentence {how} ({label!r}); it comes from another of their papers. "
        "Attach each figure to the paper that reports it."
    )
    assert atom.quantity is not None
    found = (passages.stating(ev, p, atom.quantity) for p in stating)
    return _graded(focus.firm, message, atom, next((f for f in found if f), None))


# ---------------------------------------------------------------- years


def _year_violation(email: ParsedEmail, ev: Evidence, atom: Atom, focus: Focus) -> Violation | None:
    q = atom.quantity
    if q is None or not strict(atom, focus):
        return None
    years = {int(v) for v in q.numbers}
    if years <= ev.prof_years or any(stated(text).has(q) for text in ev.paper_raw.values()):
        return None  # a publication date, or a year the abstract itself gives ("data from 2010-2017")
    if _published_clause(atom) and not addressed(atom.sentence, atom.start):
        return None  # "…; the work appeared at the SDP workshop in 2026": whose work, the student_claims check asks
    return hard(
        NAME,
        f"The year {atom.text} is stated about {ev.name}'s work but none of their papers, dates or profile says "
        "so: remove it.",
        atom.text,
    )


# ---------------------------------------------------------------- named things


def _name_violation(email: ParsedEmail, ev: Evidence, atom: Atom, focus: Focus) -> Violation | None:
    if is_generic(atom.text) or (not norm(atom.text) and written_in(atom.text, ev.prof_raw, ev.cv_raw)):
        return None
    if ev.name_known(atom):
        return _name_in_focus(ev, atom, focus)
    if _written_whole(atom.text, ev.prof_raw):
        return None  # theirs as written, where word lookups miss it ("WikiHow.com", "GPT-NeoX20B")
    if _spelled_by_their_paper(ev, atom, focus):
        return None  # "EGTA" for the "empirical game-theoretic analysis" the paper writes out
    return _unknown_name(ev, atom, focus)


def _spelled_by_their_paper(ev: Evidence, atom: Atom, focus: Focus) -> bool:
    """The acronym's words are written out in the paper the sentence is about, or (four letters or more, which
    chance rarely spells) in one of their papers, when no other professor's paper has the acronym itself (written,
    it is better evidence than letters that happen to match: `attribution`)."""
    if any(spelled_out(atom.text, ev.paper_texts[pid].norm) for pid in focus.papers):
        return True
    long_enough = sum(c.isupper() for c in atom.text) >= ACRONYM_ANY_PAPER_LETTERS
    if not long_enough or ev.foreign_name(atom):
        return False
    return any(spelled_out(atom.text, t.norm) for t in ev.paper_texts.values())


def _unknown_name(ev: Evidence, atom: Atom, focus: Focus) -> Violation | None:
    """A name in none of their texts as the word lookups see them: the student's, another professor's, or made up."""
    in_cv = ev.cv_has_name(atom)
    if in_cv and (not strict(atom, focus) or _maybe_students(atom)):
        return None  # the student's language, tool or corpus, in none of their texts ("…relevant for Turkish")
    # In a sentence about both, a term the CV also uses may be the student's ("I apply this idea to SQL"), unless
    # its clause says "you" did it ("you extended IFCA").
    # So may one in a request to them ("…a place for a PhD student interested in ANN search?").
    ambiguous = in_cv and atom.sentence.about == "mixed"
    ambiguous = ambiguous and not (addressed(atom.sentence, atom.start) and not requested(atom.sentence, atom.start))
    if not ambiguous and ev.foreign_name(atom) and (atom.strong or len(atom.parts) > 1):
        return hard(
            "attribution",
            f"{atom.text!r} comes from another professor's paper, not {ev.name}'s: remove it or attribute it "
            "correctly.",
            atom.text,
            passages.naming_elsewhere(ev, atom.text),
        )
    if in_cv:
        return soft(NAME, f"{atom.text!r} is in the CV but in none of {ev.name}'s papers: is it theirs?", atom.text)
    if not (atom.strong or atom.subject == "professor") or atom.sentence.part == "subject":
        return soft(NAME, f"{atom.text!r} appears in none of {ev.name}'s papers: check that it is theirs.", atom.text)
    where = "their titles, abstracts or profile" if strict(atom, focus) else "their papers or the CV"
    return hard(
        NAME,
        f"The name {atom.text!r} is stated about {ev.name}'s work but appears nowhere in {where}: remove it or "
        "use what the abstract says.",
        atom.text,
    )


def _name_in_focus(ev: Evidence, atom: Atom, focus: Focus) -> Violation | None:
    """A name of theirs: is it in the paper the sentence is about?"""
    if not focus.papers or any(ev.name_in_paper(atom, pid) for pid in focus.papers):
        return None
    if ev.cv_has_name(atom) and _maybe_students(atom):
        return None  # as for a figure: the student's term ("…paired with English-like SQL schemas")
    stating = [pid for pid in ev.papers if ev.name_in_paper(atom, pid)]
    if not stating:
        return None  # from their profile: nothing to attach it to
    # Unlike a figure, a name credited to the wrong paper brings that paper's words along ("your PATS dataset,
    # with its paired pose and language…"): that the sentence reads like the other paper is no excuse.
    label = ev.papers[focus.papers[0]].label()
    message = (
        f"{atom.text!r} does not appear in the paper this sentence is about ({label!r}); it belongs to another of "
        "their papers."
    )
    # A question credits nothing ("…whether EC-Cache remains attractive when TTLs define the working set").
    firm = focus.firm and atom.strong and not asked(atom.sentence, atom.start)
    return _graded(firm, message, atom, passages.naming(ev, stating[0], atom.text))


# ---------------------------------------------------------------- phrases of another of their papers


def _phrases_of_other_papers(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    """A phrase of another of their abstracts in a sentence about one paper ("you model the conversion with
    information flow graphs with variable capacity edges", which only their other paper does): the method or
    result of one paper credited to another. Only a run of OTHER_PAPER_PHRASE_WORDS words or more that the
    paper the sentence is about lacks, carrying words that paper never uses, counts: shared field phrasing does
    not."""
    index = paper_ngrams(
        tuple((pid, p.abstract) for pid, p in ev.papers.items() if p.abstract), OTHER_PAPER_PHRASE_WORDS
    )
    out = []
    for s in email.body_sentences("professor", "mixed", "neutral"):
        focus = focus_of(email, ev, s)
        if not focus.papers:
            continue
        words = words_with_offsets(s.text)
        # Before a "…connects to your paper on X" the sentence may still speak of the paper before it.
        where = work_phrase(s.text)
        for a, b in verbatim_runs([w for w, _, _ in words], index, OTHER_PAPER_PHRASE_WORDS):
            if where and words[b - 1][2] <= where[0]:
                continue
            at = s.start + words[a][1]
            if s.about == "mixed" and (clause_subject(s, at) or last_named(s, at)) == "student":
                continue  # "…is close to my work: I contributed to MusPy, an open-source library…": the student's
            a, b = _without_edge_stopwords(words, a, b)
            span = s.text[words[a][1] : words[b - 1][2]]
            found = _other_papers_phrase(ev, focus, span, s.text)
            if found:
                message = (
                    f"{span!r} is from {found.label()!r}, not from the paper this sentence is about "
                    f"({ev.papers[focus.papers[0]].label()!r}): attach it to the paper it comes from."
                )
                out.append((hard if focus.firm else soft)(NAME, message, span, passages.wording(ev, found.id, span)))
    return out


def _without_edge_stopwords(words: list[tuple[str, int, int]], a: int, b: int) -> tuple[int, int]:
    """The run without the function words it starts or ends on ("…capacity edges, and")."""
    while b - a > 1 and words[b - 1][0] in STOPWORDS:
        b -= 1
    while b - a > 1 and words[a][0] in STOPWORDS:
        a += 1
    return a, b


def _other_papers_phrase(ev: Evidence, focus: Focus, span: str, sentence: str) -> Paper | None:
    n = f" {norm(span)} "
    if any(n in ev.paper_texts[pid].norm for pid in focus.papers):
        return None
    foreign = [w for w in content_words(norm(span)) if not any(ev.paper_texts[p].has(w) for p in focus.papers)]
    if len(foreign) < OTHER_PAPER_FOREIGN_WORDS:
        return None
    stating = [pid for pid in ev.papers if n in ev.paper_texts[pid].norm]
    # As for a figure: a sentence whose words describe the other paper better is about it, whatever it refers to.
    if not stating or _describes_another(ev, sentence, focus, stating):
        return None
    return ev.papers[stating[0]]
