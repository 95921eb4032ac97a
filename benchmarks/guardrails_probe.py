"""Guardrail probes nobody wrote: true statements made mechanically from the sources, so every hard violation the
checker raises on them is a false alarm by construction.

Three kinds of probe, each one sentence in a short email (`Subject`, salutation, the sentence, a modest request,
a signature), checked as `benchmarks/guardrails.py` checks an email (`check_text` with `guardrail_context`, in the
benchmark store of all 34 researchers):

- `title`: every sentence of a gold-standard abstract that carries a figure, turned to the second person ("we" ->
  "you", "our" -> "your") about its paper named by title: 'In "<title>", you …' (`title-quoted`) and the same
  with the title unquoted (`title-unquoted`), checked as an email to its author, without a CV;
- `name`: the same sentence about the paper named only by a distinctive name it defines (a method, dataset or
  model in no other of their papers, from its title first): "With <name>, you …";
- `paragraphs`: two of their papers retold in two paragraphs of one email, each opened by its quoted title and
  going on with the abstract's next prose sentences in the second person (figures or not);
- `items`: two of their papers in one sentence, each an item opened by its defining name ("With <name>, you …; and
  with <other name>, you …"), consecutive by id;
- `cv`: each fact line of each Markdown CV in `benchmarks/guardrails_set/*/cvs/` and `examples/cvs/` (a degree, a
  thesis, a position, a project, a publication, an award, skills) restated in the first person (`cv-first`) and in the
  third person with the student's name (`cv-third`), checked as an email with that CV to a professor the set's
  dev emails address with it.

- `para-*` and `cv-degree`, `cv-derived`, `cv-pub`, `cv-joint` (`--kinds para,cv-para`): paraphrases, the way
  people restate a fact (`guardrails_paraphrase.py`): every prose sentence of an abstract in the second person
  after its quoted title with its figures approximated (`para-approx`), as fractions (`para-fraction`), with
  units written out (`para-scale`), small counts spelled or in digits (`para-spelled`), year ranges in words
  (`para-years`), percentages as the share they are close to (`para-share`), large counts rounded to the hundred
  (`para-round`), the gap between two percentages given alone (`para-gap`), a hypothetical question with figures
  the paper does not give (`para-question`); a CV's degree under its other names and with the length its dates
  give, a publication with its venue and year, and what the student did beside the professor's paper in one
  sentence.

Printed: per probe kind, the probes, those with any hard violation (the false-alarm rate) and the violations per
check; with `-v`, each false alarm (the probe sentence and the violation) to stderr. Deterministic: the probes
are made in a fixed order from the files; `--limit N` keeps the first N papers of each researcher.

    python benchmarks/guardrails_probe.py [-v] [--kinds title,name,paragraphs,items,cv,para,cv-para] [--limit N]
        [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from guardrails import CORPUS, DEFAULT_STORE, SET_DIR, open_store  # noqa: E402
from guardrails_paraphrase import (  # noqa: E402
    PAPER_REWRITES,
    change_of_figures,
    clipped_degree,
    degree_and_plan,
    degree_at_short_place,
    degree_restatements,
    degree_with_date,
    joint_sentence,
    own_list,
    position_length,
    publication_restatement,
    requests_about,
)

from assistant.cv import read_cv  # noqa: E402
from assistant.draft import guardrail_context  # noqa: E402
from assistant.guardrails import GuardrailContext, check_text  # noqa: E402
from assistant.guardrails.atoms import name_parts  # noqa: E402
from assistant.guardrails.evidence import Evidence  # noqa: E402
from assistant.guardrails.figures import sentence_figures  # noqa: E402
from assistant.guardrails.vocabulary import classify_token, is_generic  # noqa: E402
from assistant.text import TOKEN_RE, sentence_spans, surname  # noqa: E402
from assistant.types import Paper, Professor, Violation  # noqa: E402

PARAPHRASE_KINDS = tuple(f"para-{k}" for k in PAPER_REWRITES)
CV_PARAPHRASE_KINDS = ("cv-degree", "cv-derived", "cv-pub", "cv-joint")
KINDS = ("title-quoted", "title-unquoted", "name", "paragraphs", "items", "cv-first", "cv-third")
CV_WORDING_KINDS = ("cv-clip", "cv-when", "cv-plan", "cv-short", "cv-change", "cv-length", "cv-list")
KINDS += PARAPHRASE_KINDS + CV_PARAPHRASE_KINDS + CV_WORDING_KINDS + ("ask",)
FAMILIES = ("title", "name", "paragraphs", "items", "cv", "para", "cv-para", "cv-words", "ask")  # what --kinds selects
ASK_PAPERS = 3  # the professor's papers (first by id) each request of `ask` names
JOINT_PAPERS = 3  # the professor's papers (first by id) each CV bullet is paired with in `cv-joint`
SAMPLE_PROFESSOR = "Baharan Mirzasoleiman"  # the examples/ CVs are the demo's, written for her
PROBE_SIGNATURE = "Sam Lee"  # the student of the paper probes (no CV: the signature stands for it)
REQUEST = "Would you have 20 minutes for a short call this month?"

_SECOND_PERSON = (
    (
        re.compile(
            r"^(?:In this (?:paper|work|article|study)|Here|In this|Finally|Moreover|Further(?:more)?),?\s+we\b"
        ),
        "you",
    ),
    (re.compile(r"\bWe\b"), "You"),
    (re.compile(r"\bwe\b"), "you"),
    (re.compile(r"\bOur\b"), "Your"),
    (re.compile(r"\bour\b"), "your"),
    (re.compile(r"\bours\b"), "yours"),
    (re.compile(r"\bus\b"), "you"),
    (re.compile(r"\bourselves\b"), "yourselves"),
    (re.compile(r"\b[Tt]his (paper|work|article|study)\b"), r"the \1"),
)
_NOT_PROSE_RE = re.compile(r"[$\\{}^_@]|&[a-z]+;|\[\d|https?:|www\.|[^\x00-\u024f\u2010-\u2044]")
PROSE_MAX_WORDS = 60
PARAGRAPH_SENTENCES = 4


@dataclass(frozen=True)
class Probe:
    kind: str
    sentence: str
    professor: str
    cv: Path | None = None


@dataclass
class Tally:
    probes: Counter[str] = field(default_factory=Counter)
    alarmed: Counter[str] = field(default_factory=Counter)
    by_check: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, probe: Probe, hard: list[Violation]) -> None:
        self.probes[probe.kind] += 1
        self.alarmed[probe.kind] += bool(hard)
        self.by_check.setdefault(probe.kind, Counter()).update({v.check for v in hard})


# ---------------------------------------------------------------- making the probes


def second_person(sentence: str) -> str:
    for pattern, repl in _SECOND_PERSON:
        sentence = pattern.sub(repl, sentence)
    return sentence


def _lowered(sentence: str, paper_text: str) -> str:
    """The sentence with its first word lower-cased, unless the paper writes that word capitalised mid-sentence
    (a name: "BERT", "Twitter")."""
    first = sentence.split(maxsplit=1)[0]
    if not re.fullmatch(r"[A-Z][a-z]+", first) or re.search(rf"[a-z,]\s+{first}\b", paper_text):
        return sentence
    return first.lower() + sentence[len(first) :]


def prose_sentences(paper: Paper) -> Iterator[str]:
    """The abstract's prose sentences: what a faithful email could repeat. Left out: LaTeX, bracketed references
    ("[38]"), other scripts, links and addresses, fragments of a table or of a sentence the corpus cut (a
    lower-case start, an open parenthesis), and run-ons of more than PROSE_MAX_WORDS words."""
    text = paper.abstract or ""
    for a, b in sentence_spans(text):
        s = " ".join(text[a:b].split())
        if _NOT_PROSE_RE.search(s) or not s[:1].isupper() or s.count("(") != s.count(")"):
            continue
        words = s.split()
        if len(words) <= PROSE_MAX_WORDS and sum(w[:1].isdigit() for w in words) <= len(words) / 4:
            yield s


def figure_sentences(paper: Paper) -> Iterator[str]:
    """The prose sentences that carry a figure written in digits."""
    return (s for s in prose_sentences(paper) if any(not f.quantity.spelled for f in sentence_figures(s)))


def retelling(paper: Paper) -> str | None:
    """A paragraph retelling the paper's abstract in the second person, opened by its quoted title: the first
    PARAGRAPH_SENTENCES prose sentences, the later ones referring back only as the abstract itself does."""
    said = [second_person(s) for s in prose_sentences(paper)][:PARAGRAPH_SENTENCES]
    if len(said) < 2 or not paper.title:
        return None
    first = _lowered(said[0], f"{paper.title} {paper.abstract}")
    return " ".join([f'In "{paper.title}", {first}', *said[1:]])


def paragraph_probes(prof: Professor, limit: int | None) -> Iterator[Probe]:
    """Two papers of theirs retold in two paragraphs of one email (consecutive by id): a figure or name of one
    must not be charged to the other."""
    told = [r for p in sorted(prof.papers, key=lambda p: p.id)[:limit] if (r := retelling(p))]
    for a, b in zip(told[::2], told[1::2], strict=False):
        yield Probe("paragraphs", f"{a}\n\n{b}", prof.name)


def defining_name(paper: Paper, ev: Evidence) -> str | None:
    """A distinctive name this paper defines, in no other paper of theirs: from its title, else one its abstract
    introduces ("… (SciERC)", "called X", "we propose X") or uses twice; a venue or a cited work's acronym is
    not the paper's own."""
    abstract = paper.abstract or ""
    for text in (paper.title or "", abstract):
        for m in TOKEN_RE.finditer(text):
            tok = m.group()
            if classify_token(tok) != "strong" or is_generic(tok) or name_parts(tok) is None:
                continue  # not a name the checker reads as one ("1-best" is a count)
            introduced = text is not abstract or abstract.count(tok) > 1 or _introduced(tok, abstract)
            if introduced and ev.words.papers_with(tok) == {paper.id}:
                return tok
    return None


