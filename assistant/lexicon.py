"""English word forms from lemminflect's lexicon (derived from the NIH SPECIALIST lexicon): inflect a verb, and
tell a real inflection of a known word from a made-up one ("exploreed").

lemminflect is a well-kept, 0.8 MB package with no dependencies beyond numpy; its tables are read for the words asked
about (lexicon_tables.py), it is imported inside the functions that need it, and every lookup is cached.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

# Inflectional endings a made-up form is built with (longest first), and the forms they stand for.
_ENDINGS = (
    ("ing", ("VBG",)),
    ("ied", ("VBD",)),
    ("ies", ("VBZ", "NNS")),
    ("ed", ("VBD",)),
    ("es", ("VBZ", "NNS")),
    ("s", ("VBZ", "NNS")),
    ("d", ("VBD",)),
)


def _lemminflect() -> ModuleType:
    """The library, its tables read only for the words asked about (lexicon_tables.py: the same answers)."""
    import lemminflect

    from assistant.lexicon_tables import install

    install()
    return lemminflect


@lru_cache(maxsize=8192)
def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """{part of speech: lemmas} of a word form the lexicon knows ("shows" -> VERB/NOUN: show); {} otherwise."""
    return dict(_lemminflect().getAllLemmas(word.lower()))


def verb_lemma(word: str) -> str | None:
    found = lemmas(word).get("VERB") or lemmas(word).get("AUX")
    return found[0] if found else None


@lru_cache(maxsize=8192)
def inflect(lemma: str, tag: str) -> str | None:
    """The `tag` form (Penn tags: VBD past, VBZ third person, VBN participle...) of a lemma, or None."""
    forms = _lemminflect().getInflection(lemma, tag)
    return forms[0] if forms else None


def is_verb_form(word: str, tag: str) -> bool:
    """`word` is the `tag` form of some verb ("proposes" is VBZ of propose)."""
    lemma = verb_lemma(word)
    return lemma is not None and inflect(lemma, tag) == word.lower()


def can_be_noun(word: str) -> bool:
    return "NOUN" in lemmas(word) or "PROPN" in lemmas(word)


def is_adverb(word: str) -> bool:
    return set(lemmas(word)) == {"ADV"}


def is_known(word: str) -> bool:
    return bool(lemmas(word))


@lru_cache(maxsize=8192)
def misinflected(word: str) -> str | None:
    """The form meant when `word` is a known word with a wrong ending glued on ("exploreed" -> "explored",
    "studyed" -> "studied"); None for real forms and for words the lexicon does not know at all (technical
    terms such as "coresets" or "pretrained" are not flagged: nothing says they are wrong)."""
    low = word.lower()
    if not low.isalpha() or len(low) < 5 or is_known(low):
        return None
    lemminflect = _lemminflect()
    for ending, tags in _ENDINGS:
        stem = low[: -len(ending)]
        if not low.endswith(ending) or len(stem) < 3 or not is_known(stem):
            continue
        lemma_set = sorted({x for found in lemmas(stem).values() for x in found})
        forms = {f for lemma in lemma_set for fs in lemminflect.getAllInflections(lemma).values() for f in fs}
        if low in forms:
            return None  # a real form the lemma table does not list ("embeddings")
        meant = [f for lemma in lemma_set for tag in tags if (f := inflect(lemma, tag)) and f != low]
        if meant:
            return meant[0]
    return None
