"""An abstract's sentence retold to its author: "We show that X" becomes "you showed that X".

Only a sentence whose grammar is understood is rewritten: an optional lead-in ("In this paper,"), a subject that
is the authors ("we", "this paper", "our results"), optional adverbs, a present-tense contribution verb, and a
rest in which every first-person plural can be mapped (we/our/us -> you/your/you). The main verb, and verbs
coordinated with it, move to the past (lemminflect, not a word table); everything else keeps the abstract's
words, so no figure or name changes. Anything else - a modal, a quotation, LaTeX, a citation, a "we" that is
not the authors' - returns None, and the caller picks another sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.text import STOPWORDS

# What a contribution verb says, by lemma: findings are the best thing to tell an author you read.
FINDING = frozenset(
    "show prove demonstrate find reveal establish observe discover confirm uncover highlight outperform".split()
)
PROPOSAL = frozenset(
    """propose introduce present develop design derive formulate build construct create release provide obtain
    devise achieve""".split()
)
STUDY = frozenset(
    """study investigate analyze analyse examine explore characterize characterise address tackle consider
    evaluate compare describe discuss extend identify argue quantify measure report""".split()
)
CONTRIBUTION_VERBS = FINDING | PROPOSAL | STUDY

_LEAD_RE = re.compile(
    r"^(?:(?:in this (?:paper|work|study|article|note|letter|report)|here(?:in)?|to this end|specifically|"
    r"in particular|finally|moreover|furthermore|additionally|in addition|overall|concretely|first(?:ly)?|"
    r"second(?:ly)?|third(?:ly)?|next|instead|therefore|thus|hence|consequently|as a result|in contrast|"
    r"to (?:address|tackle|solve|overcome|fill|bridge|close) (?:this|these|that|those|the|such) (?:[a-z-]+ ){0,2}"
    r"[a-z-]+|motivated by (?:this|these|that) [a-z-]+|building on (?:this|these|that) [a-z-]+)\s*,?\s+)+",
    re.IGNORECASE,
)
_SUBJECT_RE = re.compile(
    r"^(?P<subject>we|this (?:paper|work|study|article|note)|our (?:results|experiments|analysis|analyses|"
    r"findings|evaluation|evaluations|experimental results|work|study|empirical results|(?:proposed )?(?:approach|"
    r"method|model|framework|system|algorithm)))\s+",
    re.IGNORECASE,
)
_PLURAL_SUBJECTS = frozenset({"results", "experiments", "analyses", "findings", "evaluations"})
_UNSAFE_RE = re.compile(
    r"[$\\\[\]{}\"“”‘|<>]|(?<![A-Za-z])'|'(?![A-Za-z])|https?:|www\.|@|\bet al\b|\b(?:Fig|Figs|Figure|Table|"
    r"Section|Sec|Eq|Appendix|Theorem|Lemma)\b",
    re.IGNORECASE,
)
# Words whose referent changes once the sentence is addressed to its author ("this paper" inside "In “T”,
# you showed ... this paper"), or that already address someone.
_DEICTIC_RE = re.compile(
    r"\b(?:I|me|my|[Yy]ou|[Yy]our|[Yy]ours)\b|\b[Tt]his (?:paper|work|article|study)\b"
    r"|\b(?:these|those|aforementioned|former|latter)\b|\bsuch\b(?!\s+as\b)",
    re.IGNORECASE,
)
# Adverbs that tie a sentence to the one before it ("we also show"): dropped, since the sentence now stands alone.
_DISCOURSE_ADVERBS = frozenset(
    "also further then additionally finally next first now furthermore moreover lastly".split()
)
_ADVERB_LEAD_RE = re.compile(r"^([A-Z][a-z]+ly),\s+")
_MODALS = frozenset("can could may might must shall should will would".split())
_PRONOUNS = {"we": "you", "our": "your", "us": "you", "ours": "yours", "ourselves": "yourselves"}
# Words that open the object of a verb: after "and", a word that can be a noun or a verb is read as a verb only
# when one of these follows it ("and show that", "and evaluate it"), so "a dataset and benchmark for X" stays.
_OBJECT_OPENERS = frozenset(
    "that how whether why what when which a an the its it them this these those their your several two three "
    "both new".split()
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")
# A pronoun met before any noun of the sentence's own stands for something in a sentence left behind.
_BACK_PRONOUNS = frozenset("it its they them their".split())


@dataclass(frozen=True)
class Retold:
    text: str  # "you showed that ...", no final full stop
    verb: str  # the contribution verb's lemma


def retell(sentence: str) -> Retold | None:
    """The sentence in the second person and the past, or None when it cannot be rewritten safely."""
    text = _standalone(sentence)
    subject = _SUBJECT_RE.match(text) if text is not None else None
    if text is None or not subject:
        return None
    head = subject.group("subject").lower()
    tag = "VBP" if head == "we" or head.split()[-1] in _PLURAL_SUBJECTS else "VBZ"
    rest = text[subject.end() :]
    if _DEICTIC_RE.search(rest):
        return None
    words = list(_WORD_RE.finditer(rest))
    found = _past_changes(rest, words, tag)
    if found is None:
        return None
    changes, lemma = found
    new_subject = "you" if head == "we" or head.startswith("this ") else "your " + head.split(" ", 1)[1]
    return Retold(f"{new_subject} {_apply(rest, words, changes)}", lemma)


def _standalone(sentence: str) -> str | None:
    """The sentence without its final full stop, its lead-in ("However, ...") and a leading adverb; None when it is
    not a whole, safe, balanced sentence."""
    text = sentence.strip()
    if not text.endswith(".") or text.endswith("..") or _UNSAFE_RE.search(text) or not _balanced(text):
        return None
    text = _LEAD_RE.sub("", text[:-1].strip())
    adverb = _ADVERB_LEAD_RE.match(text)
    if adverb and lexicon.is_adverb(adverb.group(1)):
        text = text[adverb.end() :]
    return text


def _past_changes(rest: str, words: list[re.Match[str]], tag: str) -> tuple[dict[int, str], str] | None:
    """The word replacements that put the sentence's main (contribution) verb and what follows into the past and
    the second person, with the verb's lemma; None when it cannot be done safely."""
    found = _main_verb(rest, words, tag)
    if found is None:
        return None
    at, lemma, perfect = found
    past = lexicon.inflect(lemma, "VBD")
    if past is None or lemma not in CONTRIBUTION_VERBS or len(words) - at < 4 or _refers_back(words[at + 1 :]):
        return None
    changes = _rest_changes(words, at + 1, tag)
    if changes is None:
        return None
    changes[at] = past
    if perfect:
        changes[at - 1] = ""  # "have shown" -> "showed"
    changes.update({i: "" for i in range(at) if words[i].group().lower() in _DISCOURSE_ADVERBS})
    return changes, lemma