def _introduced(name: str, abstract: str) -> bool:
    n = re.escape(name)
    return bool(re.search(rf"\({n}\)|\b(?:called|named|dubbed|propose|present|introduce|release)\s+{n}\b", abstract))


def items_probes(prof: Professor, ev: Evidence, limit: int | None) -> Iterator[Probe]:
    """Two papers of theirs in one sentence, each an item opened by its defining name (consecutive by id): "With
    <name>, you …; and with <other name>, you …". A figure or name of either is in place."""
    told = []
    for paper in sorted(prof.papers, key=lambda p: p.id)[:limit]:
        name = defining_name(paper, ev)
        said = next(figure_sentences(paper), None)
        # A possessive ("DyNet's") is no name on its own: the checker reads the name without it.
        if name and said and not re.search(r"['’]s$", name):
            told.append((name, _lowered(second_person(said), f"{paper.title} {paper.abstract}")))
    for (n1, s1), (n2, s2) in zip(told[::2], told[1::2], strict=False):
        yield Probe("items", f"With {n1}, {s1.rstrip('.')}; and with {n2}, {s2}", prof.name)


def paper_probes(prof: Professor, ev: Evidence, limit: int | None) -> Iterator[Probe]:
    for paper in sorted(prof.papers, key=lambda p: p.id)[:limit]:
        if not paper.title or _NOT_PROSE_RE.search(paper.title):
            continue
        name = defining_name(paper, ev)
        context = f"{paper.title} {paper.abstract}"
        for s in figure_sentences(paper):
            you = _lowered(second_person(s), context)
            yield Probe("title-quoted", f'In "{paper.title}", {you}', prof.name)
            yield Probe("title-unquoted", f"In {paper.title}, {you}", prof.name)
            if name:
                yield Probe("name", f"With {name}, {you}", prof.name)
        for s in prose_sentences(paper):
            you = _lowered(second_person(s), context)
            for kind, rewrite in PAPER_REWRITES.items():
                if said := rewrite(you):
                    yield Probe(f"para-{kind}", f'In "{paper.title}", {said}', prof.name)


