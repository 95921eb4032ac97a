"""Quantities as an email or an abstract states them, each with its span: figures in digits (thousands
separators, decimals, ranges, percentages, units such as "350M", multipliers such as "3x"), figures in words
("eleven datasets", "twenty-five"), ratios in words ("twice", "halves", "three times", "tenfold", "an order of
magnitude") and years. `Stated` is what a text states, so a claimed quantity can be looked up in a paper.

Spelled "one" and "two" are left out as figures: in prose they are mostly determiners ("one of the", "the two
approaches"), not claims; as ratios ("two times") they count. A cardinal that counts the email's own material
("three of your papers", "two recent papers") is not a claim about the work either."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

QuantityKind = Literal["figure", "ratio", "year"]
Reading = tuple[float, int]  # (value, decimals as written)

_UNITS = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_UNIT = r"%|x|×|X|k|K|M|B|\s(?:thousand|million|billion)\b"
Bound = Literal["about", "over", "under", "round"]  # "round": a round figure with no word before it
# Words before a figure that make it a bound or an approximation ("more than 1,700" for 1,715): what they allow
# is `Stated.has`'s, from the figure's precision as written.
_BOUND_BEFORE_RE = re.compile(
    r"(?:(?P<about>\b(?:about|around|approximately|roughly|some|circa|almost|nearly|close\s+to)|~|≈)"
    r"|(?P<over>\b(?:more\s+than|over|above|upwards\s+of|in\s+excess\s+of|exceeding|at\s+least|beyond)|>|≥)"
    r"|(?P<under>\b(?:less\s+than|fewer\s+than|under|below|up\s+to|at\s+most|just\s+under)|<|≤))\s*(?:an?\s+)?$",
    re.IGNORECASE,
)
APPROXIMATION_SHARE = 0.1  # "about X" is within X's last written digit and within this share of X
_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
    "dozen": 12,
}  # fmt: skip
_DETERMINER_CARDINALS = frozenset({"one", "two"})
# Verbs only: the bare "double"/"triple" are mostly adjectives ("double-blind", "double descent").
_RATIO_WORDS = {
    "twice": 2, "doubles": 2, "doubled": 2, "doubling": 2, "halve": 2, "halves": 2, "halved": 2, "halving": 2,
    "triples": 3, "tripled": 3, "tripling": 3, "quadruples": 4, "quadrupled": 4,
}  # fmt: skip
_CARDINAL = "|".join(sorted(_CARDINALS, key=len, reverse=True))
_NUM = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SPELLED = rf"(?:{_CARDINAL})(?:[-\s](?:{_CARDINAL}))*"
# Digits glued to letters by a hyphen are part of a name ("ResNet-50", "GPT-4"); the lookbehind keeps them out.
_DIGITS_RE = re.compile(  # "3%/12%" is two figures; "3/12" is not (a share: _FRACTION_RE)
    rf"(?:(?<![\w.,%@/-])|(?<=%/))(?P<a>{_NUM})(?P<ua>{_UNIT})?"
    rf"(?:\s?(?:[-–]|to)\s?(?P<b>{_NUM})(?P<ub>{_UNIT})?)?(?![\w%×]|\.\d)"
)
_TIMES_RE = re.compile(rf"\b(?P<n>{_NUM}|{_SPELLED})(?:\s*[-\s]\s*(?:times|fold)\b|fold\b)", re.IGNORECASE)
_MAGNITUDE_RE = re.compile(
    rf"\b(?:(?P<one>an|one)|(?P<n>{_NUM}|{_SPELLED}))?\s*orders?\s+of\s+magnitude\b", re.IGNORECASE
)
_RATIO_WORD_RE = re.compile(rf"\b(?:{'|'.join(_RATIO_WORDS)})\b|\b(?:by|in)\s+half\b", re.IGNORECASE)
_SPELLED_RE = re.compile(rf"\b{_SPELLED}\b", re.IGNORECASE)
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                 "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}  # fmt: skip
_SMALL_NUMBER = rf"\d{{1,3}}|{_CARDINAL}"
# A share in words or as a fraction: "three quarters", "two-thirds", "seven out of ten", "one in five", "2/3",
# "half of the heads" (not "by half", a ratio).
_FRACTION_RE = re.compile(
    rf"\b(?P<p>{_SMALL_NUMBER})[-\s](?P<d>{'|'.join(_DENOMINATORS)})\b"
    rf"|\b(?P<p2>{_SMALL_NUMBER})\s+(?:out\s+of|in)\s+(?:every\s+)?(?P<q>{_SMALL_NUMBER})\b(?![-\s]+(?:times|fold)\b)"
    r"|(?<![\w./-])(?P<p3>\d)/(?P<q3>\d{1,2})(?![\w/]|\.\d)"
    r"|(?<!\bby\s)(?<!\bin\s)\b(?P<half>half)(?=\s+(?:of\s+)?(?:the|all|its|their|our|your|these|those)\b)",
    re.IGNORECASE,
)
_PERCENT_WORD_RE = re.compile(r"\s?(?:percent|per\s+cent)\b", re.IGNORECASE)
# "half a BLEU point", "half a million": 0.5 of what follows.
_HALF_A_RE = re.compile(r"\bhalf\s+an?\b(?:\s+(?P<unit>thousand|million|billion)\b)?", re.IGNORECASE)
FRACTION_TOLERANCE = 5.0  # percentage points: "two thirds" is any share from 61.7% to 71.7%
# What ends a "twice" that counts occasions: the clause, or when and where it happened.
_OCCASIONS_AFTER_RE = re.compile(
    r"\s*(?:[.,;:!?)]|$|(?:in|at|during|before|after|since|so\s+far|already|now|this|last|a\s+(?:year|week|month|day)|over\s+the\s+(?:last|past))\b)",
    re.IGNORECASE,
)
_NOUN_BEFORE_RE = re.compile(rf"\b(?:the|both|these|those|its|their|{_CARDINAL})\s+$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_YEARS_AFTER_RE = re.compile(r"[-\s]years?\b", re.IGNORECASE)
# A range of years as a text gives it: "2014-2018", "between 2014 and 2018", "from 2010 to 2017", "Sep 2023 – Jun
# 2025" (a CV's dates).
_YEAR_RANGE_RE = re.compile(
    r"(?<!\d)(?P<a>(?:19|20)\d\d)(?:\s*[-–]\s*|\s+(?:to|and|until)\s+)(?:[A-Z][a-z]{2,8}\.?\s+)?(?P<b>(?:19|20)\d\d)(?!\d)"
)
# What follows a count of the email's own material, or a partitive "three of ...", or a year used as a count.
_META_COUNT_RE = re.compile(
    r"^\s*(?:of\b|(?:\w+\s+)?(?:papers?|works?|articles?|publications?|questions?|things|points|ideas|aspects|"
    r"reasons|ways|directions|sentences|paragraphs|lines)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    kind: QuantityKind
    # Each endpoint (one, or two for a range) as its readings, each with the digits after the point as written
    # ("2.2x" may round "2.17x", "2.20x" may not): "250K" reads 250 or 250000.
    values: tuple[tuple[Reading, ...], ...]
    spelled: bool
    approximate: bool = False  # "an order of magnitude": a range of values, not one
    bound: Bound | None = None  # "about 30%", "more than 1,700", "up to 2x": a bound on the value, not the value
    years_long: bool = False  # "a five-year window", "5 years": a length of time a range of years may give
    # A share ("three quarters", "seven out of ten"): its value is the percentage, `parts` the two counts.
    parts: tuple[float, float] | None = None

    @property
    def numbers(self) -> tuple[float, ...]:
        return tuple(readings[0][0] for readings in self.values)


def quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, left to right; overlapping readings keep the widest ("three times" over
    "three")."""
    found = [*_digit_quantities(text), *_times(text), *_magnitudes(text), *_ratio_words(text), *_fractions(text)]
    found += [*_halves(text), *_cardinals(text)]
    found.sort(key=lambda q: (q.start, -(q.end - q.start)))
    kept: list[Quantity] = []
    for q in found:
        if not kept or q.start >= kept[-1].end:
            kept.append(q)
    return kept


