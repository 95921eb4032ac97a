"""Guardrails: deterministic, offline checks that catch invented claims in an outreach email.

Every claim an email makes must be backed by data we hold: the professor's indexed papers (titles, abstracts,
venues, dates) and profile, and the student's CV. The checks run on a structured draft (`check_draft`) or on any
email text, including one the student wrote by hand (`check_text`). Each check appears in the report, passed or
not; each violation names its check, its severity, what to do, and the offending span (an exact substring of the
subject or body, or None when the problem is not in the text, e.g. a cited id).

The rules, in brief (thresholds are the module constants below):

- citations (hard): every cited id was retrieved for this draft and belongs to this professor; a citation whose
  sentence clearly describes another retrieved paper is hard; a `where` not found in the body, or a real title
  named in the body but not cited, is soft. From text (no ids), papers named by title or clearly described by
  a sentence (idf-weighted overlap) should be among the sources (soft).
- titles (hard): quoted ("…", “…”, '…') phrases of >= 4 words, italic *…* / _…_ phrases of >= 3 words, and
  Title-Case runs of >= 4 capitalised words directly after "paper"/"titled"/"entitled"/… must match one of the
  professor's real titles: rapidfuzz ratio >= 90 on normalised text *and* no content word that the title lacks
  (one swapped word is a misquote), or a >= 3-word verbatim part of a title. A quote that is not introduced as
  a paper and is a verbatim piece of one of their abstracts is a quotation, not a title; a quote introduced as a
  paper ("your paper '…'", "in '…'") must be a real title even when its words come from an abstract. A title
  found in the CV and not attributed to the professor is the student's own (checked by student_claims).
- numbers (hard): in sentences about the professor's work, numbers and named things (acronyms, CamelCase,
  letter+digit tokens, capitalised words not opening the sentence) must appear in one of the professor's
  titles/abstracts/profile; years must be one of their paper dates or profile years ("Fall 2026" and "the 2026
  cycle" are plans, not claims). Sentences are classified by pronouns: you/your (and "the paper", "the results",
  "outperforms", the surname...) -> professor; I/my/we -> student (checked by student_claims); both -> mixed,
  where each token goes with the nearest pronoun before it (professor side: their data only; student side:
  their data or the CV); neither -> neutral (their data or the CV). A number from another of their papers than
  the one the sentence names by title is hard (a named thing: soft); a figure found only in a paper the draft
  does not cite is soft. Ordinals, list markers ("(1)", "2."), and numbers in the signature are ignored.
- attribution (hard): a title, named thing, or >= 8-word verbatim run (with >= 2 content words foreign to this
  professor's papers) that comes from another professor's paper (ctx.other_papers), presented as their work.
- student_claims (hard): degrees (by level: doctoral / master's / bachelor's, plus the field), institutions and
  employers after at/from in education or experience sentences, awards received, skills after "experience
  with"/"proficient in"/…, publications claimed as the student's (fuzzy against the CV), numbers and named things
  in sentences about the student, and every draft.student_claims cv_item, must be found in the CV. Text in the CV
  that reads like an instruction to a model is removed first, so it can back nothing. Without a CV the check is
  kept in the report as passed with no violations (nothing can be verified; a hand-written email is not
  penalised for it).
- copying: a verbatim run of >= 12 consecutive words from any abstract is soft, >= 25 is hard; a draft whose word
  5-gram Jaccard similarity with another draft of the batch is >= 0.5 is soft.
- injection (hard): instructions or model meta-text in the output ("ignore previous instructions", "as an AI",
  "system prompt", "Here is the email"), URLs and email addresses not found in any source abstract, paper link,
  the professor's profile or the (cleaned) CV, and any named thing that only an instruction hidden in the CV
  mentions. Without a CV, a link in the signature is soft (it cannot be verified).
- form: a missing subject is hard; a salutation naming someone else (or misspelling the name) is hard, and so is
  "Professor X" in the text when X is another professor of the batch; an unfilled placeholder ("[Your Name]") is
  hard; a salutation without the name, a length outside [min_words, max_words], or a long subject is soft.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from assistant.ids import normalize_text
from assistant.types import (
    CheckResult,
    EmailDraft,
    GuardrailReport,
    Paper,
    Professor,
    StudentProfile,
    Violation,
)

# ---------------------------------------------------------------- thresholds

TITLE_MIN_RATIO = 90  # rapidfuzz ratio (0..100) between a claimed and a real title, both normalised
QUOTE_MIN_WORDS = 4  # a shorter quoted phrase is a term, not a title
ITALIC_MIN_WORDS = 3
TITLE_RUN_MIN_CAPS = 4  # capitalised words in an unquoted Title-Case run presented as a paper
CV_MATCH_RATIO = 90  # rapidfuzz partial_ratio of a claimed publication title against the CV
COPY_SOFT_WORDS = 12  # a verbatim run this long from an abstract is a warning...
COPY_HARD_WORDS = 25  # ...and this long blocks the draft
ATTRIBUTION_RUN_WORDS = 8  # a verbatim run this long from another professor's abstract is their work...
ATTRIBUTION_FOREIGN_WORDS = 2  # ...when it carries this many content words absent from this professor's papers
SHINGLE_WORDS = 5
BATCH_SIMILARITY = 0.5  # word 5-gram Jaccard similarity between two drafts of a batch
WRONG_CITATION_SHARE = 0.35  # the cited paper scores below this share of the best-matching retrieved paper...
WRONG_CITATION_MIN_SCORE = 4.0  # ...which itself has at least this much distinctive (idf-weighted) overlap
LONG_SUBJECT_WORDS = 20

CHECKS: tuple[str, ...] = (
    "citations",
    "titles",
    "numbers",
    "attribution",
    "student_claims",
    "copying",
    "injection",
    "form",
)
Severity = Literal["hard", "soft"]
_NOMINAL_SEVERITY: dict[str, Severity] = {name: ("soft" if name == "copying" else "hard") for name in CHECKS}


# ---------------------------------------------------------------- public API


class StoreCorpus:
    """Every professor's papers, normalised once, to compare a draft against beyond its own professor.

    One is shared by all the drafts of a batch: rebuilding it for each check was a fifth of the guardrails' time
    on a 2,000-paper store. It may include the checked professor's own papers; lookups skip them by owner id.
    """

    def __init__(self, papers: Iterable[tuple[str | None, str, Paper]]) -> None:  # (owner id, owner name, paper)
        entries = list(papers)
        self.by_paper = {p.id: (owner, name) for owner, name, p in entries}
        self.titles = [(owner, name, p, _norm(p.title)) for owner, name, p in entries if p.title and _norm(p.title)]
        # Title and abstract text of every paper. Own papers in it are harmless: a term is looked up here only
        # after it was not found in the professor's own texts.
        self.texts = _Texts.of(x for _, _, p in entries for x in (p.title, p.abstract))
        self.owners = {(owner, name) for owner, name, _ in entries}
        self.abstracts = frozenset((p.id, p.abstract) for _, _, p in entries if p.abstract)
        self.abstract_key = tuple(sorted(self.abstracts))

    @classmethod
    def of_others(cls, other_papers: Iterable[tuple[str, Paper]]) -> StoreCorpus:
        return cls((None, name, paper) for name, paper in other_papers)


class GuardrailContext(BaseModel):
    """What a draft may rely on: the professor's papers, the retrieved sources, the CV, the rest of the batch."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    professor: Professor  # with .papers = all their indexed papers
    sources: list[Paper]  # the papers retrieved for this draft (all their papers for a hand-written email)
    student: StudentProfile | None = None  # None: nothing about the student can be verified (check kept, passed)
    other_papers: list[tuple[str, Paper]] = Field(default_factory=list)  # (other professor's name, paper)
    # The same, prepared once for a whole store (draft.guardrail_context); overrides other_papers when given.
    corpus: StoreCorpus | None = Field(default=None, exclude=True)
    other_drafts: list[str] = Field(default_factory=list)  # bodies of other drafts in the same batch
    min_words: int = 80
    max_words: int = 400


def check_draft(draft: EmailDraft, ctx: GuardrailContext) -> GuardrailReport:
    """Run every check on a structured draft (cited ids and student claims included)."""
    return _Checker(draft, ctx, from_text=False).run()


def check_text(text: str, ctx: GuardrailContext) -> GuardrailReport:
    """Run every check on plain email text; a leading "Subject:" line becomes the subject."""
    subject, body = split_subject(text)
    return _Checker(EmailDraft(subject=subject, body=body), ctx, from_text=True).run()


def split_subject(text: str) -> tuple[str, str]:
    """(subject, body) of an email's text: the subject comes from a leading "Subject:" line, else it is ""."""
    match = re.match(r"\s*subject\s*:[ \t]*(?P<subject>[^\n]*)\n?", text, re.IGNORECASE)
    if not match:
        return "", text.strip("\n")
    return match.group("subject").strip(), text[match.end() :].strip("\n")


def draft_similarity(a: str, b: str) -> float:
    """Jaccard similarity (0..1) of the two texts' word 5-gram shingles."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 1.0 if normalize_text(a) and normalize_text(a) == normalize_text(b) else 0.0
    return len(sa & sb) / len(sa | sb)


def similar_pairs(bodies: dict[str, str], threshold: float = BATCH_SIMILARITY) -> list[tuple[str, str, float]]:
    """Pairs of drafts (by key) at least `threshold` similar, most similar first."""
    keys = sorted(bodies)
    shingles = {k: _shingles(bodies[k]) for k in keys}
    pairs = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            shared = len(shingles[a] & shingles[b])
            union = len(shingles[a]) + len(shingles[b]) - shared
            score = shared / union if union else 0.0
            if score >= threshold:
                pairs.append((a, b, round(score, 4)))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


# ---------------------------------------------------------------- vocabulary

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either few for from further had has have
    having he her here hers him his how however i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the their
    them then there these they this those through to too toward towards under until up upon very via was we
    were what when where which while who whom why will with within without would yet you your yours""".split()
)

