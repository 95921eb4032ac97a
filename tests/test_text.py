"""The shared text helpers: tokens, search terms, sentences, numbers, links, names and lists."""

from __future__ import annotations

import unicodedata
from itertools import pairwise

import pytest

from assistant.text import (
    EMAIL_RE,
    URL_RE,
    join_english,
    numbers_in,
    sentence_spans,
    sentences,
    surname,
    tokenize,
    tokens,
    words,
)


@pytest.mark.parametrize("name", ["Kovač", "Müller", "Łukasz", "Nguyễn", "Nguyễn Thị Minh Khai", "O'Connor"])
def test_a_name_with_any_letters_is_one_word_per_part(name: str) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    assert tokens(f"Best, {name}") == ["Best", *name.split()]
    assert words(decomposed) == decomposed.replace("'", " ").split()


def test_tokens_keep_figures_and_named_things_whole() -> None:
    text = "We used 100,000 images (1,2) with Llama3.2-1B, gaining 30%-40% and 2.8% over 1,000,000."
    assert tokens(text) == [
        "We",
        "used",
        "100,000",
        "images",
        "1",
        "2",
        "with",
        "Llama3.2-1B",
        "gaining",
        "30%-40%",
        "and",
        "2.8%",
        "over",
        "1,000,000",
    ]


def test_numbers_in_reads_thousands_ranges_and_decimals() -> None:
    assert numbers_in("100,000 images") == {100000.0}
    assert numbers_in("30%-40% of 1.5x") == {30.0, 40.0, 1.5}
    assert numbers_in("version 1.2.3") == {1.2, 3.0}  # not one number, and no error
    assert numbers_in("1,2 and 3") == {1.0, 2.0, 3.0}  # a comma between short numbers is a list


def test_search_terms_are_folded_stemmed_and_keep_the_words_the_match_score_was_measured_with() -> None:
    assert tokenize("Müller's datasets: using 100,000 images, without labels, towards training") == [
        "muller",
        "dataset",
        "100",
        "000",
        "image",
        "without",
        "label",
        "toward",
        "train",
    ]
    assert tokenize("The proposed method shows new results in this paper") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use coresets, e.g. CRAIG. They work.", ["We use coresets, e.g. CRAIG.", "They work."]),
        ("As Cohen-Karlik et al. [2020] proved, it fails.", ["As Cohen-Karlik et al. [2020] proved, it fails."]),
        ("I work with Prof. Lena Ortiz and M. Chen. We met.", ["I work with Prof. Lena Ortiz and M. Chen.", "We met."]),
        ('She said "It works." Then it did!? Yes.', ['She said "It works."', "Then it did!?", "Yes."]),
        ("It scales to 2024. 5 models agree. and so on.", ["It scales to 2024.", "5 models agree. and so on."]),
        ("I am an M.S. student. I apply.", ["I am an M.S. student.", "I apply."]),
    ],
)
def test_sentences_end_at_a_full_stop_before_a_capital_but_not_after_abbreviations(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


def test_sentence_spans_cover_the_text_without_gaps() -> None:
    text = "Intro line. Second one here! Third? Fourth e.g. fifth."
    spans = sentence_spans(text, 6, len(text))
    assert spans[0][0] == 6 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(spans))
    assert [text[a:b].strip() for a, b in spans] == ["line.", "Second one here!", "Third?", "Fourth e.g. fifth."]


def test_email_and_url_patterns() -> None:
    text = "Write to maya.chen@northbridge.edu. Code: https://github.com/maya/coresets, or maya-chen.dev."
    assert EMAIL_RE.findall(text) == ["maya.chen@northbridge.edu"]
    assert [m.group() for m in URL_RE.finditer(text)][:2] == ["northbridge.edu", "https://github.com/maya/coresets,"]
    assert "maya-chen.dev" in URL_RE.findall(text)


def test_join_english_and_surname() -> None:
    assert join_english([]) == ""
    assert join_english(["[1]"]) == "[1]"
    assert join_english(["a", "b"]) == join_english(["a", "b"], serial_comma=True) == "a and b"
    assert join_english(["a", "b", "c"]) == "a, b and c"
    assert join_english(["a", "b", "c"], serial_comma=True) == "a, b, and c"
    assert surname("Baharan Mirzasoleiman") == "Mirzasoleiman" and surname("Cher") == "Cher" and surname("") == ""