def _digit_quantities(text: str) -> Iterator[Quantity]:
    for m in _DIGITS_RE.finditer(text):
        a, b = m.group("a"), m.group("b")
        units = {u.strip() for u in (m.group("ua"), m.group("ub")) if u}
        values = [_readings(a, m.group("ua")), *([_readings(b, m.group("ub"))] if b else [])]
        raw = [a, b] if b else [a]
        if units & {"x", "×", "X"}:
            kind: QuantityKind = "ratio"
        elif not units and all(_YEAR_RE.fullmatch(r) for r in raw):
            kind = "year"  # "over 2000 clusters" reads as one too: a year is also looked up among stated figures
        else:
            kind = "figure"
        bound = None if b else _bound_before(text, m.start())
        long = _years_long(text, m.end())
        yield Quantity(m.start(), m.end(), m.group(), kind, tuple(values), False, bound=bound, years_long=long)


def _years_long(text: str, end: int) -> bool:
    return _YEARS_AFTER_RE.match(text, end) is not None


def _bound_before(text: str, at: int) -> Bound | None:
    m = _BOUND_BEFORE_RE.search(text, max(0, at - 24), at)
    return None if m is None else "about" if m.group("about") else "over" if m.group("over") else "under"


def _readings(raw: str, unit: str | None) -> tuple[Reading, ...]:
    """ "1.3B" and "1.3 billion" read 1.3 (as written) or 1.3e9; each keeps the decimals it was written with."""
    value, decimals = float(raw.replace(",", "")), len(raw.split(".")[1]) if "." in raw else 0
    unit = unit.strip() if unit else None
    return ((value, decimals), (value * _UNITS[unit], 0)) if unit in _UNITS else ((value, decimals),)