def plain_statement(sentence: str) -> bool:
    """A sentence that can be reported as it stands ("... opens with the observation that <it>"): a full stop,
    nothing unsafe, no first or second person, no reference back, no lead-in ("However, ...")."""
    text = sentence.strip()
    first_word = text.split(" ", 1)[0]
    return (
        text.endswith(".")
        and first_word[:1].isupper()
        and not first_word.endswith(",")
        and not _LEAD_RE.match(text)
        and not _UNSAFE_RE.search(text)
        and not _DEICTIC_RE.search(text)
        and not re.search(r"\b(?:we|our|us)\b", text, re.IGNORECASE)
        and _balanced(text)
    )


def _main_verb(rest: str, words: list[re.Match[str]], tag: str) -> tuple[int, str, bool] | None:
    """(word index, lemma, after "have") of the main verb: adverbs may stand before it, and "have shown"
    counts as a present form. Only spaces may separate the words up to it."""
    i = 0
    while i < len(words) and (words[i].group().lower() in _DISCOURSE_ADVERBS or lexicon.is_adverb(words[i].group())):
        i += 1
    if i + 1 >= len(words) or rest[: words[i].start()].strip(" ") != " ".join(w.group() for w in words[:i]):
        return None
    word = words[i].group().lower()
    if word in ("have", "has"):
        following = words[i + 1].group().lower()
        lemma = lexicon.verb_lemma(following)
        if lemma and lexicon.inflect(lemma, "VBN") == following:
            return i + 1, lemma, True
        return None
    lemma = lexicon.verb_lemma(word)
    if lemma is None or not lexicon.is_verb_form(word, tag):
        return None
    return i, lemma, False


def _refers_back(words: list[re.Match[str]]) -> bool:
    """ "(we observe) that, as a side-effect, it worsens ...": "it" comes before anything it could stand for."""
    for m in words:
        low = m.group().lower()
        if low in _BACK_PRONOUNS:
            return True
        if low not in STOPWORDS and lexicon.can_be_noun(low):
            return False
    return False


def _rest_changes(words: list[re.Match[str]], start: int, tag: str) -> dict[int, str] | None:
    """Word index -> replacement after the main verb: first-person plurals mapped, the verbs of "we" and verbs
    coordinated with the main one in the past; None when a "we" cannot be read."""
    changes: dict[int, str] = {}
    for i in range(start, len(words)):
        word, low = words[i].group(), words[i].group().lower()
        before = words[i - 1].group().lower()
        if low in _PRONOUNS:
            changes[i] = _PRONOUNS[low]
        elif before == "we":
            if low in _MODALS:
                return None  # "we can show": what is possible, not what was done
            past = _past_of(word, "VBP")
            if past is None:
                return None
            changes[i] = past
        elif before in ("and", "then") and i - 1 >= start and _coordinated_verb(words, i, tag):
            changes[i] = _past_of(word, tag) or word
    return changes


def _coordinated_verb(words: list[re.Match[str]], i: int, tag: str) -> bool:
    word = words[i].group()
    if not lexicon.is_verb_form(word, tag):
        return False
    following = words[i + 1].group().lower() if i + 1 < len(words) else ""
    return not lexicon.can_be_noun(word) or following in _OBJECT_OPENERS


def _past_of(word: str, tag: str) -> str | None:
    lemma = lexicon.verb_lemma(word)
    if lemma is None or not lexicon.is_verb_form(word, tag):
        return None
    return lexicon.inflect(lemma, "VBD")


def _apply(text: str, words: list[re.Match[str]], changes: dict[int, str]) -> str:
    """`text` with the changed words replaced (a word replaced by "" is removed with the space after it)."""
    out, pos = [], words[0].start() if words else 0
    for i, m in enumerate(words):
        if i not in changes:
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
        if changes[i]:
            out.append(changes[i])
        else:
            pos = len(text) if pos >= len(text) else pos + (text[pos] == " ")
    out.append(text[pos:])
    return "".join(out)


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