def request_probes(prof: Professor, limit: int | None) -> list[Probe]:
    """`ask`: questions and requests naming each of their first ASK_PAPERS papers
    (`guardrails_paraphrase.requests_about`)."""
    papers = sorted(prof.papers, key=lambda p: p.id)[: min(limit or ASK_PAPERS, ASK_PAPERS)]
    titles = [p.title for p in papers if p.title and not _NOT_PROSE_RE.search(p.title)]
    return [Probe("ask", said, prof.name) for t in titles for said in requests_about(t)]


# ---------------------------------------------------------------- CV probes


_HEADING_RE = re.compile(r"^##\s+(?P<section>.+)$")
_ENTRY_RE = re.compile(r"^\*\*(?P<what>[^*]+)\*\*,?\s*(?P<where>.*?)(?:\s+—\s+(?P<when>.+))?$")
_BULLET_RE = re.compile(r"^(?:[-*]|\d+\.)\s+(?P<text>.+)$")
_MD_RE = re.compile(r"\*\*|\*|`")
_DEGREE_WORD_RE = re.compile(
    r"\b(?:B\.?Sc|M\.?Sc|B\.?S|M\.?S|B\.?A|M\.?A|B\.?Eng|M\.?Eng|B\.?Tech|M\.?Tech|MPhil|MRes|Ph\.?D|Bachelor|Master)"
)