def _spelled_value(words: str) -> float:
    """ "twenty-five" is 25, "two hundred" 200, "three thousand" 3000."""
    total, current = 0.0, 0.0
    for word in re.split(r"[-\s]+", words.lower()):
        n = _CARDINALS[word]
        if n >= 100:
            current = max(current, 1.0) * n
            if n >= 1000:
                total, current = total + current, 0.0
        else:
            current += n
    return total + current


def _number_value(raw: str) -> float:
    return float(raw.replace(",", "")) if raw[0].isdigit() else _spelled_value(raw)


def _times(text: str) -> Iterator[Quantity]:
    for m in _TIMES_RE.finditer(text):
        raw = m.group("n")
        decimals = len(raw.partition(".")[2]) if raw[0].isdigit() else 0  # "2.4 times" is not "2.2x"
        yield Quantity(m.start(), m.end(), m.group(), "ratio", (((_number_value(raw), decimals),),), spelled=True)


def _magnitudes(text: str) -> Iterator[Quantity]:
    for m in _MAGNITUDE_RE.finditer(text):
        exponent = 1.0 if m.group("one") else _number_value(m.group("n")) if m.group("n") else 2.0
        yield Quantity(m.start(), m.end(), m.group().strip(), "ratio", (((10**exponent, 0),),), True, approximate=True)


def _ratio_words(text: str) -> Iterator[Quantity]:
    for m in _RATIO_WORD_RE.finditer(text):
        if _NOUN_BEFORE_RE.search(text[: m.start()]):
            continue  # "two halves of one problem": a noun, not a ratio
        word = m.group().lower()
        if word == "twice" and _OCCASIONS_AFTER_RE.match(text, m.end()):
            continue  # "I have faced the same problem twice": how often, not a ratio of two quantities
        value = 2.0 if word.endswith("half") else float(_RATIO_WORDS[word])
        yield Quantity(m.start(), m.end(), m.group(), "ratio", (((value, 0),),), spelled=True)


def _fractions(text: str) -> Iterator[Quantity]:
    """A share of a whole, as the percentage it is: a writer's "three quarters of the time" for 75.8%."""
    for m in _FRACTION_RE.finditer(text):
        if m.group("half"):
            p, q = 1.0, 2.0  # "half of the attention heads"
        else:
            top = m.group("p") or m.group("p2") or m.group("p3")
            d = m.group("d")
            p, q = _number_value(top), _DENOMINATORS[d.lower()] if d else _number_value(m.group("q") or m.group("q3"))
        if not 0 < p < q:
            continue  # "5 in 3 tasks" is no share; "2 in 2" says nothing
        share = round(100 * p / q, 1)
        yield Quantity(m.start(), m.end(), m.group(), "figure", (((share, 1),),), True, parts=(p, q))


