"""Which of the professor's papers each sentence describes, so its figures and names are checked against that
paper and not against "anything they ever wrote" (with hundreds of papers, almost any number is in one of them).

In order: the papers it names by title, or whose title its "your work on <title words>" paraphrases; when it refers
back ("the same paper", "the model", "It…"), the paper of the sentence before; a distinctive name it mentions
first (a method, dataset or model found in at most three of their papers, "XTREME", "Mask CTC"); with a
structured draft, the papers cited for it; else the paper its words describe best, when one clearly stands out.
Title, reference back and name are firm: a figure or name found in another of their papers is then a hard
violation. Citation and description are suggestions: soft."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rapidfuzz import fuzz

from assistant.guardrails.acronyms import spelled_out
from assistant.guardrails.figures import bound_words, own_names
from assistant.guardrails.paper_words import clearly_described
from assistant.guardrails.vocabulary import is_generic, norm
from assistant.text import STOPWORDS, content_words, words

if TYPE_CHECKING:
    from assistant.guardrails.atoms import Atom
    from assistant.guardrails.evidence import Evidence
    from assistant.guardrails.parse import ParsedEmail
    from assistant.guardrails.structure import Sentence
    from assistant.types import Paper

How = Literal["title", "previous", "name", "referenced", "cited", "described", "none"]
FIRM: frozenset[How] = frozenset({"title", "previous", "name", "referenced"})
DISTINCTIVE_PAPERS = 3  # a name found in at most this many of their papers points at them
TITLE_PHRASE_MIN_WORDS = 2  # "your paper on <phrase>": a phrase this long may paraphrase a title...
TITLE_PHRASE_MIN_SCORE = 80  # ...when it matches one (rapidfuzz token_set_ratio of content words) this well...
TITLE_PHRASE_MARGIN = 8  # ...and no other title comes within this of it
UNCUED_TITLE_MIN_WORDS = 5  # a sentence holding one of their titles this long whole, unquoted, names its paper...
UNCUED_EXACT_TITLE_MIN_WORDS = 4  # ...or this long, written exactly as the title is (capitals and all)

# A reference back to the paper of the sentence before: a pronoun among the first words, or "the same paper",
# "the model", "your method" (not "the MDS queue paper": a name in between makes it a new reference).
_REFERS_BACK_RE = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:it|its|they|them|their|this|these|there|here|you|your)\b|"
    r"\b(?:the same|this|that|these|the|its|their|your)\s+(?P<between>(?:[\w-]+\s+){0,2}?)"
    r"(?:paper|work|study|model|models|"
    r"method|approach|framework|system|algorithm|analysis|experiments?|evaluation|results?|technique|"
    r"architecture|dataset|benchmark|corpus|protocol|scheme|objective|estimator|mechanism|pipeline|procedure|"
    r"rewriter|detector|recognizer|follow-up)\b",
    re.IGNORECASE,
)
_NAME_WORD_RE = re.compile(r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+)\b")
# A new reference to one of their papers, by what it is about ("your paper on…", "your unified analysis of…").
_NEW_WORK_RE = re.compile(
    r"\b(?:[Yy]our|[Aa]nother|a|one)\s+(?:[\w-]+\s+){0,2}?(?:paper|work|study|article|analysis|preprint|publication)"
    r"\s+(?:on|about|of|for|in|with)\b"
)

# A sentence opening on the other of the papers the email has named ("In the other, …", "The second paper …").
_ANOTHER_PAPER_RE = re.compile(
    r"^\W*(?:(?:In|From|With|For)\s+)?(?:the\s+(?:other|second|latter|last)|another)\b(?!\s+(?:hand|way)\b)",
    re.IGNORECASE,
)
_ITEM_BREAK_RE = re.compile(r"[,;:()—–]|\s-\s|\b(?:and|while|whereas|but|between|both|or|than|versus|vs)\b", re.I)

# A quotation too short to be a mention (parse.QUOTE_MIN_WORDS); where a title's head ends and its subtitle begins.
_SHORT_QUOTE_RE = re.compile(r'["“]([^"”\n]{2,60}?)["”]')
_TITLE_HEAD_RE = re.compile(r"(?<=[!?:])\s")
# What may open a sentence before the title it is about ("In …, you show", "Your paper … shows").
_TITLE_OPENING_RE = re.compile(r"^\W*(?:(?:In|From|With)\s+)?(?:(?:your|the)\s+(?:paper|work|article)\s+|[Yy]our\s+)?")
_DESCRIBED_ITEM_RE = re.compile(
    r"\b(?:[Tt]he|[Yy]our)\s+(?P<words>(?:[\w-]+\s+){1,4}?)(?:benchmark|dataset|corpus|paper|work|study|"
    r"model|system|toolkit|framework|resource)\b"
)
_DESCRIBED_PAPER_RE = re.compile(
    r"\b(?:[Tt]he|[Yy]our|[Tt]hat|[Tt]his)\s+(?P<words>(?:[\w-]+\s+){2,5}?)(?:paper|article|study|preprint)\b"
)
_LABELLED_PAPER_RE = re.compile(
    r"\b(?:[Yy]our|[Tt]he|[Tt]hat|[Tt]his)\s+(?P<name>[A-Z][\w-]*)\s+(?:paper|work|study|article|preprint)\b"
)


@dataclass(frozen=True)
class Focus:
    papers: tuple[str, ...]
    how: How

    @property
    def firm(self) -> bool:
        return self.how in FIRM


NO_FOCUS = Focus((), "none")


def focus_of(email: ParsedEmail, ev: Evidence, s: Sentence) -> Focus:
    """The sentence's focus; the whole email's is worked out once per check run."""
    if email.focus is None:
        email.focus = focus_map(email, ev)
    return email.focus.get(s, NO_FOCUS)


def focus_map(email: ParsedEmail, ev: Evidence) -> dict[Sentence, Focus]:
    """The focus of every body and subject sentence, paragraph by paragraph."""
    out: dict[Sentence, Focus] = {}
    previous, last_end = NO_FOCUS, 0
    titled = {
        p for s in email.body_sentences() if (f := _by_title(email, ev, s)) and f.how == "title" for p in f.papers
    }
    for s in email.sentences:
        if s.part != "body":  # a subject line summarises; it describes no one paper
            previous = NO_FOCUS
            continue
        if "\n" in email.body[last_end : s.start]:
            previous = NO_FOCUS  # a new paragraph or list item starts afresh
        focus = _focus(email, ev, s, previous)
        if focus.how == "described" and previous.papers and set(focus.papers) <= set(previous.papers):
            # Words that describe the paragraph's own paper go on about it ("Unlike most approaches…, your class
            # allows…" after its title): the paragraph stays on it, as firmly as before.
            focus = Focus(previous.papers, "previous")
        elif focus.how == "described" and set(focus.papers) <= titled:
            # Words that clearly describe a paper the email names by title elsewhere (its paragraph before) are
            # about that paper as firmly as if they named it again.
            focus = Focus(focus.papers, "referenced")
        out[s] = _with_items_named(email, ev, s, focus)
        # A sentence with no reference of its own keeps the paragraph on the paper it was about.
        previous = focus if focus.firm else previous if focus.how == "none" else NO_FOCUS
        last_end = s.end
    return out


def _focus(email: ParsedEmail, ev: Evidence, s: Sentence, previous: Focus) -> Focus:
    """The first way the sentence says which paper it means, in order of how firmly it says so."""
    new_work = _NEW_WORK_RE.search(s.text)
    # "Two of your papers… In one, … In the other, you…": its "you" is not the paper before.
    another = new_work is not None or _ANOTHER_PAPER_RE.match(s.text) is not None
    return (
        _by_title(email, ev, s)
        or _by_work_described(ev, s, new_work)
        or _by_name_or_reference(email, ev, s, previous, another)
        or _by_citation_or_words(email, ev, s, new_work is not None)
        or NO_FOCUS
    )


def _with_items_named(email: ParsedEmail, ev: Evidence, s: Sentence, focus: Focus) -> Focus:
    """A sentence that names several of their papers as items of its own ("Your DIRTY paper and your AMBER paper
    …", "DIRTY recovers 66.4% of names, while AMBER gains…") is about each of them: a figure or name of any is
    in place. A name that opens no item ("XMAS uses ADMM") adds no paper: it is a claim about the first."""
    if not focus.firm:
        return focus
    items = [
        having
        for atom in email.atoms_of(s)
        if (having := _distinctive(ev, atom)) and _opens_item(s.text, atom.start - s.start)
    ]
    if items and focus.how == "name":
        # A described work is an item only beside a named one; a paper the sentence names by title or by its
        # title's words stays what it is about ("In the task-aware novelty detection paper, …, and the
        # ComplianceNet model…").
        items += _items_described(ev, s.text)
    if len(items) < 2 or set.intersection(*items):
        return focus  # one paper, or a dataset and the method evaluated on it ("on HotpotQA, DrKIT…")
    named = [pid for having in items for pid in _narrowed(ev, s, tuple(sorted(having)))]
    return Focus(tuple(dict.fromkeys([*focus.papers, *named])), focus.how)


def _items_described(ev: Evidence, text: str) -> list[set[str]]:
    """The papers of the items a sentence opens with a described work ("Between the cooking-video benchmark (356
    videos) and DIRTY…"): "the/your <words> benchmark/paper/…" at an item's start, whose words paraphrase one
    title or clearly describe one paper, up to the item's end."""
    out = []
    for m in _DESCRIBED_ITEM_RE.finditer(text):
        if not _opens_item(text, m.start()):
            continue
        end = next((b.start() for b in _ITEM_BREAK_RE.finditer(text, m.end()) if b.group() not in "()"), len(text))
        words = text[m.start() : end]
        found = _title_described(ev, m.group("words")) or (
            (best,) if (best := clearly_described(ev.words.description_scores(words, ev.papers, ev.name_stems))) else ()
        )
        if found:
            out.append(set(found))
    return out


def _opens_item(text: str, at: int) -> bool:
    """Only function words stand between the name and the start of its item (the sentence's start, a clause break,
    "and", "while", "between"…): it is what the item is about, not an object of another name's verb."""
    start = max([0, *(m.end() for m in _ITEM_BREAK_RE.finditer(text, 0, at))])
    return all(w.lower() in STOPWORDS for w in words(text[start:at]))


def _by_title(email: ParsedEmail, ev: Evidence, s: Sentence) -> Focus | None:
    titled = [p.id for m in email.mentions if m.sentence == s and (p := _titled(ev, m.text, m.kind == "run"))]
    titled += _uncued_titles(ev, s) + _short_titles(ev, s)
    if titled:
        return Focus(tuple(dict.fromkeys(titled)), "title")
    labelled = _labelled_paper(ev, s.text)
    return Focus(labelled, "name") if labelled else None


def _short_titles(ev: Evidence, s: Sentence) -> list[str]:
    """Their papers a short quotation names by the head of the title, before its subtitle ("In "Think about it!",
    …" for "Think about it! Improving defeasible reasoning…"): too short to be a mention, as exact as a title."""
    quoted = [norm(m.group(1)) for m in _SHORT_QUOTE_RE.finditer(s.text)]
    return [pid for q in quoted if q for pid in ev.title_heads.get(q, ())]


def title_head(title: str) -> str:
    """The title before its subtitle ("Think about it!" of "Think about it! Improving…"), normalised."""
    return norm(_TITLE_HEAD_RE.split(title)[0])


def _titled(ev: Evidence, phrase: str, allow_containment: bool) -> Paper | None:
    """The paper whose title the phrase is exactly, before the first whose title it nearly is ("Social Influences
    on Political Information Search" is that paper, not its "…on Online Political…" sibling)."""
    n = norm(phrase)
    return next((p for p, title in ev.titles if title == n), None) or ev.title_of(phrase, allow_containment)


def _uncued_titles(ev: Evidence, s: Sentence) -> list[str]:
    """Their titles a sentence opens with, written out whole with no quotes ("In Scientific Information Extraction
    with Semi-supervised Neural Tagging, you cast…", "Efficient Nearest Neighbor Language Models studies…"): a
    real title as the sentence's topic names its paper as firmly as a quoted one. Further in, a title may be a
    dataset's name ("results on the NAIST Simultaneous Translation Corpus") or another paper's reference: not
    taken. Of titles inside one another, the longest ("…Supplementary Material for <title>")."""
    opening = _TITLE_OPENING_RE.match(s.text)
    head = s.text[opening.end() if opening else 0 :]
    here, raw = f" {norm(head)} ", " ".join(head.split())
    found = [
        (len(title.split()), p.id)
        for p, title in ev.titles
        if here.startswith(f" {title} ")
        and (
            len(title.split()) >= UNCUED_TITLE_MIN_WORDS
            or (
                len(title.split()) >= UNCUED_EXACT_TITLE_MIN_WORDS and raw.startswith(" ".join((p.title or "").split()))
            )
        )
    ]
    longest = max((n for n, _ in found), default=0)
    return [pid for n, pid in found if n == longest]


def _by_work_described(ev: Evidence, s: Sentence, new_work: re.Match[str] | None) -> Focus | None:
    # "Your work on <title words>" says which paper it means, whatever names the sentence goes on to use; so does
    # "the <title words> paper" ("the competence-based curriculum paper, where you also proposed SwitchOut").
    if not new_work:
        labelled = _DESCRIBED_PAPER_RE.search(s.text)
        titled = _title_described(ev, labelled.group("words")) if labelled else None
        return Focus(titled, "referenced") if titled else None
    titled_like = _title_described(ev, s.text[new_work.end() :]) or _work_described(ev, s.text)
    return Focus(titled_like, "referenced") if titled_like else None


def _by_name_or_reference(
    email: ParsedEmail, ev: Evidence, s: Sentence, previous: Focus, new_work: bool
) -> Focus | None:
    named, named_at, having = _named_focus(email, ev, s)
    # A name the paragraph's paper also uses, or spells out ("GDA" for its "gradient descent-ascent"), keeps the
    # paragraph on it: only a name that paper lacks points elsewhere.
    name = _name_at(email, s, named_at) if named else ""
    keeping = [p for p in previous.papers if p in having or (name and spelled_out(name, ev.paper_texts[p].norm))]
    if named and keeping:
        return Focus(tuple(keeping), "previous")
    back = _refers_back(s.text) if previous.papers and not new_work else None
    if back is not None and (not named or back < named_at):
        # Words before the reference that paraphrase another title start a new one ("The later axiomatic and
        # empirical analysis describes…, finds that your simple mechanism…").
        before = _title_described(ev, s.text[:back]) if back else None
        if before and not set(before) & set(previous.papers):
            return Focus(before, "referenced")
        return Focus(previous.papers, "previous")
    return Focus(_narrowed(ev, s, named), "name") if named else None


def _by_citation_or_words(email: ParsedEmail, ev: Evidence, s: Sentence, new_work: bool) -> Focus | None:
    cited = _cited_for(email, ev, s)
    if cited:
        return Focus(cited, "cited")
    if s.part == "body" and s.about in ("professor", "mixed", "neutral"):
        best = clearly_described(ev.words.description_scores(s.text, ev.papers, ev.name_stems))
        if best:
            return Focus((best,), "referenced" if new_work else "described")
    return None


def _labelled_paper(ev: Evidence, text: str) -> tuple[str, ...] | None:
    """ "Your Crowd-Kit paper": the one paper whose title carries the name the sentence labels it with (else the one
    paper that uses it at all)."""
    for m in _LABELLED_PAPER_RE.finditer(text):
        name = f" {norm(m.group('name'))} "
        titled = [pid for pid, p in ev.papers.items() if p.title and name in f" {norm(p.title)} "]
        having = titled or [pid for pid, texts in ev.paper_texts.items() if name in texts.norm]
        if len(having) > 1:  # of the papers that use it, the one that introduces it ("We present Crowd-Kit, …")
            having = [pid for pid in having if _introduces(ev.papers[pid], m.group("name"))] or having
        if len(having) == 1:
            return (having[0],)
    return None


def _introduces(paper: Paper, name: str) -> bool:
    return bool(set(bound_words(name, named_only=True)) & own_names(paper.title or "", paper.abstract or ""))


def work_phrase(text: str) -> tuple[int, int] | None:
    """Where the words after "your work on…" / "your paper about…" are (to the next clause break): what the
    sentence says one of their papers is about."""
    m = _NEW_WORK_RE.search(text)
    if not m:
        return None
    end = re.search(r"[,;:.()]|\s(?:where|which|that|and\s+(?:I|in|on|your))\b|$", text[m.end() :])
    start = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip())
    stop = m.end() + (end.start() if end else len(text) - m.end())
    return (start, stop) if stop > start else None