# Capitalised words and acronyms that say nothing checkable (titles, degrees, calendar, courtesy, field names).
_GENERIC_TERMS = frozenset(
    normalize_text(t)
    for t in """I AI ML NLP LLM LLMs CV CVs GPA TA RA PhD Ph.D Ph.D. MS M.S MSc M.Sc BS B.S BSc B.Sc BA B.A MA M.A
    MEng M.Eng BEng B.Eng BTech B.Tech MTech M.Tech MBA MPhil DPhil Professor Prof Dr Doctor Mr Ms Mrs Mx Sir
    Madam Dear Hi Hello Hey Greetings Thank Thanks Best Regards Sincerely Cheers Warmly Kind Warm Yours
    Subject Re Fwd FYI PS P.S Resume Email E-mail OK Zoom English USA US U.S UK U.K
    January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday Fall Spring Summer Winter Autumn Student Students Candidate
    Researcher Research Assistant Intern Applicant Prospective Department University College School Institute
    Lab Laboratory Group Center Centre Program Programme Engineering Science Sciences Master Masters Bachelor
    Bachelors Doctoral Undergraduate Graduate GPU GPUs CPU API APIs CS EE ECE""".split()
)

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*(?:%|x|×|k|K|M|B)?(?:[-–]\d+(?:[.,]\d+)*(?:%|x|×|k|K|M|B)?)?")
_NUMBER_VALUE_RE = re.compile(r"\d+(?:\.\d+)?")
_YEAR_RE = re.compile(r"(?:19|20)\d\d(?:[-–](?:19|20)?\d\d)?")
_SCHEDULE_BEFORE_RE = re.compile(
    r"\b(?:fall|spring|summer|winter|autumn|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|since|until|by|in early|in late)\s*$",
    re.IGNORECASE,
)
_SCHEDULE_AFTER_RE = re.compile(
    r"^\W*(?:cycle|admissions?|academic|application|applications|intake|term|semester|entry|season)\b", re.IGNORECASE
)
_SKIP_TOKEN_RE = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm)", re.IGNORECASE)  # ordinals, decades, times
_TOKEN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'’.+\-–%×]*[A-Za-z0-9+%×])?")
_WORD_RE = re.compile(r"[^\W_]+")
_POSSESSIVE_RE = re.compile(r"['’](?:s|m|ve|d|ll|re|t)?$")

_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"'“”]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    r"(?:com|org|edu|net|io|ai|dev|me|xyz|info|co|app|site|ly|gg|page)(?:/[^\s<>()\"'“”]*)?(?![\w@])",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

_QUOTE_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r'"([^"\n]{3,300}?)"'), QUOTE_MIN_WORDS),
    (re.compile(r"“([^”\n]{3,300}?)”"), QUOTE_MIN_WORDS),
    (re.compile(r"‘([^’\n]{3,300}?)’(?!\w)"), QUOTE_MIN_WORDS),
    (re.compile(r"(?<![\w'])'([^'\n]{3,300}?)'(?!\w)"), QUOTE_MIN_WORDS),
    (re.compile(r"(?<![\w*])\*([^*\n]{3,300}?)\*(?![\w*])"), ITALIC_MIN_WORDS),
    (re.compile(r"(?<![\w_])_([^_\n]{3,300}?)_(?![\w_])"), ITALIC_MIN_WORDS),
)
_PAPER_NOUN = r"(?:paper|papers|work|article|preprint|publication|study|titled|entitled|called|named)"
_QUOTE_CUE_RE = re.compile(rf"(?:\b{_PAPER_NOUN}\b(?:\s+(?:on|about|in))?|\bin)[\s,:\-–—]*$", re.IGNORECASE)
_RUN_CUE_RE = re.compile(
    r"\b(?:paper|papers|article|preprint|publication|titled|entitled|called|named)\b[\s,:\-–—]*$", re.IGNORECASE
)
_RUN_CONNECTORS = frozenset(
    "a an the of for and or in on to via with at by from is are as vs versus into over under toward towards "
    "without through not yet beyond".split()
)
_OTHERS_ATTRIBUTION_RE = re.compile(r"\bet al\b|\bby\s+[A-Z][a-z]")

_PROF_PRONOUN_RE = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_STUDENT_PRONOUN_RE = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|[Ww]e|[Oo]ur|[Oo]urs|us)\b")
_WORK_REFERENCE_RE = re.compile(
    r"\b(?:the|this|that|these|those)\s+(?:[\w-]+\s+){0,2}?(?:paper|papers|work|study|studies|finding|findings|"
    r"result|results|analysis|method|methods|approach|framework|idea|observation|insight|proof|theory|"
    r"experiments?|algorithm|technique|objective|gains?|improvements?|speedups?|reductions?)\b"
    r"|\b(?:outperforms|boosts|improves|reduces|achieves|yields|shows|proves|demonstrates|surpasses)\b",
    re.IGNORECASE,
)