def _halves(text: str) -> Iterator[Quantity]:
    for m in _HALF_A_RE.finditer(text):
        unit = m.group("unit")
        readings = ((0.5, 1), (0.5 * _UNITS[unit.lower()], 0)) if unit else ((0.5, 1),)
        yield Quantity(m.start(), m.end(), m.group(), "figure", (readings,), True)


def _cardinals(text: str) -> Iterator[Quantity]:
    for m in _SPELLED_RE.finditer(text):
        words = m.group().lower()
        # "by nine points" measures a difference; "three points I would like to raise" counts the email's own.
        by = text[max(0, m.start() - 3) : m.start()].lower() == "by "
        if words in _DETERMINER_CARDINALS or (_META_COUNT_RE.match(text[m.end() :]) and not by):
            continue
        value = (((_spelled_value(words), 0),),)
        yield Quantity(m.start(), m.end(), m.group(), "figure", value, True, years_long=_years_long(text, m.end()))


# ---------------------------------------------------------------- what a text states


@dataclass(frozen=True)
class Stated:
    """The figures and ratios a text states, with every rounding of them a writer might quote."""

    figures: frozenset[tuple[int, float]]  # (decimals, value rounded to them)
    ratios: frozenset[tuple[int, float]]
    percents: frozenset[tuple[int, float]]  # the figures written with "%"
    magnitude_phrase: bool  # "order(s) of magnitude" is written out
    values: frozenset[float] = frozenset()  # the figures as stated, every reading
    year_spans: frozenset[float] = frozenset()  # the lengths its ranges of years give (2014-2018: 4 or 5 years)
    percent_values: frozenset[float] = frozenset()  # the figures written with "%" (or as a share), as stated

    def has(self, q: Quantity) -> bool:
        """Every endpoint of `q` is stated, in one of its readings; a bound or an approximation ("more than
        1,700", "about 30%") is stated when a figure the text states is what it says (`within`)."""
        if q.kind == "ratio":
            return all(any(self._ratio(v, d, q.approximate) for v, d in end) for end in q.values)
        if q.parts is not None:
            return self._share(q)
        if all(any((d, round(v, d)) in self.figures for v, d in end) for end in q.values):
            return True
        if "%" in q.text and all(
            (d + 2, round(end[0][0] / 100, d + 2)) in self.figures for end in q.values for d in [end[0][1]]
        ):
            return True  # "94.7%" for the paper's proportion "0.947"
        if q.years_long and len(q.values) == 1 and q.values[0][0][0] in self.year_spans:
            return True
        # A round figure ("15,500 annotations", "2,000 recognizers") is a rounding itself, as if "about" preceded it.
        bound = q.bound or ("round" if _round_figure(q) else None)
        return bound is not None and any(within(x, v, d, bound) for v, d in q.values[0] for x in self.values)

    def _share(self, q: Quantity) -> bool:
        """A share is stated as a percentage near it, or as its two counts ("3 of the 4 tasks")."""
        assert q.parts is not None
        share = q.values[0][0][0]
        if any(abs(x - share) <= FRACTION_TOLERANCE for x in self.percent_values):
            return True
        return all((0, n) in self.figures for n in q.parts)

    def _ratio(self, value: float, decimals: int, approximate: bool) -> bool:
        if approximate:
            return self.magnitude_phrase or any(value <= r < value * 10 for _, r in self.ratios)
        if (decimals, round(value, decimals)) in self.ratios:
            return True
        # "halves the error" is a 50% reduction, "doubles" a 100% increase: the same ratio as a percentage.
        as_percent = {round(100 * (1 - 1 / value)), round(100 * (value - 1))}
        return any((0, p) in self.percents for p in as_percent)


def stated_among(q: Quantity, values: frozenset[float]) -> bool:
    """A figure with one value is one of `values`, as written (rounded, or a round figure), or within its bound."""
    bound = q.bound or ("round" if _round_figure(q) else None)
    for v, d in q.values[0]:
        if any(round(x, d) == v for x in values) or (bound and any(within(x, v, d, bound) for x in values)):
            return True
    return False