def _work_described(ev: Evidence, text: str) -> tuple[str, ...] | None:
    """The paper whose words "your paper on <what>" clearly uses, when it paraphrases no title."""
    where = work_phrase(text)
    if where is None:
        return None
    best = clearly_described(ev.words.description_scores(text[slice(*where)], ev.papers, ev.name_stems))
    return (best,) if best else None


def _title_described(ev: Evidence, phrase: str) -> tuple[str, ...] | None:
    """The paper whose title the words after "your paper on…" paraphrase ("end-to-end neural diarization with
    self-attention"), when one title (with its versions) clearly matches best."""
    words = " ".join(content_words(norm(re.split(r"[,;:.]", phrase, maxsplit=1)[0])))
    if len(words.split()) < TITLE_PHRASE_MIN_WORDS:
        return None
    titles = {pid: " ".join(content_words(norm(p.title))) for pid, p in ev.papers.items() if p.title}
    scores = {pid: fuzz.token_set_ratio(words, title) for pid, title in titles.items()}
    best = max(scores.values(), default=0.0)
    if best < TITLE_PHRASE_MIN_SCORE:
        return None
    top = {titles[pid] for pid, v in scores.items() if v >= best - TITLE_PHRASE_MARGIN}
    return tuple(sorted(pid for pid, v in scores.items() if v == best)) if len(top) == 1 else None


