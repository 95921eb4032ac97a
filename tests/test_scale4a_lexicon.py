"""lemminflect's tables read on demand (assistant/lexicon_tables.py) give every word the entry the library's own
loader gives it, so the lexicon's answers cannot change."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
from lemminflect.core.Inflections import Inflections
from lemminflect.core.Lemmatizer import Lemmatizer

from assistant import lexicon
from assistant.lexicon_tables import Entry, LazyTable, inflection_entry, install, lemma_entry


@pytest.mark.parametrize(
    ("path", "load", "parse", "fixed"),
    [
        (Lemmatizer().lemma_lu_fn, LemmaLUCodec.load, lemma_entry, None),
        (
            Inflections().infl_lu_fn,
            InflectionLUCodec.load,
            inflection_entry,
            InflectionLUCodec.updateForAuxMod({}),
        ),
    ],
    ids=["lemmas", "inflections"],
)
def test_every_word_gets_the_loaders_entry(
    path: str, load: Callable[[str], dict[str, Entry]], parse: Callable[[str], Entry], fixed: dict[str, Entry] | None
) -> None:
    loaded = load(path)
    table = LazyTable(path, parse, fixed)
    assert {word: table.get(word) for word in loaded} == loaded
    assert table.get("qzxv-not-a-word", {}) == {}


def test_a_word_on_lines_apart_is_merged_in_file_order(tmp_path: Path) -> None:
    """The library's file is sorted; a table that is not still answers as the loader would."""
    lines = "tests,verb,test\nzebra,noun,zebra\ntests,noun,test\n"
    path = tmp_path / "lemma_lu.csv.gz"
    path.write_bytes(gzip.compress(lines.encode()))
    table = LazyTable(str(path), lemma_entry)
    assert table.get("tests") == LemmaLUCodec.load(str(path))["tests"] == {"VERB": ("test",), "NOUN": ("test",)}
    assert table.get("zebra") == {"NOUN": ("zebra",)}


def test_the_library_answers_from_lazy_tables() -> None:
    install()
    assert lexicon.verb_lemma("proposes") == "propose"
    assert lexicon.inflect("study", "VBD") == "studied"
    assert lexicon.inflect("be", "VBZ") == "is"  # one of the entries the loader fixes after reading
    assert lexicon.misinflected("exploreed") == "explored"
    assert lexicon.is_adverb("efficiently")