_PROFESSOR_SIDE_RE = re.compile(rf"{_PROF_PRONOUN_RE.pattern}|{_WORK_REFERENCE_RE.pattern}", re.IGNORECASE)
_CLOSING_RE = re.compile(
    r"^\s*(?:best|best regards|best wishes|kind regards|warm regards|warmest regards|regards|sincerely|"
    r"sincerely yours|yours sincerely|yours truly|respectfully|thanks|thank you|many thanks|thanks again|"
    r"thanks so much|thank you so much|cheers|warmly|with gratitude|with thanks|all the best)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_GREETING_RE = re.compile(
    r"^\s*(?:dear|hi|hello|hey|greetings|good\s+(?:morning|afternoon|evening))\b[\s,]*(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
_HONORIFICS = frozenset("professor prof dr doctor mr ms mrs mx miss sir madam".split())
_GENERIC_ADDRESSEES = frozenset("sir madam whom concern team all everyone colleagues committee".split())
_PERSON_MENTION_RE = re.compile(r"\b(?:Professor|Prof\.?|Dr\.?)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_PLACEHOLDER_RE = re.compile(
    r"\[(?:your|insert|name|student|professor|university|institution|title|paper|topic|date|link)[^\]\n]{0,40}\]"
    r"|\{\{?\s*\w+\s*\}?\}|<(?:NAME|YOUR[ _]NAME|UNIVERSITY|TITLE)>|\bXXX+\b",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“(\[]?[A-Z0-9])")
_BULLET_RE = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s+")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc al dr prof mr ms mrs vs cf fig figs eq no nos st jr sr ph.d m.s b.s m.sc b.sc b.tech m.tech b.e "
    "m.eng b.eng b.a m.a u.s u.k a.k.a approx resp incl dept univ inc ltd co".split()
)

# Instructions or model meta-text: in a CV they are an injection attempt; in an email they mean the model obeyed.
_INSTRUCTION_PATTERNS = (
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|my|these|those|previous|prior|above|"
    r"earlier|preceding|other)\s+){0,3}(?:instructions?|prompts?|rules|guidelines|directions|directives)\b",
    r"\b(?:system prompt|developer message|jailbreak|prompt injection)\b",
    r"\bas an ai\b|\bas a (?:large )?language model\b|\bai language model\b|\bi am an ai\b|\bi'm an ai\b",
    r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|model|llm|chatbot|"
    r"language model|gpt|chatgpt|bot|screening system)\b",
    r"<\|?(?:im_start|im_end|system|assistant)\|?>|\[/?INST\]|###\s*(?:instruction|system)",
)
# Only in a CV: phrasings a real email uses innocently ("the model should stop", "state that they converge").
_CV_ONLY_PATTERNS = (
    r"\b(?:ai|assistant|model|llm|chatgpt|gpt|language model)s?\b[^.\n]{0,40}\b(?:must|should|shall|are required)\b",
    r"\b(?:when|while)\s+(?:writing|drafting|generating|composing)\s+(?:the|an|any|this)?\s*(?:email|letter|"
    r"message|response|output)\b",
    r"\b(?:say|state|mention|claim|write|add)\s+that\s+(?:the\s+)?(?:student|applicant|candidate|he|she|they)\b",
)
# Only in an email: a model talking to its user instead of writing the email.
_OUTPUT_META_PATTERNS = (
    r"\bhere(?:'s| is)\s+(?:a|the|your|an)\s+(?:draft|email|revised|personali[sz]ed|updated)\b",
    r"^\s*(?:sure|certainly|of course)[!,.]\s",
    r"\bi cannot (?:fulfill|comply|assist)\b|\bi'm sorry, but i (?:can(?:no|')t)\b",
    r"\bthis (?:email|message|draft) (?:was|is|has been) (?:generated|written) by\b",
)
_INSTRUCTION_RE = re.compile("|".join((*_INSTRUCTION_PATTERNS, *_CV_ONLY_PATTERNS)), re.IGNORECASE | re.MULTILINE)
_OUTPUT_INSTRUCTION_RE = re.compile(
    "|".join((*_INSTRUCTION_PATTERNS, *_OUTPUT_META_PATTERNS)), re.IGNORECASE | re.MULTILINE
)
_INSTRUCTION_WORDS = frozenset(
    "ignore disregard forget override instruction instructions previous prior prompt system assistant model ai "
    "llm chatgpt gpt note say state mention claim write include add email letter output student applicant "
    "candidate must should hidden text important".split()
)

# ---- student claims
_DEGREE_LEVELS: dict[str, str] = {
    "doctoral": r"Ph\.?\s?D\.?|PhD|DPhil|[Dd]octorate|[Dd]octoral",
    "master's": r"M\.?S\.?c?\.?|M\.?Eng\.?|M\.?Tech\.?|M\.A\.|MA|MPhil|MBA|MRes|[Mm]aster(?:['’]s|s)?",
    "bachelor's": r"B\.?S\.?c?\.?|B\.?Eng\.?|B\.?Tech\.?|B\.E\.|BE|B\.A\.|BA|[Bb]achelor(?:['’]s|s)?|"
    r"[Uu]ndergrad(?:uate)?",
}
_DEGREE_RES = {level: re.compile(rf"(?<![A-Za-z])(?:{p})(?![A-Za-z])") for level, p in _DEGREE_LEVELS.items()}
_ASPIRATION_RE = re.compile(
    r"\b(?:pursue|pursuing|apply|applying|application|join|joining|seek|seeking|prospective|future|admissions?|"
    r"hope|hoping|plan|planning|become|becoming|begin|start|starting|intend|interested|toward|towards|goal|"
    r"aspire|considering|consider|would|will|want|wish|eager|take|taking|accept|accepting|recruit|recruiting|"
    r"admit|admitting|hire|hiring|new)\b",
    re.IGNORECASE,
)
_NOT_A_DEGREE_AFTER_RE = re.compile(
    r"^\W*(?:\w+\s+)?(?:programs?|positions?|openings?|admissions?|applicants?|applications?|opportunit\w*|"
    r"studies|supervision|advisor|students|student\s+in\s+your|student\s+with\s+you|fellowships?|scholarships?|"
    r"awards?|prizes?|grants?)\b",
    re.IGNORECASE,
)
_DEGREE_FIELD_RE = re.compile(
    r"^\s+(?:degree\s+)?(?:in|of)\s+(?P<field>[A-Za-z&][A-Za-z&\s-]{1,60}?)"
    r"(?=\s*(?:[,.;:()]|$|\s(?:at|from|with|where|under|to|for|since|during|and\s+I)\b))"
)
_STUDENT_SUBJECT_RE = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|[Mm]y|[Ww]e|[Oo]ur)\b")
_AFFILIATION_VERB_RE = re.compile(
    r"\b(?:student|intern|interned|internship|worked|working|work|studied|studying|study|graduated|graduating|"
    r"graduate|researcher|assistant|engineer|employed|degree|thesis|visiting|visited|postdoc|undergraduate|"
    r"major|majoring|enrolled|attended|attend|completed|earned|received|hold|PhD|M\.S|B\.S|MSc|BSc)\b"
)
_AT_RUN_RE = re.compile(
    r"\b(?:at|from)\s+(?:the\s+)?(?P<run>[A-Z][\w&'’.-]+(?:\s+(?:of|for|and|&|de|[A-Z][\w&'’.-]+))*)"
)
_AWARD_NOUN = r"(?i:awards?|scholarships?|fellowships?|prizes?|medals?|grants?|honou?rs?|distinctions?|dean['’]s list)"
_AWARD_CLAIM_RES = (
    re.compile(
        r"\b(?:I|[Ww]e)\b[^.;!?]{0,40}?\b(?:won|win|received|was awarded|were awarded|earned|got|was granted|"
        r"was named|was selected for|was honou?red with|was a recipient of|am a recipient of|"
        rf"was the recipient of)\s+(?P<award>[^.;!?]{{0,80}}?\b{_AWARD_NOUN})\b"
    ),
    re.compile(rf"\b[Mm]y\s+(?P<award>(?:[\w'’-]+\s+){{0,5}}?{_AWARD_NOUN})\b"),
    re.compile(rf"\b(?:recipient|winner)\s+of\s+(?P<award>[^.;!?]{{0,80}}?\b{_AWARD_NOUN})\b"),
)
_AWARD_FILLER = frozenset(
    "the a an my our prestigious competitive highly several multiple full partial merit based merit-based "
    "annual national international award awards".split()
)
_SKILL_CUE_RE = re.compile(
    r"\b(?:experience|experienced|proficient|proficiency|familiar|familiarity|skilled|skills|expertise|"
    r"comfortable|fluent|fluency|hands-on|background|knowledge|worked)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:with|in|of|using)\s+(?P<list>[^.;:!?(]+)",
    re.IGNORECASE,
)
_SKILL_LIST_END_RE = re.compile(
    r"(?:,?\s+(?:and|but)\s+(?:I|I'm|I’m|we|my)\b|\s(?:to|for|which|that|where|because|so|while|during|at|from|"
    r"through|under|as part|in order)\b).*$",
    re.IGNORECASE,
)
_SKILL_SPLIT_RE = re.compile(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|/|\s+as well as\s+")
_SKILL_LEAD_RE = re.compile(
    r"^(?:(?:tools|frameworks|libraries|languages|methods|techniques)\s+(?:such as|like)|such as|including|"
    r"e\.g\.?|both|the|a|an|modern|several|various)\s+",
    re.IGNORECASE,
)
_PUBLICATION_CUE_RE = re.compile(
    r"\b(?:my|our)\s+(?:[\w-]+\s+){0,3}?(?:paper|papers|publication|preprint|article|thesis)\b|"
    r"\bI\s+(?:have\s+|recently\s+|also\s+|previously\s+)*(?:published|co-?authored|authored|wrote|presented|"
    r"first-authored)\b|\b(?:first|co)-?author(?:ed)?\b",
    re.IGNORECASE,
)
_VENUE_CLAIM_RE = re.compile(
    r"\b(?:published|accepted|appeared|presented)\s+(?:\w+\s+){0,2}?(?:at|in|to)\s+(?:the\s+)?"
    r"(?P<venue>[A-Z][\w&'’-]*(?:\s+[A-Z0-9][\w&'’-]*)*)"
)


# ---------------------------------------------------------------- text helpers


# Sized for a store of several thousand papers: a batch checks every draft against the same titles and abstracts.
@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return normalize_text(text)


def _content_words(norm: str) -> list[str]:
    return [w for w in norm.split() if len(w) > 2 and w not in _STOPWORDS]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _numbers_in(text: str) -> set[float]:
    flat = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return {float(v) for v in _NUMBER_VALUE_RE.findall(flat)}


@lru_cache(maxsize=65536)
def _source_numbers(text: str) -> frozenset[float]:
    return frozenset(_numbers_in(text))


def _words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD_RE.finditer(text):
        raw = m.group()
        word = raw.lower() if raw.isascii() else _norm(raw).replace(" ", "")
        if word:
            out.append((word, m.start(), m.end()))
    return out


def _shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    words = _norm(text).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


class _NgramOwners:
    """Which papers' abstracts contain each word n-gram.

    Built once per set of papers and cached: checking a draft then costs one lookup per n-gram of the draft,
    where a union of every abstract's n-grams cost ~30 ms per draft on a 2,000-paper store (the batch
    benchmark's bottleneck)."""

    def __init__(self, papers: tuple[tuple[str, str], ...], n: int) -> None:
        owners: dict[tuple[str, ...], tuple[str, ...]] = {}
        for pid, abstract in papers:
            for gram in _shingles(abstract, n):
                found = owners.get(gram, ())
                if pid not in found:
                    owners[gram] = (*found, pid)
        self.owners = owners

    def __contains__(self, gram: object) -> bool:
        return gram in self.owners


@lru_cache(maxsize=4)
def _ngram_owners(papers: tuple[tuple[str, str], ...], n: int) -> _NgramOwners:
    """Cached by the (id, abstract) pairs themselves, so a changed store can never be served a stale index."""
    return _NgramOwners(papers, n)


@dataclass(frozen=True)
class _Foreign:
    """The n-grams of other papers' abstracts that none of this professor's texts contains."""

    index: _NgramOwners
    own_ids: frozenset[str]
    own_norm: str  # the professor's own texts, normalised and padded with spaces

    def __contains__(self, gram: object) -> bool:
        if not isinstance(gram, tuple):
            return False
        ids = self.index.owners.get(gram)
        if not ids or all(i in self.own_ids for i in ids):
            return False
        # Rare (a run found in another paper's abstract), so a substring search beats n-gramming own texts.
        return f" {' '.join(gram)} " not in self.own_norm


def _verbatim_runs(words: list[str], reference: Container[tuple[str, ...]], n: int) -> list[tuple[int, int]]:
    """[first, last) word index ranges of `words` whose every n-gram occurs in `reference`."""
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(len(words) - n + 2):
        hit = i < len(words) - n + 1 and tuple(words[i : i + n]) in reference
        if hit and start is None:
            start = i
        elif not hit and start is not None:
            runs.append((start, i - 1 + n))
            start = None
    return runs


def _canonical_url(url: str) -> str:
    url = url.lower().rstrip(".,;:!?)]}'\"")
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url)
    return url.rstrip("/")


def _plural_variants(term: str) -> set[str]:
    variants = {term, term + "s"}
    if len(term) > 3 and term.endswith("s"):
        variants.add(term[:-1])
    if len(term) > 4 and term.endswith("es"):
        variants.add(term[:-2])
    return variants


@dataclass(frozen=True)
class _Texts:
    """Normalised text padded with spaces for whole-word lookups, and the numbers it states."""

    norm: str = " "
    numbers: frozenset[float] = frozenset()

    @classmethod
    def of(cls, parts: Iterable[str | None]) -> _Texts:
        # Part by part, so each source text is normalised once per process (cached), not once per draft.
        texts = [p for p in parts if p]
        norm = " ".join(n for n in map(_norm, texts) if n)
        return cls(norm=f" {norm} ", numbers=frozenset().union(*map(_source_numbers, texts)))

    def has(self, term: str) -> bool:
        """`term` (any text) appears as whole words, tolerant to case, punctuation and a plural s.

        A single word of 5+ letters may also open a longer word ("Scholar" in "Scholarship")."""
        n = _norm(term)
        if not n:
            return False
        if any(f" {v} " in self.norm for v in _plural_variants(n)):
            return True
        return " " not in n and len(n) >= 5 and f" {n}" in self.norm

    def has_all_words(self, phrase: str) -> bool:
        words = _content_words(_norm(phrase))
        return bool(words) and all(self.has(w) for w in words)

    def has_any_word(self, phrase: str) -> bool:
        return any(self.has(w) for w in _content_words(_norm(phrase)))


