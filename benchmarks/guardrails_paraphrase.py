"""Paraphrase probes: true statements restated the way people restate them, made mechanically from a
gold-standard abstract's sentence or a CV's fact line (never from the labelled emails).

    python benchmarks/guardrails_paraphrase.py "We label 1,715 posts from 2010-2017."

Each rewrite keeps the statement true: a figure rounded or approximated ("1,715" -> "more than 1,700", "30%" ->
"about 30 percent"), a percentage as the fraction it is ("by 50%" -> "by half", "33% of" -> "a third of"), a unit
written out ("140M" -> "140 million"), a small count spelled ("4 benchmarks" -> "four benchmarks", and back), a year
range in words ("2010-2017" -> "from 2010 to 2017"), a percentage as the share it is close to ("66.4% of" ->
"about two thirds of"), a large count rounded to the hundred ("15,523" -> "15,500"), the gap between two
percentages of a sentence given alone ("6.6 points above the other"), a hypothetical question with figures the
paper does not give ("could your approach go beyond 98.2% if it were trained on ten times more data?"); a degree
under another of its names ("M.Sc." -> "MSc", "master's") or with the length its dates give ("a two-year
master's"), a publication with its venue and year, and the professor's paper and the student's own work in one
sentence. A rewrite that does not apply gives None, so a probe exists only where the rewrite changed something.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# ---------------------------------------------------------------- figures in an abstract's sentence

_HEDGE_BEFORE_RE = re.compile(
    r"(?:\b(?:to|than|most|least|under|below|over|above|about|around|approximately|nearly|roughly|almost|only|"
    r"just|by)\s+|[~<>≈±])$",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(r"(?<![\w.,\-–/])(\d+(?:\.\d+)?)\s?%(?![\-–\w])")
_BIG_RE = re.compile(r"(?<![\w.,\-–/#])(\d{1,3}(?:,\d{3})+|\d{4,})(?![\w%\-–]|[.,]\d)")
_SCALE_RE = re.compile(r"(?<![\w.\-–/])(\d+(?:\.\d+)?)\s?([KMB])(?![\w\-–])")
_SCALE_WORDS = {"K": "thousand", "M": "million", "B": "billion"}
_SMALL = "zero one two three four five six seven eight nine ten eleven twelve".split()
_COUNT_RE = re.compile(r"(?<![\w.,\-–/$])([2-9]|1[0-2])\s+(?=[a-z]+s\b)(?![a-z]+-)")
_SPELLED = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_SPELLED_COUNT_RE = re.compile(rf"(?<![\w-])({_SPELLED})\s+(?=[a-z]+s\b)")
_YEARS_RE = re.compile(r"(?<![\w\-–])((?:19|20)\d\d)\s?[-–]\s?((?:19|20)\d\d)(?![\w\-–])")
_FRACTIONS = {
    10.0: "a tenth",
    20.0: "a fifth",
    25.0: "a quarter",
    33.0: "a third",
    33.3: "a third",
    50.0: "half",
    66.7: "two thirds",
    67.0: "two thirds",
    75.0: "three quarters",
}


def _sub(pattern: re.Pattern[str], text: str, rewrite: Callable[[re.Match[str]], str | None]) -> str | None:
    """The text with every match `rewrite` rewrites (a match it gives None for stays), or None when none was."""
    changed = False

    def one(m: re.Match[str]) -> str:
        nonlocal changed
        new = rewrite(m)
        changed |= new is not None
        return m.group() if new is None else new

    out = pattern.sub(one, text)
    return out if changed else None


def _hedged(m: re.Match[str]) -> bool:
    """Already bounded or approximated ("up to 30%", "over 1,000", "by 50%"): not rounded again."""
    return _HEDGE_BEFORE_RE.search(m.string[: m.start()]) is not None


def approximate(sentence: str) -> str | None:
    """Percentages approximated ("93.4%" -> "about 93 percent"), large counts rounded down to two significant
    digits ("1,715" -> "more than 1,700"; a round one is "about" itself)."""

    def percent(m: re.Match[str]) -> str | None:
        value = float(m.group(1))
        return None if _hedged(m) else f"about {round(value):g} percent"

    def big(m: re.Match[str]) -> str | None:
        digits = m.group(1).replace(",", "")
        value = int(digits)
        if _hedged(m) or (m.group(1) == digits and 1900 <= value <= 2099):
            return None  # a year
        scale = 10 ** (len(digits) - 2)
        rounded = value // scale * scale
        word = "more than" if value % 2 else "over"
        return f"about {rounded:,}" if rounded == value else f"{word} {rounded:,}"

    step = _sub(_PERCENT_RE, sentence, percent)
    return _sub(_BIG_RE, step or sentence, big) or step


def as_fraction(sentence: str) -> str | None:
    """A percentage that is a simple fraction, where English says the fraction: "by 50%" -> "by half", "25% of"
    -> "a quarter of"."""

    def fraction(m: re.Match[str]) -> str | None:
        word = _FRACTIONS.get(float(m.group(1)))
        after = m.string[m.end() : m.end() + 4]
        before = m.string[max(0, m.start() - 3) : m.start()]
        if word is None or not (after.startswith(" of ") or before == "by "):
            return None
        return word

    return _sub(_PERCENT_RE, sentence, fraction)


def scale_words(sentence: str) -> str | None:
    """A unit letter written out: "140M parameters" -> "140 million parameters"."""
    return _sub(_SCALE_RE, sentence, lambda m: f"{m.group(1)} {_SCALE_WORDS[m.group(2)]}")


def spelled_counts(sentence: str) -> str | None:
    """A small count of things spelled out ("on 4 benchmarks" -> "on four benchmarks"), or a spelled one in
    digits ("three datasets" -> "3 datasets")."""
    spelled = _sub(_COUNT_RE, sentence, lambda m: f"{_SMALL[int(m.group(1))]} ")
    return spelled or _sub(_SPELLED_COUNT_RE, sentence, lambda m: f"{_SMALL.index(m.group(1))} ")


def year_range(sentence: str) -> str | None:
    """ "2010-2017" -> "from 2010 to 2017" ("between 2010 and 2017" after "between", "2010 to 2017" after
    "from")."""

    def words(m: re.Match[str]) -> str:
        before = m.string[: m.start()].rstrip().lower()
        a, b = m.group(1), m.group(2)
        if before.endswith("between"):
            return f"{a} and {b}"
        return f"{a} to {b}" if before.endswith("from") else f"from {a} to {b}"

    return _sub(_YEARS_RE, sentence, words)


_SHARES = (
    (1, 2, "half"), (1, 3, "a third"), (2, 3, "two thirds"), (1, 4, "a quarter"), (3, 4, "three quarters"),
    (1, 5, "a fifth"), (2, 5, "two fifths"), (3, 5, "three fifths"), (4, 5, "four fifths"),
)  # fmt: skip
SHARE_CLOSENESS = 2.0  # percentage points: a writer says "about two thirds" for 65% to 69%


def as_share(sentence: str) -> str | None:
    """A percentage of something said as the simple share it is close to ("66.4% of the time" -> "about two
    thirds of the time", "71% of" -> "about seven out of ten")."""

    def share(m: re.Match[str]) -> str | None:
        if not m.string.startswith(" of ", m.end()) or _hedged(m):
            return None
        value = float(m.group(1))
        near = [
            (abs(100 * p / q - value), words) for p, q, words in _SHARES if abs(100 * p / q - value) <= SHARE_CLOSENESS
        ]
        return f"about {min(near)[1]}" if near else None

    return _sub(_PERCENT_RE, sentence, share)


def round_counts(sentence: str) -> str | None:
    """A large count rounded to the hundred, with no "about" ("15,523 annotations" -> "15,500 annotations"): a
    round figure says it is rounded."""

    def rounded(m: re.Match[str]) -> str | None:
        digits = m.group(1).replace(",", "")
        value = int(digits)
        if _hedged(m) or (m.group(1) == digits and 1900 <= value <= 2099) or value < 1000:
            return None
        nearest = round(value, -2)
        return None if nearest == value else f"{nearest:,}"

    return _sub(_BIG_RE, sentence, rounded)


def gap_alone(sentence: str) -> str | None:
    """The gap between the first two percentages of a sentence, given alone ("96.2% ... 89.6%" -> "one of the
    results you report is 6.6 points above the other.")."""
    found = [(float(m.group(1)), len(m.group(1).partition(".")[2])) for m in _PERCENT_RE.finditer(sentence)]
    if len(found) < 2 or found[0][0] == found[1][0]:
        return None
    (a, da), (b, db) = found[:2]
    return f"one of the results you report is {round(abs(a - b), max(da, db)):g} points above the other."


def hypothetical(sentence: str) -> str | None:
    """A question about what might be, with figures the paper does not give ("Could it go beyond 98.2% with ten
    times more data?" after a sentence reporting 93.2%)."""
    m = _PERCENT_RE.search(sentence)
    if not m or float(m.group(1)) > 90:
        return None
    return f"could your approach go beyond {float(m.group(1)) + 5:g}% if it were trained on ten times more data?"


_YOU_FOUND_RE = re.compile(
    r"^you\s+(?:also\s+)?(?:show|find|demonstrate|observe|prove|establish)\s+that\s+", re.IGNORECASE
)


def found_reading(sentence: str) -> str | None:
    """What the paper shows, as what the student found reading it: "you show that X" -> "I found that X"."""
    m = _YOU_FOUND_RE.match(sentence)
    return f"I found that {sentence[m.end() :]}" if m else None


PAPER_REWRITES: dict[str, Callable[[str], str | None]] = {
    "approx": approximate,
    "fraction": as_fraction,
    "scale": scale_words,
    "spelled": spelled_counts,
    "years": year_range,
    "share": as_share,
    "round": round_counts,
    "gap": gap_alone,
    "question": hypothetical,
    "found": found_reading,
}

# ---------------------------------------------------------------- a CV's fact lines

_LEVELS = (
    (re.compile(r"^(?:Ph\.?\s?D\.?|D\.?Phil\.?)"), ("PhD", "doctorate")),
    (re.compile(r"^M\.?\s?Sc\.?"), ("MSc", "master's")),
    (re.compile(r"^M\.?\s?Eng\.?"), ("MEng", "master's")),
    (re.compile(r"^M\.?\s?S\.?(?=\s)"), ("MS", "master's")),
    (re.compile(r"^M\.?\s?A\.?(?=\s)"), ("MA", "master's")),
    (re.compile(r"^B\.?\s?Sc\.?"), ("BSc", "bachelor's")),
    (re.compile(r"^B\.?\s?Eng\.?"), ("BEng", "bachelor's")),
    (re.compile(r"^B\.?\s?Tech\.?"), ("BTech", "bachelor's")),
    (re.compile(r"^B\.?\s?S\.?(?=\s)"), ("BS", "bachelor's")),
    (re.compile(r"^B\.?\s?A\.?(?=\s)"), ("BA", "bachelor's")),
)
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_DATES_RE = re.compile(
    r"(?:(?P<m1>[A-Z][a-z]{2})\w*\.?\s+)?(?P<y1>(?:19|20)\d\d)\s*[-–]\s*(?:(?P<m2>[A-Z][a-z]{2})\w*\.?\s+)?(?P<y2>(?:19|20)\d\d)"
)
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()
_PUBLICATION_RE = re.compile(r"\*(?P<title>[^*]{12,})\*\s*(?P<venue>[A-Z][^,(*]{1,80}?),?\s+(?P<year>(?:19|20)\d\d)\b")
_MD_RE = re.compile(r"\*\*|\*|`")
_IRREGULAR_PAST = frozenset("Built Wrote Ran Led Made Won Taught Found Set Held Gave Began Took Kept Brought".split())


def degree_restatements(what: str, where: str, when: str) -> Iterator[tuple[str, str]]:
    """(kind, sentence): the degree under its other names, and with the length its dates give."""
    for pattern, (short, level) in _LEVELS:
        m = pattern.match(what)
        if not m:
            continue
        field = what[m.end() :].strip()
        expected = "expected" in when.lower() or "present" in when.lower()
        verb = "I am currently doing" if expected else "I completed"
        for name in (short, level):
            article = "an" if name[0] in "AEIMO" else "a"  # "an MSc", "a master's", "a PhD"
            yield "cv-degree", f"{verb} {article} {name} {field} at {where}."
        years = _years_of(when)
        if years:
            yield "cv-derived", f"{verb} a {_NUMBER_WORDS[years]}-year {level} {field} at {where}."
        return


def _years_of(when: str) -> int | None:
    """The length in whole years of "Oct 2025 – Sep 2027" (21 to 27 months is two years), or None."""
    m = _DATES_RE.search(when)
    if not m:
        return None
    months = 12 * (int(m["y2"]) - int(m["y1"]))
    if m["m1"] and m["m2"] and m["m1"].lower() in _MONTHS and m["m2"].lower() in _MONTHS:
        months += _MONTHS.index(m["m2"].lower()) - _MONTHS.index(m["m1"].lower()) + 1
    years = round(months / 12)
    return years if 1 <= years <= 10 else None


def publication_restatement(line: str) -> str | None:
    """'My paper "<title>" appeared at <venue>, <year>.' from a publication line with an italic title."""
    m = _PUBLICATION_RE.search(line)
    if not m:
        return None
    title = _MD_RE.sub("", m["title"]).strip().rstrip(".")
    venue = m["venue"].strip().rstrip(".")
    the = "the " if venue.split()[0] in ("Workshop", "Conference", "Symposium", "Student", "International") else ""
    return f'My paper "{title}" appeared at {the}{venue} in {m["year"]}.'


def joint_sentence(title: str, bullet: str) -> str | None:
    """The professor's paper and the student's work in one sentence, from a CV bullet that opens with what the
    student did ("Built a Transformer model…")."""
    text = _MD_RE.sub("", bullet).strip().rstrip(".;,")
    first = text.split(maxsplit=1)[0] if text else ""
    if not (re.fullmatch(r"[A-Z][a-z]+ed", first) or first in _IRREGULAR_PAST):
        return None
    return f'Your paper "{title}" is close to my own work: I {first.lower()}{text[len(first) :]}.'


# ---------------------------------------------------------------- a CV's facts in other words (round 6)

# Fields of study as people shorten them.
_FIELD_CLIPS = (
    ("Computer Science and Engineering", "CSE"),
    ("Computer Science", "CS"),
    ("Electrical Engineering", "EE"),
    ("Machine Learning", "ML"),
    ("Artificial Intelligence", "AI"),
    ("Mathematics", "Maths"),
    ("Statistics", "Stats"),
    ("Economics", "Econ"),
)
_MONTH_NAMES = "January February March April May June July August September October November December".split()
_END_DATE_RE = re.compile(r"[-–]\s*(?P<month>[A-Z][a-z]{2})\w*\.?\s+(?P<year>(?:19|20)\d\d)")
_CHANGE_RE = re.compile(
    r"\bfrom\s+(?P<a>\d+(?:\.\d+)?)(?P<pa>%?)\s+(?:\([^)]*\)\s+)?to\s+(?P<b>\d+(?:\.\d+)?)(?P<pb>%?)"
)
_SHORT_PLACE_RE = re.compile(r"^(?P<name>[A-Z][\w'’-]+)\s+(?:University|College)\b")


def _degree_names(what: str) -> tuple[str, str, str] | None:
    """(short level name, its article, the field) of a degree entry ("M.Sc. in Data Science")."""
    for pattern, (short, _level) in _LEVELS:
        m = pattern.match(what)
        if m:
            field = re.sub(r"^\s*(?:by\s+Research\s+)?in\s+", "", what[m.end() :]).strip()
            return short, "an" if short[0] in "AEIMO" else "a", field
    return None


def _expected(when: str) -> bool:
    return "expected" in when.lower() or "present" in when.lower()


def clipped_degree(what: str, where: str, when: str) -> str | None:
    """The degree with its field shortened: "a B.A. in Computer Science and Mathematics" -> "a BA in CS and Maths"."""
    names = _degree_names(what)
    if not names:
        return None
    short, article, field = names
    clipped = field
    for full, clip in _FIELD_CLIPS:
        clipped = clipped.replace(full, clip)
    if clipped == field:
        return None
    verb = "I am doing" if _expected(when) else "I hold"
    return f"{verb} {article} {short} in {clipped} from {where}."


def degree_with_date(what: str, where: str, when: str) -> Iterator[str]:
    """The degree and the month it ends, after its field or straight after its name: "I finished my MSc in Data
    Science in June 2025.", "I finished my MSc in June 2025 at X."."""
    names, end = _degree_names(what), _END_DATE_RE.search(when)
    if not names or not end or end["month"].lower() not in _MONTHS:
        return
    short, _article, field = names
    month = _MONTH_NAMES[_MONTHS.index(end["month"].lower())]
    verb = "I will finish" if _expected(when) else "I finished"
    yield f"{verb} my {short} in {field} in {month} {end['year']}, at {where}."
    yield f"{verb} my {short} in {month} {end['year']} at {where}."


def degree_and_plan(what: str, where: str, when: str) -> str | None:
    """The degree held, then what the student would like to do next, in one clause: "I have an MSc from X and
    would be glad to start in your group in Fall 2026."."""
    names, end = _degree_names(what), _END_DATE_RE.search(when)
    if not names or not end:
        return None
    short, article, _field = names
    have = "I am finishing" if _expected(when) else "I have"
    start = int(end["year"]) + 1
    return f"{have} {article} {short} from {where} and would be glad to start in your group in Fall {start}."


def short_place(where: str) -> str | None:
    """ "Kyoto University" -> "Kyoto", "Trinity College Dublin" -> "Trinity": the name people use."""
    m = _SHORT_PLACE_RE.match(where)
    return m["name"] if m else None


def degree_at_short_place(what: str, where: str, when: str) -> str | None:
    names, place = _degree_names(what), short_place(where)
    if not names or not place:
        return None
    short, article, field = names
    verb = "I am doing" if _expected(when) else "I did"
    return f"{verb} {article} {short} in {field} at {place}."


def change_of_figures(bullet: str) -> Iterator[str]:
    """A CV line's "from A to B" as the change it is, without the two figures: "by 6.5 points", "a relative change
    of about 12%"."""
    m = _CHANGE_RE.search(_MD_RE.sub("", bullet))
    if not m:
        return
    a, b = float(m["a"]), float(m["b"])
    if a <= 0 or a == b:
        return
    decimals = max(len(x.split(".")[1]) if "." in x else 0 for x in (m["a"], m["b"]))
    diff = f"{abs(b - a):.{decimals}f}"
    unit = " points" if m["pa"] or m["pb"] else ""
    yield f"In that project, my change moved the main figure by {diff}{unit}."
    yield f"In that project, my change gave a relative change of about {round(100 * abs(b - a) / a)}%."


def position_length(what: str, where: str, when: str) -> str | None:
    """A finished position with the length its dates give: "I spent three months as a Research Intern at X."."""
    if _expected(when):
        return None
    m = _DATES_RE.search(when)
    if not m or not (m["m1"] and m["m2"]) or m["m1"].lower() not in _MONTHS or m["m2"].lower() not in _MONTHS:
        return None
    months = 12 * (int(m["y2"]) - int(m["y1"])) + _MONTHS.index(m["m2"].lower()) - _MONTHS.index(m["m1"].lower()) + 1
    if not 1 <= months <= 10:
        return None
    article = "an" if what[:1] in "AEIOU" else "a"
    return f"I spent {_NUMBER_WORDS[months]} months as {article} {what} at {where}."


def own_list(bullets: list[str]) -> str | None:
    """What the student did, as a list introduced as theirs: "What I have done so far:" and the CV's bullets."""
    items = [_MD_RE.sub("", b).strip().rstrip(".;,") for b in bullets if b.strip()]
    if not items:
        return None
    return "What I have done so far:\n" + "\n".join(f"- {item};" for item in items[:-1]) + f"\n- {items[-1]}."


# ---------------------------------------------------------------- requests to the professor (round 6)

REQUESTS = (
    'Do you think we could talk about "{title}" for 20 minutes next week?',
    'Could you tell us whether the code of "{title}" is available?',
    'Would you let us reuse the data of "{title}" in our lab\'s next study?',
    'I would like to ask whether you would consider me for a PhD position to continue "{title}" in Fall 2027.',
)


def requests_about(title: str) -> Iterator[str]:
    """Questions and requests that name a paper of theirs, with the student's own "we/us/our" and a plan's figures:
    none states anything about the paper."""
    return (r.format(title=title) for r in REQUESTS)


def main(argv: list[str] | None = None) -> int:
    """Print each paraphrase of a sentence (a look at what the probe makes of it)."""
    import argparse

    parser = argparse.ArgumentParser(description="The paraphrase probes' rewrites of one sentence.")
    parser.add_argument("sentence", help='an abstract\'s sentence, e.g. "We label 1,715 posts from 2010-2017."')
    args = parser.parse_args(argv)
    for kind, rewrite in PAPER_REWRITES.items():
        print(f"{kind:<10}{rewrite(args.sentence) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
