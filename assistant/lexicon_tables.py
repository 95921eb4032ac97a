"""lemminflect's two lookup tables read on demand: the same entries, parsed only for the words asked about.

lemminflect reads each table whole on first use, a gzip file line by line into a dict of every word (80,000
lemma lines and 40,000 inflection lines): 0.45 s and 0.2 s of CPU, most of a cold offline draft's lexicon cost,
for the few dozen words a draft looks up. A `LazyTable` takes the library's place in its (singleton) lemmatizer
and inflector: it decompresses the same file (10 ms), indexes its lines by word, and parses a word's lines with
the library's own codec, merged in file order as the library's loader merges them, the first time the word is
asked for. Every other step of a lookup (overrides, capitalisation, out-of-vocabulary rules) stays the library's.

A lemminflect that no longer keeps its tables in these attributes simply loads its own: slower, never different.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Entry = dict[str, tuple[str, ...]]


class LazyTable:
    """word -> {tag: spellings}, as the library's loader would build it, answered one word at a time. Only what
    the library asks of its table is offered (`get`), so a future use of another dict method fails loudly
    instead of seeing a partial table."""

    def __init__(self, path: str, parse: Callable[[str], Entry], fixed: dict[str, Entry] | None = None) -> None:
        self._path = path
        self._parse = parse
        self._fixed = fixed or {}  # entries the loader sets after reading the file, replacing what it read
        self._entries: dict[str, Entry | None] = {}
        self._lines: list[str] = []
        self._order: list[int] = []  # line numbers, by word
        self._keys: list[str] = []  # the words of those lines

    def get(self, word: str, default: Any = None) -> Any:
        if word in self._fixed:
            return self._fixed[word]
        if word not in self._entries:
            self._entries[word] = self._read(word)
        found = self._entries[word]
        return default if found is None else found

    def _read(self, word: str) -> Entry | None:
        self._index()
        lo, hi = bisect_left(self._keys, word), bisect_right(self._keys, word)
        if lo == hi:
            return None
        entry: Entry = {}
        for i in self._order[lo:hi]:
            entry.update(self._parse(self._lines[i]))
        return entry

    def _index(self) -> None:
        """The lines, and their words sorted (stably, so a word's lines stay in file order; the library's file is
        sorted already, which timsort sees in one pass)."""
        if self._lines:
            return
        with open(self._path, "rb") as f:
            text = gzip.decompress(f.read()).decode()
        # Split on "\n" only, as the loader's readline does (str.splitlines also splits on \x0c, \x85...).
        self._lines = text.split("\n")
        if not self._lines[-1]:
            self._lines.pop()
        words = [line.strip().partition(",")[0] for line in self._lines]  # the codecs' first field
        self._order = sorted(range(len(words)), key=words.__getitem__)
        self._keys = [words[i] for i in self._order]


def lemma_entry(line: str) -> Entry:
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
    from lemminflect.core.LexicalUtils import categoryToUPos

    _, category, forms = LemmaLUCodec.fromString(line)
    return {categoryToUPos(category): forms}


def inflection_entry(line: str) -> Entry:
    from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec

    return dict(InflectionLUCodec.fromString(line)[2])


@lru_cache(maxsize=1)
def install() -> None:
    """Give lemminflect's lemmatizer and inflector lazy tables, unless they have loaded theirs already."""
    from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer, inflector = Lemmatizer(), Inflections()
    if not hasattr(lemmatizer, "lemma_dict"):
        lemmatizer.lemma_dict = LazyTable(lemmatizer.lemma_lu_fn, lemma_entry)
    if not hasattr(inflector, "infl_dict"):
        fixed = InflectionLUCodec.updateForAuxMod({})
        inflector.infl_dict = LazyTable(inflector.infl_lu_fn, inflection_entry, fixed)