def _is_generic(term: str) -> bool:
    return _norm(term) in _GENERIC_TERMS


# ---------------------------------------------------------------- the email as sentences

Field_ = Literal["subject", "body"]
Part = Literal["subject", "salutation", "body", "signature"]
About = Literal["professor", "student", "mixed", "neutral"]


@dataclass(frozen=True)
class _Sentence:
    field: Field_
    start: int
    end: int
    text: str
    part: Part
    about: About


@dataclass(frozen=True)
class _Token:
    text: str  # the token without a possessive
    start: int  # offsets in the field
    end: int
    kind: Literal["number", "year", "strong", "weak", "plain", "skip"]
    initial: bool  # opens its sentence (capitalised for grammar, not as a name)
    quoted: bool


@dataclass(frozen=True)
class _Mention:
    """A phrase presented as a paper title: quoted, italic, or a Title-Case run after "paper"/"titled"."""

    field: Field_
    start: int
    end: int
    text: str
    kind: Literal["quote", "italic", "run"]
    cued: bool  # introduced as a paper ("your paper '…'", "titled …", "in '…'")
    sentence: _Sentence | None
    owner: Literal["student", "professor", "unknown"]  # whose work the nearest pronoun before it makes it


_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_CLAUSE_OPENERS = frozenset(':;—–("“')
_TOKEN_PART_RE = re.compile(r"[-–./'’]")


def _classify_token(tok: str) -> Literal["number", "year", "strong", "weak", "plain", "skip"]:
    if not tok or _SKIP_TOKEN_RE.fullmatch(tok):
        return "skip"
    if _NUMBER_RE.fullmatch(tok):
        return "year" if _YEAR_RE.fullmatch(tok) else "number"
    if any(c.isdigit() for c in tok):
        return "strong"
    parts = [p for p in _TOKEN_PART_RE.split(tok) if p]
    if any(sum(c.isupper() for c in p) >= 2 or (p[0].islower() and any(c.isupper() for c in p)) for p in parts):
        return "strong"  # acronyms (SAM, LLMs) and CamelCase (ImageNet, nanoGPT)
    return "weak" if tok[0].isupper() else "plain"


def _about(text: str, surname_re: re.Pattern[str] | None) -> About:
    prof = bool(_PROF_PRONOUN_RE.search(text) or _WORK_REFERENCE_RE.search(text))
    prof = prof or bool(surname_re and surname_re.search(text))
    student = bool(_STUDENT_PRONOUN_RE.search(text))
    if prof and student:
        return "mixed"
    return "professor" if prof else "student" if student else "neutral"


def _sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """Sentence (start, end) offsets in one paragraph; abbreviations and initials do not end a sentence."""
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        before = re.search(r"([A-Za-z.]+)$", text[start : m.start()])
        word = before.group(1).lower() if before else ""
        if m.group().startswith(".") and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        yield start, m.end()
        start = m.end()
    yield start, len(text)


def _paragraph_blocks(body: str, first: int, last: int) -> Iterator[tuple[int, int]]:
    """(start, end) of text blocks between lines `first` and `last`: paragraphs, with list items split off."""
    offsets = _line_spans(body)
    block_start: int | None = None
    for i in range(first, last):
        start, end = offsets[i]
        line = body[start:end]
        if not line.strip() or _BULLET_RE.match(line):
            if block_start is not None:
                yield block_start, offsets[i - 1][1]
            block_start = start if line.strip() else None
            continue
        if block_start is None:
            block_start = start
    if block_start is not None and last > first:
        yield block_start, offsets[last - 1][1]