def cv_lines(text: str) -> Iterator[tuple[str, str]]:
    """(section, line) of a Markdown CV, a bullet's wrapped continuation lines joined to it."""
    section, current = "", ""
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if raw.startswith((" ", "\t")) and current and line:
            current += " " + line
            continue
        if current:
            yield section, current
            current = ""
        heading = _HEADING_RE.match(line)
        if heading:
            section = heading.group("section").lower()
        elif line and not line.startswith("#"):
            current = line


def _sentence(text: str) -> str:
    text = _MD_RE.sub("", text).strip().rstrip(".;,")
    return text + "."


def restate(section: str, line: str, name: str) -> tuple[str, str] | None:
    """A fact line in the first and the third person, or None for a line that states no fact about the student
    (interests, contact details, a heading)."""
    entry, bullet = _ENTRY_RE.match(line), _BULLET_RE.match(line)
    first_name = name.split()[0]
    if entry and "education" in section and _DEGREE_WORD_RE.search(entry.group("what")):
        what = _MD_RE.sub("", entry.group("what")).strip()
        where, when = entry.group("where").strip(" ,"), (entry.group("when") or "").strip()
        fact = f"{what} from {where}" + (f" ({when})" if when else "")
        return _sentence(f"I hold a {fact}"), _sentence(f"{name} holds a {fact}")
    if entry and ("experience" in section or "employment" in section):
        what = _MD_RE.sub("", entry.group("what")).strip()
        where, when = entry.group("where").strip(" ,"), (entry.group("when") or "").strip()
        fact = f"{what} at {where}" + (f" ({when})" if when else "")
        return _sentence(f"I have worked as {fact}"), _sentence(f"{name} has worked as {fact}")
    if not bullet:
        return None
    text = _MD_RE.sub("", bullet.group("text")).strip()
    if "interest" in section:
        return None
    if text.lower().startswith("thesis:"):
        thesis = text.split(":", 1)[1].strip()
        return _sentence(f"My thesis is {thesis}"), _sentence(f"{first_name}'s thesis is {thesis}")
    if "publication" in section:
        return _sentence(f"I am an author of {text}"), _sentence(f"{name} is an author of {text}")
    if "award" in section or "honor" in section or "honour" in section:
        return _sentence(f"I received the {text}"), _sentence(f"{name} received the {text}")
    if "skill" in section:
        return _sentence(f"I have experience with {text}"), _sentence(f"{name} has experience with {text}")
    return _sentence(f"In my work: {text}"), _sentence(f"In {first_name}'s work: {text}")