def _narrowed(ev: Evidence, s: Sentence, papers: tuple[str, ...]) -> tuple[str, ...]:
    """Of several papers sharing a name, the one the sentence clearly describes (versions of one paper, with
    the same words, stay together)."""
    if len(papers) < 2:
        return papers
    best = clearly_described(ev.words.description_scores(s.text, papers, ev.name_stems), min_score=0.0)
    return (best,) if best else papers


def _refers_back(text: str) -> int | None:
    """Where the sentence refers back to the paper before it, if it does."""
    for m in _REFERS_BACK_RE.finditer(text):
        if not _NAME_WORD_RE.search(m.group("between") or ""):
            return m.start()
    return None


def _named_focus(email: ParsedEmail, ev: Evidence, s: Sentence) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    """The papers of the first distinctive name the sentence mentions (left to right), where it is, and every
    paper that uses it. Of several distinctive names, the papers that use them all come first: a dataset beside
    a method is where that method was evaluated ("on HotpotQA, DrKIT leads to…" is the DrKIT paper, not the
    HotpotQA one)."""
    found = [(atom, having) for atom in email.atoms_of(s) if (having := _distinctive(ev, atom))]
    if not found:
        return (), -1, ()
    first, having = found[0]
    common = set.intersection(*(h for _, h in found)) if len(found) > 1 else set()
    # The paper whose title carries the name introduced it ("XTREME: A Massively Multilingual…"); the others
    # only use it.
    titled = {p for p in having if f" {norm(first.text)} " in f" {norm(ev.papers[p].title or '')} "}
    return tuple(sorted(common or titled or having)), first.start - s.start, tuple(sorted(having))


def _distinctive(ev: Evidence, atom: Atom) -> set[str]:
    """The papers of theirs that use a distinctive name (at most DISTINCTIVE_PAPERS), or none."""
    if atom.kind != "name" or atom.subject == "student" or not atom.strong or is_generic(atom.text):
        return set()
    having = ev.words.papers_with(atom.text)
    return having if len(having) <= DISTINCTIVE_PAPERS else set()


def _name_at(email: ParsedEmail, s: Sentence, at: int) -> str:
    return next((a.text for a in email.atoms_of(s) if a.kind == "name" and a.start - s.start == at), "")


def _cited_for(email: ParsedEmail, ev: Evidence, s: Sentence) -> tuple[str, ...]:
    """With a structured draft: the papers cited for the text this sentence is part of."""
    here = f" {norm(s.text)} "
    found: Sequence[str] = [
        c.paper_id
        for c in email.citations
        if c.paper_id in ev.papers and (where := f" {norm(c.where)} ").strip() and (here in where or where in here)
    ]
    return tuple(dict.fromkeys(found))