def derived(q: Quantity, others: list[Quantity]) -> bool:
    """`q` is arithmetic on two other figures of its sentence: the relative change, the difference or the ratio
    of "from 14.2% to 9.8%" ("about a 30 percent relative reduction"), or the sum of "960 cut-in and 6,442
    deceleration" scenarios ("close to 7,400 scenarios"). The two figures are checked themselves, so what follows
    from them claims nothing new."""
    if q.kind == "year" or len(q.values) != 1:
        return False
    figures = [n for o in others if o is not q and o.kind != "year" for n in o.numbers]  # a range's ends too
    # In the order written: a change "from a to b" is relative to a; a difference or a ratio has no order.
    pairs = [(a, b) for i, a in enumerate(figures) for b in figures[i + 1 :] if a > 0 and b > 0 and a != b]
    # The sum too: "7,400 scenarios (960 cut-in and 6,442 deceleration)".
    results = {x for a, b in pairs for x in (100 * abs(b - a) / a, abs(a - b), max(a, b) / min(a, b), a + b)}
    (value, decimals), bound = q.values[0][0], q.bound or "about"
    return any(within(x, value, decimals, bound) if q.bound else round(x, decimals) == value for x in results)


def within(stated_value: float, value: float, decimals: int, bound: Bound) -> bool:
    """A figure the text states is what "about / more than / less than <value>" says, at the precision <value> is
    written with: its last digit (1 for "93", 100 for "1,700", 0.1 for "2.5")."""
    step = 10.0**-decimals if decimals else _last_digit(value)
    if bound in ("about", "round"):
        # "roughly 17.5K" for 17,553: an approximation may be off by its last digit; a bare round figure ("15,500"
        # for 15,523) only by half of it, as a rounding.
        tolerance = step if bound == "about" else step / 2
        return abs(stated_value - value) <= min(tolerance, APPROXIMATION_SHARE * value)
    if bound == "over":
        return value < stated_value <= value + step
    return value - step <= stated_value < value


ROUND_FIGURE_MIN = 1000  # a figure this large ending in two zeros or more is a rounding


def _round_figure(q: Quantity) -> bool:
    if q.spelled or len(q.values) != 1 or q.kind != "figure":
        return False
    value, decimals = q.values[0][-1]  # with a unit, the value it stands for ("15.5K" is 15,500)
    return not decimals and value >= ROUND_FIGURE_MIN and _last_digit(value) >= 100


def _last_digit(value: float) -> float:
    """The place of the last non-zero digit of a whole number: 100 for 1,700, 1 for 1,715."""
    n, step = int(value), 1.0
    while n and n % 10 == 0:
        n, step = n // 10, step * 10
    return step


@lru_cache(maxsize=65536)  # every abstract is read once per process, however many emails cite it
def stated(text: str) -> Stated:
    figures: set[tuple[int, float]] = set()
    ratios: set[tuple[int, float]] = set()
    percents: set[tuple[int, float]] = set()
    values: set[float] = set()
    percent_values: set[float] = set()
    for q in quantities(text):
        roundings = {(d, round(v, d)) for end in q.values for v, decimals in end for d in range(decimals + 1)}
        (ratios if q.kind == "ratio" else figures).update(roundings)
        if q.kind != "ratio":
            values.update(v for end in q.values for v, _ in end)
        if "%" in q.text or q.parts is not None or _PERCENT_WORD_RE.match(text, q.end):
            percents.update(roundings)
            # As a proportion, at the precision written ("94.7%" states 0.947, not 0.9).
            figures.update((end[0][1] + 2, round(end[0][0] / 100, end[0][1] + 2)) for end in q.values)
            percent_values.update(v for end in q.values for v, _ in end)
        if q.kind == "ratio" and not q.spelled:
            figures.update(roundings)  # "a 2.2x speedup" also states the figure 2.2
    # Spelled "one"/"two" are still figures a paper states ("two languages"), and a ratio may be written "2x".
    for m in _SPELLED_RE.finditer(text):
        figures.add((0, _spelled_value(m.group())))
    magnitude = bool(re.search(r"\borders?\s+of\s+magnitude\b", text, re.IGNORECASE))
    spans = {float(int(m["b"]) - int(m["a"]) + extra) for m in _YEAR_RANGE_RE.finditer(text) for extra in (0, 1)}
    return Stated(
        frozenset(figures),
        frozenset(ratios),
        frozenset(percents),
        magnitude,
        frozenset(values),
        frozenset(spans),
        frozenset(percent_values),
    )