def cv_professors() -> dict[Path, str]:
    """Each CV and a professor the set's dev emails send it to (the first by file name); the examples' CVs go to
    the demo's professor."""
    out: dict[Path, str] = {}
    for path in sorted(SET_DIR.glob("*/dev/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("cv"):
            out.setdefault((path.parent.parent / data["cv"]).resolve(), data["professor"]["name"])
    for cv in sorted((ROOT / "examples" / "cvs").glob("*")):
        if cv.suffix == ".md":  # the PDF and DOCX samples have no Markdown headings to find the sections by
            out.setdefault(cv.resolve(), SAMPLE_PROFESSOR)
    return out


def cv_probes(titles: dict[str, list[str]]) -> Iterator[Probe]:
    """The restated fact lines, then their paraphrases; `titles`: each professor's first JOINT_PAPERS titles."""
    for cv, professor in cv_professors().items():
        profile = read_cv(cv)
        for section, line in cv_lines(profile.raw_text):
            stated = restate(section, line, profile.name or "The student")
            if stated:
                yield Probe("cv-first", stated[0], professor, cv)
                yield Probe("cv-third", stated[1], professor, cv)
            for kind, sentence in cv_paraphrases(section, line, titles.get(professor, [])):
                yield Probe(kind, sentence, professor, cv)
        for kind, sentence in cv_wordings(list(cv_lines(profile.raw_text))):
            yield Probe(kind, sentence, professor, cv)


def cv_paraphrases(section: str, line: str, titles: list[str]) -> Iterator[tuple[str, str]]:
    """A degree under its other names and with its length, a publication with its venue and year, and a bullet
    of what the student did beside each of the professor's papers (`guardrails_paraphrase`)."""
    entry, bullet = _ENTRY_RE.match(line), _BULLET_RE.match(line)
    if entry and "education" in section and _DEGREE_WORD_RE.search(entry.group("what")):
        what = _MD_RE.sub("", entry.group("what")).strip()
        yield from degree_restatements(what, entry.group("where").strip(" ,"), entry.group("when") or "")
    elif bullet and "publication" in section and (said := publication_restatement(bullet.group("text"))):
        yield "cv-pub", said
    elif bullet and ("experience" in section or "project" in section):
        for title in titles:
            if said := joint_sentence(title, bullet.group("text")):
                yield "cv-joint", said


def cv_wordings(lines: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Round 6's rewordings of a CV (`--kinds cv-words`): a degree with its field clipped ("CS and Maths"), with
    the month it ends, followed by a plan in the same clause, at its institution's short name ("at Kyoto"); a
    line's "from A to B" as the change it is; a finished position with its length in months; and each entry's
    bullets as a list introduced as the student's ("What I have done so far:")."""
    bullets: list[str] = []
    for section, line in [*lines, ("", "")]:
        entry, bullet = _ENTRY_RE.match(line), _BULLET_RE.match(line)
        if bullet and ("experience" in section or "project" in section):
            bullets.append(bullet.group("text"))
            yield from (("cv-change", said) for said in change_of_figures(bullet.group("text")))
            continue
        if len(bullets) > 1 and (said := own_list(bullets)):
            yield "cv-list", said
        bullets = []
        if not entry:
            continue
        what = _MD_RE.sub("", entry.group("what")).strip()
        where, when = entry.group("where").strip(" ,—"), (entry.group("when") or "").strip()
        if "education" in section and _DEGREE_WORD_RE.search(what):
            yield from (("cv-when", said) for said in degree_with_date(what, where, when))
            for kind, make in (
                ("cv-clip", clipped_degree),
                ("cv-plan", degree_and_plan),
                ("cv-short", degree_at_short_place),
            ):
                if said := make(what, where, when):
                    yield kind, said
        elif ("experience" in section or "employment" in section) and (said := position_length(what, where, when)):
            yield "cv-length", said


# ---------------------------------------------------------------- running


def family(kind: str) -> str:
    """The --kinds name of a probe kind ("para-approx" is "para", "cv-degree" is "cv-para")."""
    if kind in CV_PARAPHRASE_KINDS:
        return "cv-para"
    if kind in CV_WORDING_KINDS:
        return "cv-words"
    return kind.split("-")[0]


def email(probe: Probe, ctx: GuardrailContext) -> str:
    student = ctx.student.name if ctx.student and ctx.student.name else PROBE_SIGNATURE
    return (
        f"Subject: PhD inquiry\n\nDear Professor {surname(ctx.professor.name)},\n\n"
        f"I am writing about your research.\n\n{probe.sentence}\n\n{REQUEST}\n\nBest regards,\n{student}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-v", "--verbose", action="store_true", help="each false alarm, to stderr")
    parser.add_argument("--kinds", default=",".join(FAMILIES), help=", ".join(FAMILIES))
    parser.add_argument("--limit", type=int, help="the first N papers of each researcher (by id)")
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    kinds = set(args.kinds.split(","))
    index = open_store(args.store)
    tally, start = Tally(), time.process_time()
    if kinds & {"title", "name", "paragraphs", "items", "para", "ask"}:
        for prof_name in corpus_professors():
            prof = index.catalog.resolve(prof_name, kind="professor")
            ctx = guardrail_context(prof, prof.papers, None, index, index.settings)
            ev = Evidence.of_context(ctx)
            probes = [*paper_probes(prof, ev, args.limit), *paragraph_probes(prof, args.limit)]
            probes += items_probes(prof, ev, args.limit)
            probes += request_probes(prof, args.limit)
            for probe in probes:
                if family(probe.kind) in kinds:
                    run(probe, ctx, tally, args.verbose)
    if kinds & {"cv", "cv-para", "cv-words"}:
        for probe in cv_probes(joint_titles(index)):
            if family(probe.kind) not in kinds:
                continue
            prof = index.catalog.resolve(probe.professor, kind="professor")
            assert probe.cv is not None
            ctx = guardrail_context(prof, prof.papers, read_cv(probe.cv), index, index.settings)
            run(probe, ctx, tally, args.verbose)
    print(render(tally, time.process_time() - start))
    result = {
        k: {"probes": tally.probes[k], "false_alarms": tally.alarmed[k], "by_check": dict(tally.by_check.get(k, {}))}
        for k in KINDS
        if tally.probes[k]
    }
    line = json.dumps(result)
    print(line)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(line + "\n", encoding="utf-8")
    return 0


def joint_titles(index: Any) -> dict[str, list[str]]:
    """Each CV's professor's first JOINT_PAPERS titles (by paper id), for `cv-joint`."""
    out = {}
    for professor in set(cv_professors().values()):
        papers = sorted(index.catalog.resolve(professor, kind="professor").papers, key=lambda p: p.id)
        out[professor] = [p.title for p in papers if p.title and not _NOT_PROSE_RE.search(p.title)][:JOINT_PAPERS]
    return out


def corpus_professors() -> list[str]:
    names = [json.loads(line)["name"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(set(names))


def run(probe: Probe, ctx: GuardrailContext, tally: Tally, verbose: bool) -> None:
    text = email(probe, ctx)
    hard = check_text(text, ctx).hard_violations
    tally.add(probe, hard)
    if verbose and hard:
        print(f"--- {probe.kind} [{probe.professor}] {probe.sentence}", file=sys.stderr)
        for v in hard:
            print(f"    [{v.check}] {v.span!r}: {v.message}", file=sys.stderr)


def render(tally: Tally, cpu_seconds: float) -> str:
    lines = [f"{'probe kind':<16}{'probes':>8}{'false alarms':>16}   by check"]
    for k in KINDS:
        n, bad = tally.probes[k], tally.alarmed[k]
        if not n:
            continue
        checks = ", ".join(f"{c} {m}" for c, m in tally.by_check[k].most_common()) or "-"
        lines.append(f"{k:<16}{n:>8}{bad:>9} {bad / n:>5.1%}   {checks}")
    total, bad = sum(tally.probes.values()), sum(tally.alarmed.values())
    lines.append(f"{'all':<16}{total:>8}{bad:>9} {bad / max(total, 1):>5.1%}   ({cpu_seconds:.0f} s CPU)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