def _line_spans(body: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in body.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _parse_sentences(subject: str, body: str, surname_re: re.Pattern[str] | None) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    if subject.strip():
        s = len(subject) - len(subject.lstrip())
        sentences.append(_Sentence("subject", s, len(subject.rstrip()), subject.strip(), "subject", "neutral"))
    lines = _line_spans(body)
    non_empty = [i for i, (a, b) in enumerate(lines) if body[a:b].strip()]
    if not non_empty:
        return sentences
    first, last = non_empty[0], len(lines)
    if _GREETING_RE.match(body[slice(*lines[first])]):
        sentences.append(_make_sentence(body, *lines[first], "salutation", surname_re))
        first += 1
    closing = [i for i in non_empty if i >= first and _CLOSING_RE.match(body[slice(*lines[i])])]
    if closing:
        last = closing[-1]
    for start, end in _paragraph_blocks(body, first, last):
        block = body[start:end]
        lead = _BULLET_RE.match(block)
        offset = start + (lead.end() if lead else 0)
        for a, b in _sentence_bounds(body[offset:end]):
            sentence = _make_sentence(body, offset + a, offset + b, "body", surname_re)
            if sentence.text:
                sentences.append(sentence)
    for i in non_empty:
        if i >= last:
            sentences.append(_make_sentence(body, *lines[i], "signature", surname_re))
    return sentences


def _make_sentence(body: str, start: int, end: int, part: Part, surname_re: re.Pattern[str] | None) -> _Sentence:
    raw = body[start:end]
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    about: About = _about(text, surname_re) if part == "body" else "student" if part == "signature" else "neutral"
    return _Sentence("body", start + lead, start + lead + len(text), text, part, about)


# ---------------------------------------------------------------- what the email may rely on


@lru_cache(maxsize=8)  # a batch checks every draft against the same CV
def _clean_cv(text: str) -> tuple[str, tuple[str, ...]]:
    """The CV without segments that read like instructions to a model, and those segments."""
    kept, injected = [], []
    for line in text.split("\n"):
        pieces = re.split(r"(?<=[.!?])\s+", line)
        bad = [p for p in pieces if _INSTRUCTION_RE.search(p)]
        if bad:
            injected.extend(bad)
            kept.append(" ".join(p for p in pieces if p not in bad))
        else:
            kept.append(line)
    return "\n".join(kept), tuple(injected)


def _cv_text(student: StudentProfile) -> str:
    items = [i.source_text for i in student.all_items()]
    return "\n".join(x for x in (student.name, student.email, student.raw_text, *items) if x)


def _professor_profile_parts(prof: Professor) -> list[str | None]:
    return [
        prof.name,
        prof.position,
        prof.affiliation,
        prof.department,
        prof.email,
        prof.about,
        *prof.topics,
        *prof.labs,
        *prof.education,
        *prof.awards,
        *(c.name for c in prof.coauthors),
        *(c.affiliation for c in prof.coauthors),
    ]


def _paper_parts(paper: Paper) -> list[str | None]:
    return [paper.title, paper.abstract, paper.venue, *(s.venue for s in paper.sources)]


class _Evidence:
    """The professor's, the CV's and the other professors' texts, normalised once per check."""

    def __init__(self, ctx: GuardrailContext) -> None:
        prof = ctx.professor
        self.papers = {p.id: p for p in prof.papers}
        self.paper_texts = {p.id: _Texts.of(_paper_parts(p)) for p in prof.papers}
        self.prof = _Texts.of([*(x for p in prof.papers for x in _paper_parts(p)), *_professor_profile_parts(prof)])
        self.prof_raw = "\n".join(
            x or ""
            for x in [
                *(x for p in prof.papers for x in (*_paper_parts(p), p.url, p.doi)),
                *_professor_profile_parts(prof),
            ]
        )
        self.abstracts = _Texts.of(p.abstract for p in prof.papers)
        self.prof_years = self._years(prof)
        self.titles = [(p, _norm(p.title)) for p in prof.papers if p.title and _norm(p.title)]
        self.corpus = ctx.corpus or StoreCorpus.of_others(ctx.other_papers)
        self.prof_id = prof.id
        self.other = self.corpus.texts
        self.other_names = {name for owner, name in self.corpus.owners if owner != prof.id}
        # Every abstract in play (this professor's and the others'): the key of the cached n-gram indexes, the
        # corpus's own key whenever it already holds this professor's abstracts (always, in a batch).
        own = {(p.id, p.abstract) for p in prof.papers if p.abstract}
        self.all_abstracts = (
            self.corpus.abstract_key
            if own <= self.corpus.abstracts
            else tuple(sorted(self.corpus.abstracts | own))
        )
        self.name_tokens = set(_norm(prof.name).split())
        self.has_cv = ctx.student is not None
        raw_cv = _cv_text(ctx.student) if ctx.student else ""
        self.cv_raw, injected = _clean_cv(raw_cv)
        self.injected = list(injected)
        self.cv = _Texts.of([self.cv_raw])
        self.student_email = (ctx.student.email or "").lower() if ctx.student else ""
        self.professor_email = (prof.email or "").lower()

    @staticmethod
    def _years(prof: Professor) -> set[int]:
        years = {p.year for p in prof.papers if p.year}
        texts = [p.date or "" for p in prof.papers] + [s.date or "" for p in prof.papers for s in p.sources]
        texts += [x or "" for x in _professor_profile_parts(prof)]
        years |= {int(y) for t in texts for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", t)}
        years |= {y for y in (prof.active_from, prof.active_to) if y}
        return years

    @cached_property
    def allowed_urls(self) -> set[str]:
        return {_canonical_url(u) for u in _URL_RE.findall(self.prof_raw + "\n" + self.cv_raw)}

    @cached_property
    def allowed_emails(self) -> set[str]:
        found = {e.lower() for e in _EMAIL_RE.findall(self.cv_raw)}
        return found | {e for e in (self.student_email, self.professor_email) if e}

    def known_to_professor(self, term: str) -> bool:
        return _is_generic(term) or self.prof.has(term)

    def known_anywhere(self, term: str) -> bool:
        return self.known_to_professor(term) or self.cv.has(term)

    def title_of(self, phrase: str, allow_containment: bool = False) -> Paper | None:
        n = _norm(phrase)
        for paper, title in self.titles:
            if _title_matches(n, title, allow_containment):
                return paper
        return None

    def other_title_of(self, phrase: str, allow_containment: bool = False) -> tuple[str, Paper] | None:
        n = _norm(phrase)
        for owner, name, paper, title in self.corpus.titles:
            if owner != self.prof_id and _title_matches(n, title, allow_containment):
                return name, paper
        return None

    def other_owner(self, paper_id: str) -> str | None:
        """The name of the other professor who wrote this paper, if one did."""
        owner, name = self.corpus.by_paper.get(paper_id, (self.prof_id, ""))
        return name if owner != self.prof_id else None

    def closest_title(self, phrase: str) -> tuple[str, float] | None:
        n = _norm(phrase)
        scored = [(p.title or "", fuzz.ratio(n, t)) for p, t in self.titles]
        return max(scored, key=lambda s: s[1]) if scored else None


def _title_matches(candidate: str, title: str, allow_containment: bool) -> bool:
    """A claimed title (normalised) names a real one: near-identical with no foreign word, or a verbatim part."""
    if not candidate or not title:
        return False
    if len(candidate.split()) >= 3 and f" {candidate} " in f" {title} ":
        return True
    if allow_containment and len(title.split()) >= 3 and f" {title} " in f" {candidate} ":
        return True
    if fuzz.ratio(candidate, title) < TITLE_MIN_RATIO:
        return False
    title_stems = {_stem(w) for w in title.split()}
    return all(_stem(w) in title_stems for w in _content_words(candidate))


# ---------------------------------------------------------------- the checker


class _Checker:
    def __init__(self, draft: EmailDraft, ctx: GuardrailContext, from_text: bool) -> None:
        self.draft = draft
        self.ctx = ctx
        self.from_text = from_text
        self.ev = _Evidence(ctx)
        surname = _norm(ctx.professor.name).split()[-1:] if _norm(ctx.professor.name) else []
        self.surname_re = re.compile(rf"\b{re.escape(surname[0])}\b", re.IGNORECASE) if surname else None
        self.sentences = _parse_sentences(draft.subject, draft.body, self.surname_re)
        self.masks = {f: self._mask_spans(self._text(f)) for f in ("subject", "body")}
        self.mentions = self._find_mentions()
        self.source_ids = {p.id for p in ctx.sources}
        self.cited = self._cited_ids()
        self._token_cache: dict[_Sentence, list[_Token]] = {}
        self.quote_spans = {f: self._quote_spans(f) for f in ("subject", "body")}

    # ---- plumbing

    def run(self) -> GuardrailReport:
        checks: list[tuple[str, Callable[[], list[Violation]]]] = [
            ("citations", self.check_citations),
            ("titles", self.check_titles),
            ("numbers", self.check_numbers),
            ("attribution", self.check_attribution),
            ("student_claims", self.check_student_claims),
            ("copying", self.check_copying),
            ("injection", self.check_injection),
            ("form", self.check_form),
        ]
        found = [v for _, fn in checks for v in fn()]  # a check may report under another's name (attribution)
        results = [_result(name, found) for name, _ in checks]
        if not self.ev.has_cv:
            for result in results:
                if result.check == "student_claims":
                    result.note = "skipped: no CV given, so claims about the student could not be checked"
        return GuardrailReport(checks=results)

    def _text(self, field: Field_) -> str:
        return self.draft.subject if field == "subject" else self.draft.body

    def _span(self, field: Field_, start: int, end: int) -> str:
        return self._text(field)[start:end]

    @staticmethod
    def _mask_spans(text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in _URL_RE.finditer(text)] + [m.span() for m in _EMAIL_RE.finditer(text)]
        return sorted(spans)

    def _masked(self, field: Field_, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.masks[field])

    def _in_body(self, text: str) -> str | None:
        return text if text and text in self.draft.body else None

    def _tokens(self, s: _Sentence) -> list[_Token]:
        if s not in self._token_cache:
            self._token_cache[s] = self._tokenize(s)
        return self._token_cache[s]

    def _tokenize(self, s: _Sentence) -> list[_Token]:
        quotes = [(m.start, m.end) for m in self.mentions if m.field == s.field] + self.quote_spans[s.field]
        out: list[_Token] = []
        first_alnum = _ALNUM_RE.search(s.text)
        for m in _TOKEN_RE.finditer(s.text):
            start, end = s.start + m.start(), s.start + m.end()
            if self._masked(s.field, start, end):
                continue
            tok = _POSSESSIVE_RE.sub("", m.group())
            if not tok:
                continue
            # Sentence-initial: nothing alphanumeric before it, or it opens a clause (after a colon, dash...).
            before = s.text[max(0, m.start() - 40) : m.start()].rstrip()  # bounded: tokenising stays linear
            initial = first_alnum is None or first_alnum.start() >= m.start() or before[-1:] in _CLAUSE_OPENERS
            quoted = any(a <= start and end <= b for a, b in quotes)
            kind = _classify_token(tok)
            if kind == "number" and self._is_list_marker(s.text, m.start(), m.end()):
                kind = "skip"
            out.append(_Token(tok, start, start + len(tok), kind, initial, quoted))
        return out

    @staticmethod
    def _is_list_marker(text: str, start: int, end: int) -> bool:
        value = text[start:end]
        if not value.isdigit() or int(value) > 20:
            return False
        wrapped = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
        leading = not text[:start].strip() and text[end : end + 1] in (".", ")")
        return wrapped or leading

    def _quote_spans(self, field: Field_) -> list[tuple[int, int]]:
        text = self._text(field)
        return [m.span(1) for pattern, _ in _QUOTE_PATTERNS for m in pattern.finditer(text)]

    def _sentence_at(self, field: Field_, offset: int) -> _Sentence | None:
        for s in self.sentences:
            if s.field == field and s.start <= offset < s.end:
                return s
        return None

    def _cited_ids(self) -> set[str]:
        if not self.from_text:
            ids = set(self.draft.cited_paper_ids) | {c.paper_id for c in self.draft.citations}
            return ids & set(self.ev.papers)
        found = (self.ev.title_of(m.text, m.kind == "run") for m in self.mentions)
        return {p.id for p in found if p}

    # ---- mentions of titles

    def _find_mentions(self) -> list[_Mention]:
        mentions: list[_Mention] = []
        for field in ("subject", "body"):
            text = self._text(field)
            for pattern, min_words in _QUOTE_PATTERNS:
                for m in pattern.finditer(text):
                    inner = m.group(1).strip()
                    if len(_norm(inner).split()) < min_words or self._masked(field, *m.span(1)):
                        continue
                    kind: Literal["quote", "italic"] = "italic" if m.group(0)[0] in "*_" else "quote"
                    mentions.append(self._mention(field, m.start(1), m.end(1), kind, _QUOTE_CUE_RE))
        quoted = [(m.start, m.end) for m in mentions if m.field == "body"]
        for s in self.sentences:
            if s.part == "body":
                for start, end in self._title_runs(s):
                    if not any(a <= start < b or a < end <= b for a, b in quoted):
                        mention = self._mention("body", start, end, "run", _RUN_CUE_RE)
                        if mention.cued:
                            mentions.append(mention)
        return mentions

    def _mention(
        self, field: Field_, start: int, end: int, kind: Literal["quote", "italic", "run"], cue: re.Pattern[str]
    ) -> _Mention:
        text = self._text(field)
        sentence = self._sentence_at(field, start)
        sentence_start = sentence.start if sentence else 0
        prefix = text[sentence_start:start].rstrip(" \"“‘'*_")
        pronouns = re.findall(r"\b(?:you|your|I|my|our|we)\b", prefix, re.IGNORECASE)
        last = pronouns[-1].lower() if pronouns else ""
        owner: Literal["student", "professor", "unknown"] = (
            "student" if last in ("i", "my", "our", "we") else "professor" if last else "unknown"
        )
        return _Mention(field, start, end, text[start:end], kind, bool(cue.search(prefix)), sentence, owner)

    def _title_runs(self, s: _Sentence) -> Iterator[tuple[int, int]]:
        """Title-Case runs (>= TITLE_RUN_MIN_CAPS capitalised words; connectors and colons allowed) in a sentence."""
        tokens = list(_TOKEN_RE.finditer(s.text))
        run: list[re.Match[str]] = []
        for m in [*tokens, None]:
            capital = m is not None and (m.group()[0].isupper() or m.group()[0].isdigit())
            connector = m is not None and m.group().lower() in _RUN_CONNECTORS
            gap_ok = m is None or not run or re.fullmatch(r"\s+|:\s+|\s*[-–—]\s*", s.text[run[-1].end() : m.start()])
            if m is not None and gap_ok and (capital or (connector and run)):
                run.append(m)
                continue
            while run and run[-1].group().lower() in _RUN_CONNECTORS and not run[-1].group()[0].isupper():
                run.pop()
            if sum(1 for r in run if r.group()[0].isupper()) >= TITLE_RUN_MIN_CAPS:
                yield s.start + run[0].start(), s.start + run[-1].end()
            run = [m] if m is not None and capital else []

    # ---- 1. citations

    def check_citations(self) -> list[Violation]:
        if self.from_text:
            return self._uncited_mentions(severity="soft", among_sources=True) + self._described_unretrieved()
        out = [v for pid in self._all_cited_ids() for v in self._citation_id_violations(pid)]
        out += self._citation_where_violations()
        out += self._uncited_mentions(severity="soft", among_sources=False)
        return out

    def _all_cited_ids(self) -> list[str]:
        ids = list(dict.fromkeys([*self.draft.cited_paper_ids, *(c.paper_id for c in self.draft.citations)]))
        return ids

    def _citation_id_violations(self, pid: str) -> list[Violation]:
        where = next((c.where for c in self.draft.citations if c.paper_id == pid), "")
        span = self._in_body(where)
        name = self.ctx.professor.name
        if pid not in self.ev.papers:
            other = self.ev.other_owner(pid)
            whose = f"{other}'s paper" if other else "not a paper of theirs we know"
            return [
                _hard(
                    "citations",
                    f"Cited id {pid!r} is {whose}, not one of {name}'s papers: remove the "
                    "citation or cite one of the retrieved sources.",
                    span,
                )
            ]
        if pid not in self.source_ids:
            label = self.ev.papers[pid].label()
            return [
                _hard(
                    "citations",
                    f"Cited paper {label!r} ({pid}) was not retrieved for this draft: cite only "
                    "the retrieved sources, or retrieve it first.",
                    span,
                )
            ]
        return []

    def _citation_where_violations(self) -> list[Violation]:
        out: list[Violation] = []
        by_where: dict[str, set[str]] = {}
        for c in self.draft.citations:
            by_where.setdefault(c.where, set()).add(c.paper_id)
        for where, ids in by_where.items():
            if where.strip() and _norm(where) not in _norm(self.draft.body):
                out.append(
                    _soft(
                        "citations",
                        f"The citation of {sorted(ids)} points at text that is not in the "
                        f"email ({where[:60]!r}); quote the sentence that uses the paper.",
                    )
                )
                continue
            for pid in sorted(ids & self.source_ids & set(self.ev.papers)):
                other = self._better_described(where, pid, ids)
                if other:
                    out.append(
                        _hard(
                            "citations",
                            f"The sentence cited as {self.ev.papers[pid].label()!r} "
                            f"describes {other.label()!r} instead: fix the citation id.",
                            self._in_body(where),
                        )
                    )
        return out

    def _better_described(self, where: str, pid: str, cited: set[str]) -> Paper | None:
        """The retrieved paper this text clearly describes, when it is not the cited one."""
        scores = self._description_scores(where, [p.id for p in self.ctx.sources if p.id in self.ev.papers])
        if len(scores) < 2:
            return None
        best = max(scores, key=lambda i: scores[i])
        same_text = self.ev.paper_texts[best].norm == self.ev.paper_texts[pid].norm
        if best in cited or same_text or scores[best] < WRONG_CITATION_MIN_SCORE:
            return None
        return self.ev.papers[best] if scores[pid] < WRONG_CITATION_SHARE * scores[best] else None

    def _description_scores(self, text: str, ids: list[str]) -> dict[str, float]:
        """How much of each paper's distinctive (idf-weighted) vocabulary a piece of text uses."""
        words = set(_content_words(_norm(text))) - self.ev.name_tokens
        texts = {i: self.ev.paper_texts[i] for i in ids}
        df = Counter(w for w in words for t in texts.values() if t.has(w))
        n = len(texts)
        return {i: sum(math.log(1 + n / df[w]) for w in words if df[w] and t.has(w)) for i, t in texts.items()}

    def _described_unretrieved(self) -> list[Violation]:
        """From text: sentences that clearly describe one of their papers that is not among the sources."""
        out = []
        ids = list(self.ev.papers)
        for s in self.sentences:
            if s.part != "body" or s.about not in ("professor", "mixed") or len(ids) < 2:
                continue
            scores = self._description_scores(s.text, ids)
            best = max(scores, key=lambda i: scores[i])
            runner_up = max((v for i, v in scores.items() if i != best), default=0.0)
            clear = scores[best] >= WRONG_CITATION_MIN_SCORE and runner_up < WRONG_CITATION_SHARE * scores[best]
            if clear and best not in self.source_ids:
                label = self.ev.papers[best].label()
                out.append(
                    _soft(
                        "citations",
                        f"This sentence seems to describe {label!r}, which is not among the "
                        "sources given; check that it is the paper you mean.",
                        s.text,
                    )
                )
        return out

    def _uncited_mentions(self, severity: Severity, among_sources: bool) -> list[Violation]:
        out = []
        for m in self.mentions:
            paper = self.ev.title_of(m.text, m.kind == "run")
            if paper is None or (m.owner == "student" and self._student_publication(m)):
                continue
            if among_sources and paper.id not in self.source_ids:
                msg = f"{paper.title!r} is one of their papers but not among the sources given; check it is meant."
            elif not among_sources and paper.id not in self.cited:
                msg = f"The email names {paper.title!r} but does not cite its id ({paper.id}): add the citation."
            else:
                continue
            out.append(
                Violation(check="citations", severity=severity, message=msg, span=self._span(m.field, m.start, m.end))
            )
        return out

    # ---- 2. titles

    def check_titles(self) -> list[Violation]:
        out = []
        name = self.ctx.professor.name
        for m in self.mentions:
            allow = m.kind == "run"
            if self.ev.title_of(m.text, allow) or self.ev.other_title_of(m.text, allow):
                continue  # a real title; another professor's is the attribution check's job
            if m.owner == "student" and self._student_publication(m):
                continue  # the student's own publication: student_claims
            n = _norm(m.text)
            if not m.cued and f" {n} " in self.ev.prof.norm:
                continue  # a quotation from their abstract or profile, not a title
            if m.owner != "professor" and self._cv_has_title(m.text):
                continue  # the student's own work, named without a claim verb
            closest = self.ev.closest_title(m.text)
            hint = f" The closest real title is {closest[0]!r} ({closest[1]:.0f}/100)." if closest else ""
            out.append(
                _hard(
                    "titles",
                    f"{m.text!r} is presented as a paper title but matches none of {name}'s "
                    f"{len(self.ev.titles)} known titles.{hint} Use the exact title, or describe "
                    "an untitled paper by its contribution instead of inventing a title.",
                    self._span(m.field, m.start, m.end),
                )
            )
        return out

    def _student_publication(self, m: _Mention) -> bool:
        # A phrase quoted from the professor's own papers is about their work, whatever pronouns surround it.
        if len(_content_words(_norm(m.text))) >= 3 and self.ev.prof.has(m.text.rstrip("\u2026. ")):
            return False
        return m.sentence is not None and bool(_PUBLICATION_CUE_RE.search(m.sentence.text))

    # ---- 3. numbers and named things

    def check_numbers(self) -> list[Violation]:
        out: list[Violation] = []
        for s in self.sentences:
            if s.part not in ("body", "subject") or s.about == "student":
                continue
            focus = self._focus_papers(s)
            for tok in self._tokens(s):
                v = self._token_violation(s, tok, focus)
                if v:
                    out.append(v)
        return out

    def _focus_papers(self, s: _Sentence) -> list[str]:
        """The papers a sentence names by title: its numbers must come from them."""
        ids = []
        for m in self.mentions:
            if m.sentence == s:
                paper = self.ev.title_of(m.text, m.kind == "run")
                if paper:
                    ids.append(paper.id)
        return ids

    def _professor_side(self, s: _Sentence, tok: _Token) -> bool:
        """In a mixed sentence, a token belongs to the side of the nearest pronoun before it (else after it)."""
        if s.about != "mixed":
            return s.about == "professor"
        at = tok.start - s.start
        markers = [(m.start(), True) for m in _PROFESSOR_SIDE_RE.finditer(s.text)]
        markers += [(m.start(), False) for m in _STUDENT_PRONOUN_RE.finditer(s.text)]
        before = [m for m in markers if m[0] < at]
        nearest = max(before) if before else min(markers, default=(0, False))
        return nearest[1]

    def _schedule_year(self, s: _Sentence, tok: _Token) -> bool:
        """ "Fall 2026", "the 2026 admissions cycle": a plan, not a claim about anyone's work."""
        at, end = tok.start - s.start, tok.end - s.start
        return bool(_SCHEDULE_BEFORE_RE.search(s.text[:at]) or _SCHEDULE_AFTER_RE.match(s.text[end:]))

    def _token_violation(self, s: _Sentence, tok: _Token, focus: list[str]) -> Violation | None:
        if tok.kind in ("plain", "skip"):
            return None
        if tok.kind == "weak" and (tok.initial or tok.quoted or s.part == "subject"):
            return None
        strict = self._professor_side(s, tok)
        span = self._span(s.field, tok.start, tok.end)
        if tok.kind == "year":
            if not strict or self._schedule_year(s, tok):
                return None
            if all(int(y) in self.ev.prof_years for y in re.findall(r"(?:19|20)\d\d", tok.text)):
                return None
            return _hard(
                "numbers",
                f"The year {span} is stated about {self._prof()}'s work but none of their papers "
                "or profile dates says so: remove it.",
                span,
            )
        known = self._number_known(tok, strict) if tok.kind == "number" else self._term_known(tok.text, strict)
        if known:
            return self._focus_violation(tok, focus, span) if strict else None
        if tok.kind != "number" and self.ev.other.has(tok.text):
            return _hard(
                "attribution",
                f"{span!r} comes from another professor's paper, not {self._prof()}'s: "
                "remove it or attribute it correctly.",
                span,
            )
        where = "their titles, abstracts or profile" if strict else "their papers or the CV"
        what = "number" if tok.kind == "number" else "name"
        return Violation(
            check="numbers",
            severity="hard",
            span=span,
            message=f"The {what} {span!r} is stated about {self._prof()}'s work but appears nowhere in "
            f"{where}: remove it or use what the cited abstract says.",
        )

    def _prof(self) -> str:
        return self.ctx.professor.name

    def _number_values(self, tok: _Token) -> list[float]:
        return [float(v.replace(",", "")) for v in re.findall(r"\d+(?:[.,]\d+)*", tok.text) if v.replace(",", "")]

    def _number_known(self, tok: _Token, strict: bool) -> bool:
        pool = self.ev.prof.numbers if strict else self.ev.prof.numbers | self.ev.cv.numbers
        return all(v in pool for v in self._number_values(tok))

    def _term_known(self, term: str, strict: bool) -> bool:
        return self.ev.known_to_professor(term) if strict else self.ev.known_anywhere(term)

    def _focus_violation(self, tok: _Token, focus: list[str], span: str) -> Violation | None:
        """A figure that is theirs, but from another paper than the one the sentence names (or cites)."""
        if tok.kind == "weak":
            return None
        texts = [self.ev.paper_texts[i] for i in focus]
        if texts:
            if tok.kind == "number":
                if any(all(v in t.numbers for v in self._number_values(tok)) for t in texts):
                    return None
                return _hard(
                    "numbers",
                    f"{span} is not in the paper this sentence names "
                    f"({self.ev.papers[focus[0]].label()!r}); it comes from another of their "
                    "papers. Attach each figure to the paper that reports it.",
                    span,
                )
            if _is_generic(tok.text) or any(t.has(tok.text) for t in texts):
                return None
            return _soft(
                "numbers",
                f"{span!r} does not appear in the paper this sentence names "
                f"({self.ev.papers[focus[0]].label()!r}); check which paper it belongs to.",
                span,
            )
        if self.from_text or not self.cited or tok.kind != "number":
            return None
        cited_texts = [self.ev.paper_texts[i] for i in self.cited]
        if any(all(v in t.numbers for v in self._number_values(tok)) for t in cited_texts):
            return None
        if not any(all(v in t.numbers for v in self._number_values(tok)) for t in self.ev.paper_texts.values()):
            return None  # profile figures (award years, counts) are not paper figures
        return _soft("numbers", f"{span} comes from one of their papers that the draft does not cite: cite it.", span)

    # ---- 4. attribution

    def check_attribution(self) -> list[Violation]:
        out = []
        for m in self.mentions:
            allow = m.kind == "run"
            if self.ev.title_of(m.text, allow):
                continue
            other = self.ev.other_title_of(m.text, allow)
            if not other or (m.sentence and _OTHERS_ATTRIBUTION_RE.search(m.sentence.text)):
                continue
            if m.owner == "student" and self._student_publication(m):
                continue
            out.append(
                _hard(
                    "attribution",
                    f"{m.text!r} is {other[0]}'s paper, presented as {self._prof()}'s work: "
                    "remove it or name its real authors.",
                    self._span(m.field, m.start, m.end),
                )
            )
        out += self._copied_from_others()
        return out

    def _copied_from_others(self) -> list[Violation]:
        others = _Foreign(
            _ngram_owners(self.ev.all_abstracts, ATTRIBUTION_RUN_WORDS),
            frozenset(self.ev.papers),
            self.ev.prof.norm,
        )
        out = []
        for s in self.sentences:
            if s.part != "body" or s.about == "student":
                continue
            words = _words_with_offsets(s.text)
            for a, b in _verbatim_runs([w for w, _, _ in words], others, ATTRIBUTION_RUN_WORDS):
                span = s.text[words[a][1] : words[b - 1][2]]
                foreign = [w for w in _content_words(_norm(span)) if not self.ev.prof.has(w)]
                if len(foreign) < ATTRIBUTION_FOREIGN_WORDS:
                    continue  # field boilerplate that happens to match someone else's abstract
                out.append(
                    _hard(
                        "attribution",
                        f"{span!r} is copied from another professor's abstract, not "
                        f"{self._prof()}'s: describe their own work.",
                        span,
                    )
                )
        return out

    # ---- 5. student claims

    def check_student_claims(self) -> list[Violation]:
        if not self.ev.has_cv:
            return []  # no CV: nothing about the student can be verified; the check is kept and passes
        out = self._draft_claim_violations()
        for s in self.sentences:
            if s.part == "signature" or (s.part == "body" and s.about in ("student", "mixed")):
                out += self._sentence_claim_violations(s)
        for m in self.mentions:
            if m.owner == "student" and self._student_publication(m) and not self._cv_has_title(m.text):
                out.append(
                    _hard(
                        "student_claims",
                        f"The email claims the publication {m.text!r} for the student, "
                        "but the CV lists no such title: remove it.",
                        self._span(m.field, m.start, m.end),
                    )
                )
        return out

    def _sentence_claim_violations(self, s: _Sentence) -> list[Violation]:
        out: list[Violation] = []
        if s.part == "body" and _STUDENT_SUBJECT_RE.search(s.text):  # the specific claims first: clearer messages
            out += self._degree_claims(s) + self._affiliation_claims(s) + self._award_claims(s)
            out += self._skill_claims(s) + self._venue_claims(s)
        if s.about == "student" or s.part == "signature":
            out += self._unknown_student_tokens(s)
        return out

    def _unknown_student_tokens(self, s: _Sentence) -> list[Violation]:
        out = []
        for tok in self._tokens(s):
            if tok.kind in ("plain", "skip", "year") or (tok.kind == "number" and s.part == "signature"):
                continue
            if tok.kind == "weak" and (tok.initial or tok.quoted):
                continue
            known = self._number_known(tok, False) if tok.kind == "number" else self.ev.known_anywhere(tok.text)
            if not known:
                span = self._span(s.field, tok.start, tok.end)
                out.append(
                    _hard(
                        "student_claims",
                        f"{span!r} is stated about the student but is not in the CV: "
                        "remove it or add it to the CV if it is true.",
                        span,
                    )
                )
        return out

    def _claim(self, s: _Sentence, start: int, end: int, what: str) -> Violation:
        span = s.text[start:end]
        return _hard(
            "student_claims",
            f"The email claims {what} {span!r} for the student, but the CV does not "
            "show it: remove it or correct it to what the CV says.",
            span,
        )

    def _aspirational(self, text: str, at: int) -> bool:
        window = " ".join(text[:at].split()[-8:])
        return bool(_ASPIRATION_RE.search(window))

    def _degree_claims(self, s: _Sentence) -> list[Violation]:
        out = []
        for level, pattern in _DEGREE_RES.items():
            for m in pattern.finditer(s.text):
                if self._aspirational(s.text, m.start()) or _NOT_A_DEGREE_AFTER_RE.match(s.text[m.end() :]):
                    continue
                if not pattern.search(self.ev.cv_raw):
                    out.append(self._claim(s, m.start(), m.end(), f"a {level} degree"))
                    continue
                field = _DEGREE_FIELD_RE.match(s.text[m.end() :])
                if field and not self._cv_has_phrase(field.group("field")):
                    start = m.end() + field.start("field")
                    out.append(self._claim(s, start, start + len(field.group("field")), "the degree field"))
        return out

    def _affiliation_claims(self, s: _Sentence) -> list[Violation]:
        out = []
        for m in _AT_RUN_RE.finditer(s.text):
            run = re.sub(r"(?:\s+(?:of|for|and|&|de))+$", "", m.group("run")).rstrip(".")
            if self._inside_mention(s, m.start()) or self._aspirational(s.text, m.start()):
                continue
            if not _AFFILIATION_VERB_RE.search(" ".join(s.text[: m.start()].split()[-8:])):
                continue
            if not _content_words(_norm(run)) or all(_is_generic(w) for w in run.split()):
                continue
            allowed = self.ev.cv.has(run) or self.ev.cv.has_all_words(run)
            if s.about == "mixed" and not allowed:
                allowed = self.ev.prof.has(run)
            if not allowed:
                start = m.start("run")
                out.append(self._claim(s, start, start + len(run), "the affiliation"))
        return out

    def _inside_mention(self, s: _Sentence, offset: int) -> bool:
        at = s.start + offset
        return any(m.field == s.field and m.start <= at < m.end for m in self.mentions)

    def _award_claims(self, s: _Sentence) -> list[Violation]:
        out = []
        for pattern in _AWARD_CLAIM_RES:
            for m in pattern.finditer(s.text):
                award = m.group("award")
                words = [w for w in _content_words(_norm(award)) if w not in _AWARD_FILLER]
                if self._aspirational(s.text, m.start("award")) and not re.search(r"\b(?:won|received)\b", m.group()):
                    continue
                if words and not all(self.ev.cv.has(w) for w in words):
                    out.append(self._claim(s, m.start("award"), m.end("award"), "the award"))
        return out

    def _skill_claims(self, s: _Sentence) -> list[Violation]:
        out = []
        for m in _SKILL_CUE_RE.finditer(s.text):
            if not _STUDENT_SUBJECT_RE.search(s.text[: m.start()] + " " + m.group()):
                continue
            listing = _SKILL_LIST_END_RE.sub("", m.group("list"))
            offset = m.start("list")
            for item in _SKILL_SPLIT_RE.split(listing):
                item = _SKILL_LEAD_RE.sub("", item.strip()).strip()
                if not item or _PROF_PRONOUN_RE.search(item) or self._skill_known(item):
                    continue
                start = s.text.find(item, offset)
                if start >= 0:
                    out.append(self._claim(s, start, start + len(item), "experience with"))
        return out

    def _skill_known(self, item: str) -> bool:
        words = [w.strip("()[]{},.;:!?\"'“”‘’") for w in item.split()]
        named = [w for w in words if w and _classify_token(w) in ("strong", "weak")]
        if named:
            return all(_is_generic(t) or self.ev.cv.has(t) for t in named)
        return self.ev.cv.has(item) or self.ev.cv.has_any_word(item) or not _content_words(_norm(item))

    def _venue_claims(self, s: _Sentence) -> list[Violation]:
        if not _PUBLICATION_CUE_RE.search(s.text):
            return []
        out = []
        for m in _VENUE_CLAIM_RE.finditer(s.text):
            venue = m.group("venue")
            if not _is_generic(venue) and not self._cv_has_phrase(venue):
                out.append(self._claim(s, m.start("venue"), m.end("venue"), "a publication venue"))
        return out

    def _cv_has_phrase(self, phrase: str) -> bool:
        return self.ev.cv.has(phrase) or self.ev.cv.has_all_words(phrase)

    def _cv_has_title(self, title: str) -> bool:
        n = _norm(title)
        if f" {n} " in self.ev.cv.norm:
            return True
        if fuzz.partial_ratio(n, self.ev.cv.norm) < CV_MATCH_RATIO:
            return False
        return self.ev.cv.has_all_words(title)

    def _draft_claim_violations(self) -> list[Violation]:
        out = []
        for claim in self.draft.student_claims:
            n = _norm(claim.cv_item)
            if n and (f" {n} " in self.ev.cv.norm or fuzz.partial_ratio(n, self.ev.cv.norm) >= CV_MATCH_RATIO):
                continue
            out.append(
                _hard(
                    "student_claims",
                    f"The claim {claim.claim!r} is said to rest on the CV text "
                    f"{claim.cv_item!r}, which the CV does not contain: remove the claim.",
                    self._in_body(claim.claim),
                )
            )
        return out

    # ---- 6. copying

    def check_copying(self) -> list[Violation]:
        return self._copied_abstracts() + self._batch_similarity()

    def _copied_abstracts(self) -> list[Violation]:
        reference = _ngram_owners(self.ev.all_abstracts, COPY_SOFT_WORDS)
        words = _words_with_offsets(self.draft.body)
        out = []
        for a, b in _verbatim_runs([w for w, _, _ in words], reference, COPY_SOFT_WORDS):
            span = self.draft.body[words[a][1] : words[b - 1][2]]
            length = b - a
            severity: Severity = "hard" if length >= COPY_HARD_WORDS else "soft"
            out.append(
                Violation(
                    check="copying",
                    severity=severity,
                    span=span,
                    message=f"{length} consecutive words are copied verbatim from an abstract "
                    f"(soft from {COPY_SOFT_WORDS}, hard from {COPY_HARD_WORDS}): say it in "
                    "your own words.",
                )
            )
        return out

    def _batch_similarity(self) -> list[Violation]:
        out = []
        mine = _shingles(self.draft.body)
        words = _words_with_offsets(self.draft.body)
        for i, other in enumerate(self.ctx.other_drafts):
            score = draft_similarity(self.draft.body, other)
            if score < BATCH_SIMILARITY:
                continue
            runs = _verbatim_runs([w for w, _, _ in words], mine & _shingles(other), SHINGLE_WORDS)
            a, b = max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)
            span = self.draft.body[words[a][1] : words[b - 1][2]] if b > a else None
            out.append(
                _soft(
                    "copying",
                    f"This draft is {score:.0%} similar to draft #{i + 1} of the batch "
                    f"(threshold {BATCH_SIMILARITY:.0%}): personalise it.",
                    span,
                )
            )
        return out

    # ---- 7. injection

    def check_injection(self) -> list[Violation]:
        out: list[Violation] = []
        for field in ("subject", "body"):
            text = self._text(field)
            out += self._instruction_violations(text)
            out += self._link_violations(field, text)
        out += self._payload_violations()
        return out

    def _instruction_violations(self, text: str) -> list[Violation]:
        out = []
        for m in _OUTPUT_INSTRUCTION_RE.finditer(text):
            phrase = m.group().strip()
            if phrase and not self.ev.abstracts.has(phrase):
                out.append(
                    _hard(
                        "injection",
                        f"{phrase!r} is an instruction or model meta-text, not part of an "
                        "email: remove it (the drafting model may have obeyed text hidden in "
                        "its inputs).",
                        phrase,
                    )
                )
        return out

    def _link_violations(self, field: Field_, text: str) -> list[Violation]:
        if not self.masks[field]:
            return []
        injected = "\n".join(self.ev.injected).lower()
        out = []
        for m in _EMAIL_RE.finditer(text):
            if m.group().lower() not in self.ev.allowed_emails:
                out.append(self._link_violation(field, m, "email address", injected))
        emails = [m.span() for m in _EMAIL_RE.finditer(text)]
        for m in _URL_RE.finditer(text):
            inside_email = any(a <= m.start() < b for a, b in emails)
            if not inside_email and _canonical_url(m.group()) not in self.ev.allowed_urls:
                out.append(self._link_violation(field, m, "link", injected))
        return out

    def _link_violation(self, field: Field_, m: re.Match[str], what: str, injected: str) -> Violation:
        span = m.group().rstrip(".,;:!?)")
        if _canonical_url(span) in injected or span.lower() in injected:
            return _hard(
                "injection", f"The {what} {span!r} comes from an instruction hidden in the CV: remove it.", span
            )
        sentence = self._sentence_at(field, m.start())
        in_signature = sentence is not None and sentence.part == "signature"
        if in_signature and not self.ev.has_cv:
            return _soft("injection", f"The {what} {span!r} cannot be checked without a CV.", span)
        return _hard(
            "injection",
            f"The {what} {span!r} appears in no source abstract, paper link, profile or CV: remove it.",
            span,
        )

    def _payload_violations(self) -> list[Violation]:
        """Named things that only an instruction hidden in the CV mentions."""
        payload: set[str] = set()
        for segment in self.ev.injected:
            for m in _TOKEN_RE.finditer(segment):
                word = m.group()
                if _classify_token(word) not in ("strong", "weak") or _norm(word) in _INSTRUCTION_WORDS:
                    continue
                if not self.ev.known_anywhere(word):
                    payload.add(_norm(word))
        if not payload:
            return []
        out = []
        for s in self.sentences:
            for tok in self._tokens(s):
                if _norm(tok.text) in payload:
                    span = self._span(s.field, tok.start, tok.end)
                    out.append(
                        _hard(
                            "injection",
                            f"{span!r} comes only from an instruction hidden in the CV: the "
                            "draft obeyed it; remove the claim.",
                            span,
                        )
                    )
        return out

    # ---- 8. form

    def check_form(self) -> list[Violation]:
        out: list[Violation] = []
        subject = self.draft.subject.strip()
        if not subject:
            out.append(_hard("form", "The email has no subject: add a short, specific one."))
        elif len(subject.split()) > LONG_SUBJECT_WORDS:
            out.append(
                _soft(
                    "form",
                    f"The subject has {len(subject.split())} words: keep it under {LONG_SUBJECT_WORDS}.",
                    subject,
                )
            )
        out += self._salutation_violations() + self._person_mentions() + self._placeholders() + self._length()
        return out

    def _salutation_violations(self) -> list[Violation]:
        line = next((s for s in self.sentences if s.part == "salutation"), None)
        if line is None:
            return [_soft("form", f"No salutation: open with 'Dear Professor {self._surname_display()},'.")]
        m = _GREETING_RE.match(line.text)
        rest = m.group("rest") if m else ""
        words = [(w.group(), _norm(w.group())) for w in re.finditer(r"[^\W\d_][\w'’.-]*", rest)]
        names = [(raw, n) for raw, n in words if n and n.replace(" ", "") not in _HONORIFICS | _STOPWORDS]
        generic = any(n in _GENERIC_ADDRESSEES for _, n in words)
        if not names or generic:
            return [
                _soft(
                    "form",
                    f"The salutation does not name the professor: write 'Dear Professor {self._surname_display()},'.",
                    line.text,
                )
            ]
        wrong = [raw for raw, n in names if n not in self.ev.name_tokens]
        if wrong:
            return [
                _hard(
                    "form",
                    f"The salutation names {wrong[0]!r}, but the professor is {self.ctx.professor.name}: fix the name.",
                    wrong[0],
                )
            ]
        return []

    def _surname_display(self) -> str:
        parts = self.ctx.professor.name.split()
        return parts[-1] if parts else self.ctx.professor.name

    def _person_mentions(self) -> list[Violation]:
        """ "Professor X" in the body where X is another professor of the batch: a mixed-up mail merge.

        Other unknown names are left to the numbers and student_claims checks (a former advisor is fine if the
        CV names them)."""
        out = []
        for s in self.sentences:
            if s.part not in ("body", "subject"):
                continue
            for m in _PERSON_MENTION_RE.finditer(s.text):
                name = m.group(1)
                tokens = set(_norm(name).split())
                if tokens & self.ev.name_tokens:
                    continue
                other = next((o for o in self.ev.other_names if tokens & set(_norm(o).split())), None)
                if other:
                    out.append(
                        _hard(
                            "form",
                            f"The email names {name!r} ({other}, another professor of the batch); this email is "
                            f"to {self.ctx.professor.name}: fix the name.",
                            name,
                        )
                    )
        return out

    def _placeholders(self) -> list[Violation]:
        return [
            _hard("form", f"Unfilled placeholder {m.group()!r}: replace it with the real text.", m.group())
            for text in (self.draft.subject, self.draft.body)
            for m in _PLACEHOLDER_RE.finditer(text)
        ]

    def _length(self) -> list[Violation]:
        n = len(self.draft.body.split())
        if n < self.ctx.min_words:
            return [_soft("form", f"The body has {n} words; aim for {self.ctx.min_words}-{self.ctx.max_words}.")]
        if n > self.ctx.max_words:
            return [_soft("form", f"The body has {n} words; cut it to at most {self.ctx.max_words}.")]
        return []


# ---------------------------------------------------------------- results


def _hard(check: str, message: str, span: str | None = None) -> Violation:
    return Violation(check=check, severity="hard", message=message, span=span or None)


def _soft(check: str, message: str, span: str | None = None) -> Violation:
    return Violation(check=check, severity="soft", message=message, span=span or None)


def _result(name: str, found: list[Violation]) -> CheckResult:
    """The report entry for one check, from every violation found under its name.

    Two violations of the same check on the same span are one problem: the first (most specific) is kept."""
    kept: dict[tuple[str, str | None], Violation] = {}
    for v in found:
        if v.check == name:
            kept.setdefault((v.severity, v.span or v.message), v)
    unique = list(kept.values())
    severity: Severity = "hard" if any(v.severity == "hard" for v in unique) else _NOMINAL_SEVERITY[name]
    if unique and severity != "hard":
        severity = "soft"
    return CheckResult(check=name, passed=not unique, severity=severity, violations=unique)
