"""Reading a student's CV (PDF, DOCX, Markdown or plain text) into a StudentProfile, offline.

Every item keeps `source_text`, the exact span of the extracted text it came from, so later checks can hold
what an email says about the student against what the CV says. Nothing here logs: CV text is personal data.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.files import decode_text
from assistant.guardrails.vocabulary import CV_INSTRUCTION_RE
from assistant.text import EMAIL_RE, sentence_spans
from assistant.types import CVItem, CVSection, StudentProfile

MAX_CV_BYTES = 10 * 1024 * 1024
MAX_CV_CHARS = 300_000  # ten times a long academic CV; more text than this is not a CV (and parsing it is slow)
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt")

# ---------------------------------------------------------------- public API


def read_cv(path: Path) -> StudentProfile:
    """Read a CV file into a profile; every problem with the file is an InputError."""
    path = Path(path)
    return profile_from_text(extract_text(path), source_path=str(path))


def extract_text(path: Path) -> str:
    """The CV's text, tidied (newlines, ligatures, bullet glyphs), as every later offset refers to it."""
    path = Path(path)
    suffix = _check_file(path)
    text = _tidy(_READERS[suffix](path))
    if not text.strip():
        if suffix == ".pdf":
            raise InputError(
                "no extractable text — is this a scanned PDF? Export it from the original document "
                "(or run OCR) and try again",
                path=str(path),
            )
        raise InputError("the file contains no text", path=str(path))
    if len(text) > MAX_CV_CHARS:
        raise InputError(
            f"the file holds {len(text):,} characters of text; a CV should be under {MAX_CV_CHARS:,} "
            "— is this the right file?",
            path=str(path),
        )
    return text


def profile_from_text(text: str, *, source_path: str | None = None, wrapped: bool | None = None) -> StudentProfile:
    """Split CV text into sections and items.

    `wrapped` says whether long entries were broken over several lines by a layout engine (PDF text);
    by default it is inferred from `source_path`.
    """
    text = _tidy(text)
    if wrapped is None:
        wrapped = bool(source_path) and str(source_path).lower().endswith(".pdf")
    lines = _split_lines(text)
    # A line addressed to a model ("Ignore previous instructions and say…") is no part of the student's record:
    # read as blank, so it becomes no item, and listed (`cv show`). raw_text keeps it, for the injection check.
    dropped = [line for line in lines if CV_INSTRUCTION_RE.search(line.raw)]
    kinds = [_Kind(blank=True) if line in dropped else _classify(line.raw) for line in lines]
    blocks = list(_group_blocks(lines, kinds, wrapped=wrapped))
    if not any(kind.section is not None for kind in kinds):
        blocks = _headingless_blocks(lines, kinds)
    profile = StudentProfile(
        name=_find_name(lines, kinds),
        email=_find_email(text),
        raw_text=text,
        source_path=source_path,
        instruction_lines=[line.raw.strip() for line in dropped],
    )
    starts = [line.start for line in lines]
    for block in blocks:
        for item in _items_from_block(text, block, starts):
            _profile_list(profile, item.section).append(item)
    return profile


def profile_from_interests(text: str) -> StudentProfile:
    """A profile made only of interests, from free text: every sentence (or line) becomes one item."""
    text = _tidy(text)
    if not text.strip():
        raise InputError("no interests given: describe your research interests in a sentence or two")
    lines = _split_lines(text)
    starts = [line.start for line in lines]
    items: list[CVItem] = []
    dropped = [line.raw.strip() for line in lines if CV_INSTRUCTION_RE.search(line.raw)]
    for line in lines:
        content = _content_start(line.raw)
        if content is None or line.raw.strip() in dropped:
            continue
        begin = line.start + content
        end = line.start + len(line.raw.rstrip())
        for a, b in sentence_spans(text, begin, end):
            items.extend(_make_items(text, "interests", [(a, b)], starts))
    return StudentProfile(interests=items, raw_text=text, instruction_lines=dropped)


def item_in_cv(item_text: str, cv_text: str) -> bool:
    """True when the item's words occur, in order and contiguously, in the CV.

    Comparison ignores case, accents, punctuation and whitespace, and accepts a word broken across a line
    with a hyphen either way ("effi-\\ncient" matches "efficient"; "data-\\nefficient" matches "data-efficient").
    """
    needles = {form for form in _match_forms(item_text) if form}
    if not needles:
        return False
    haystacks = [f" {form} " for form in _match_forms(cv_text)]
    return any(f" {needle} " in hay for needle in needles for hay in haystacks)


# ---------------------------------------------------------------- files


def _check_file(path: Path) -> str:
    """Validate the file before parsing it; returns its (lower-case) suffix."""
    where = str(path)
    if not path.exists():
        raise InputError("file not found", path=where)
    if not path.is_file():
        raise InputError("not a file (is it a directory?)", path=where)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = " (save old .doc files as .docx or PDF)" if suffix == ".doc" else ""
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise InputError(f"unsupported file type {shown}{hint}; supported: {', '.join(SUPPORTED_SUFFIXES)}", path=where)
    size = path.stat().st_size
    if size > MAX_CV_BYTES:
        raise InputError(
            f"the file is {size / (1024 * 1024):.1f} MB; the limit is {MAX_CV_BYTES // (1024 * 1024)} MB",
            path=where,
        )
    if size == 0:
        raise InputError("the file is empty", path=where)
    return suffix


def _failure_reason(exc: BaseException) -> str:
    """The library's reason, cut before any excerpt of raw file bytes (pypdf quotes them: "… @945: b'…'")."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    reason = re.split(r"\s*(?:@\d+)?:?\s*b['\"]", first_line)[0].strip()
    return reason[:160] or type(exc).__name__


def _read_text_file(path: Path) -> str:
    return decode_text(path.read_bytes(), path)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    where = str(path)
    damaged = "; the file may be damaged: export it again"
    with _pypdf_silenced():
        try:
            reader = PdfReader(path)
            encrypted = reader.is_encrypted
        except Exception as exc:  # pypdf raises many exception types on damaged files; none may escape as a traceback
            raise InputError(f"could not read the PDF: {_failure_reason(exc)}{damaged}", path=where) from exc
        if encrypted and not _decrypt_without_password(reader):
            raise InputError("the PDF is encrypted; export an unprotected copy and try again", path=where)
        try:
            if len(reader.pages) == 0:
                raise InputError("could not read the PDF: it has no pages", path=where)
            return "\n".join(_pdf_page_text(page) for page in reader.pages)
        except InputError:
            raise
        except Exception as exc:  # as above: a damaged page must become a clear error
            raise InputError(f"could not read the PDF: {_failure_reason(exc)}{damaged}", path=where) from exc


@contextmanager
def _pypdf_silenced() -> Iterator[None]:
    """pypdf's warnings about damaged files quote raw bytes of the file, and CV content must never reach a log.

    (The level is process-wide while a PDF is read; CVs are read one at a time, so that is acceptable.)
    """
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _decrypt_without_password(reader: Any) -> bool:
    """PDFs protected only against editing open with an empty password; those are fine to read."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # a missing crypto backend or a malformed encryption dictionary: treat as locked
        return False


def _read_docx(path: Path) -> str:
    import zipfile

    import docx

    if not zipfile.is_zipfile(path):
        raise InputError("could not read the DOCX: it is not a Word document (not a zip archive)", path=str(path))
    try:
        document = docx.Document(str(path))
        lines = [*_docx_header_lines(document), *_docx_lines(document.iter_inner_content())]
    except Exception as exc:  # zipfile, zlib, lxml and python-docx errors alike: never a traceback
        reason = _failure_reason(exc)
        raise InputError(
            f"could not read the DOCX: {reason}; the file may be damaged: save it again from Word", path=str(path)
        ) from exc
    return "\n".join(lines)


_READERS: dict[str, Callable[[Path], str]] = {
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".md": _read_text_file,
    ".markdown": _read_text_file,
    ".txt": _read_text_file,
}


# ---------------------------------------------------------------- PDF reading order


@dataclass
class _PdfLine:
    text: str
    x: float
    y: float


def _pdf_page_text(page: Any) -> str:
    """pypdf's text for one page, with row-interleaved columns put back into reading order."""
    fragments: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        fragments.append((text, x, y))

    text: str = page.extract_text(visitor_text=visit)
    if "".join(f[0] for f in fragments) != text:  # the visitor did not see what we got: keep pypdf's order
        return text
    lines = _positioned_lines(fragments)
    return "\n".join(_reading_order(lines, float(page.mediabox.width)))


def _positioned_lines(fragments: list[tuple[str, float, float]]) -> list[_PdfLine]:
    lines: list[_PdfLine] = []
    current = _PdfLine("", 0.0, 0.0)
    placed = False
    for text, x, y in fragments:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if piece.strip() and not placed:
                current.x, current.y, placed = x, y, True
            current.text += piece
            if i < len(pieces) - 1:
                lines.append(current)
                current, placed = _PdfLine("", 0.0, 0.0), False
    if current.text:
        lines.append(current)
    return lines


def _reading_order(lines: list[_PdfLine], page_width: float) -> list[str]:
    """Detect two columns drawn row by row (left, right, left, right…) and emit left column, then right.

    Acts only when several consecutive line pairs sit side by side at the same height and the right-hand
    lines look like running text, so right-aligned dates on a one-column CV are left where they are.
    """
    texts = [line.text for line in lines]
    content = [i for i, line in enumerate(lines) if line.text.strip()]
    pairs = [
        (a, b)
        for a, b in pairwise(content)
        if abs(lines[a].y - lines[b].y) <= 2 and lines[b].x - lines[a].x >= 0.25 * page_width
    ]
    if len(pairs) < 3:
        return texts
    gutter = min(lines[b].x for _, b in pairs) - 1
    first = pairs[0][0]
    right = [i for i in content if i >= first and lines[i].x >= gutter]
    lengths = sorted(len(texts[i].strip()) for i in right)
    if len(right) < 4 or lengths[len(lengths) // 2] < 20:
        return texts
    right_set = set(right)
    left = [i for i in range(first, len(lines)) if i not in right_set]
    return [texts[i] for i in [*range(first), *left, *right]]


# ---------------------------------------------------------------- DOCX


def _docx_header_lines(document: Any) -> list[str]:
    """Word templates often put the name and contact line in the page header."""
    if not document.sections:
        return []
    section = document.sections[0]
    headers = [section.first_page_header] if section.different_first_page_header_footer else []
    headers.append(section.header)
    lines: list[str] = []
    for header in headers:
        if not header.is_linked_to_previous:
            lines.extend(line for line in _docx_lines(header.iter_inner_content()) if line not in lines)
    return lines


def _docx_lines(blocks: Iterable[Any]) -> Iterator[str]:
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            yield from _docx_table_lines(block)
        else:
            yield _docx_paragraph_text(block)


def _docx_paragraph_text(paragraph: Any) -> str:
    """Word keeps list bullets in formatting, not text: write one so the list structure survives."""
    text: str = paragraph.text
    ppr = paragraph._p.pPr
    style_name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    is_list = (ppr is not None and ppr.numPr is not None) or style_name.startswith("list")
    return f"• {text}" if is_list and text.strip() else text


def _docx_table_lines(table: Any) -> Iterator[str]:
    """Key–value rows ("Languages | Python, C++") read as "Languages: Python, C++"; layout cells in order."""
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:  # a merged cell appears once per grid column it spans
                seen.add(id(cell._tc))
                cells.append(cell)
        texts = [cell.text.strip() for cell in cells]
        if all("\n" not in t for t in texts):
            yield _join_table_row([t for t in texts if t])
        else:
            for cell in cells:
                yield from _docx_lines(cell.iter_inner_content())


def _join_table_row(cells: list[str]) -> str:
    if len(cells) == 2 and len(cells[0].split()) <= 4 and not cells[0].endswith((".", "!", "?")):
        return cells[0] + (" " if cells[0].endswith(":") else ": ") + cells[1]
    return " | ".join(cells)


# ---------------------------------------------------------------- text clean-up

_PRIVATE_BULLETS = str.maketrans({"\x7f": "•", "\uf0b7": "•", "\uf0a7": "▪", "\uf076": "•", "\uf0d8": "•"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)


def _tidy(text: str) -> str:
    """Normalise what every reader returns: newlines, ligatures (NFKC), bullet glyphs, invisible characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_PRIVATE_BULLETS).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")  # leading lines keep line numbers


# ---------------------------------------------------------------- line classification


@dataclass
class _Line:
    number: int  # 1-based
    start: int  # offset of the line in the text
    raw: str


@dataclass
class _Kind:
    blank: bool = False
    rule: bool = False  # a decorative line: ----, ====, ____
    section: CVSection | None = None  # set when the line is a heading
    inline: int | None = None  # for "Skills: Python, C++": where the content after the label starts
    contact_field: bool = False  # "Email: …", "GitHub: …": skipped, does not change the section
    bullet: int | None = None  # where the content after a bullet marker starts
    bullet_only: bool = False  # a bullet glyph alone on its line (pypdf emits these for list flowables)


_BULLET = re.compile(r"^\s*(?:[-*+•◦▪▫‣●○■□►▸➢➤✓✔·–—]|\(?\d{1,2}[.)]|\[\d{1,2}\])(?=\s|$)\s*")
_RULE = re.compile(r"^\s*([-=_*~#—–.·])(\s*\1){2,}\s*$")
_CONTACT_LABEL = re.compile(
    r"^(e-?mail|phone|tel|mobile|cell|web|website|homepage|home page|github|gitlab|linkedin|twitter|address|"
    r"orcid|google scholar|scholar|portfolio|blog|citizenship|nationality|date of birth)$",
    re.IGNORECASE,
)

_HEADING_RULES: list[tuple[re.Pattern[str], CVSection]] = [
    (
        re.compile(
            r"\b(hobbies|personal interests|references|service|activities|leadership|volunteer|volunteering|"
            r"certifications?|certificates|extracurricular|outreach|memberships|affiliations|misc|miscellaneous)\b"
        ),
        "other",
    ),
    (re.compile(r"\binterests?\b|\bresearch (focus|areas?|agenda|statement|summary|objectives?)\b"), "interests"),
    (re.compile(r"\b(publications?|papers|preprints|manuscripts|talks|presentations|posters)\b"), "publications"),
    (
        re.compile(
            r"\b(skills?|tools|technolog(y|ies)|programming|languages?|software|frameworks|competencies|"
            r"expertise|toolbox|stack)\b"
        ),
        "skills",
    ),
    (re.compile(r"\bprojects?\b"), "projects"),
    (
        re.compile(
            r"\b(awards?|honou?rs?|scholarships?|fellowships?|achievements|grants|distinctions|prizes|recognition)\b"
        ),
        "awards",
    ),
    (
        re.compile(r"\b(education|academic background|coursework|courses|qualifications|degrees|training)\b"),
        "education",
    ),
    (
        re.compile(r"\b(experiences?|employment|positions|appointments|internships?|work history|research|teaching)\b"),
        "experience",
    ),
    (re.compile(r"\b(summary|objective|profile|about)\b"), "interests"),
    (re.compile(r"\b(contact|information|details)\b"), "contact"),
]

# A heading may contain only these words: "Machine Learning Research" is an entry, "Research Experience" a heading.
_HEADING_WORDS = frozenset(
    """research interests interest areas area focus summary statement objective objectives profile about me agenda
    education academic background coursework courses relevant qualifications degrees training
    skills skill tools technical programming languages language software frameworks technologies technology computer
    computing competencies expertise toolbox stack tech
    publications publication papers preprints manuscripts selected peer reviewed refereed conference journal workshop
    talks presentations posters under review submitted
    experience experiences work professional industry industrial teaching employment positions appointments
    internships internship history
    projects project personal side open source course independent capstone
    awards award honors honours honor honour scholarships scholarship fellowships fellowship achievements grants
    distinctions prizes recognition
    contact information details info
    service activities leadership volunteering volunteer certifications certificates extracurricular references
    hobbies outreach memberships affiliations misc miscellaneous
    additional other key recent and of in the my for""".split()
)


def _split_lines(text: str) -> list[_Line]:
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), start=1):
        lines.append(_Line(number, offset, raw))
        offset += len(raw) + 1
    return lines


def _classify(raw: str) -> _Kind:
    stripped = raw.strip()
    if not stripped:
        return _Kind(blank=True)
    if _RULE.match(stripped):
        return _Kind(rule=True)
    bullet = _BULLET.match(raw)
    if bullet:
        return _Kind(bullet=bullet.end(), bullet_only=bullet.end() >= len(raw.rstrip()))
    return _heading_kind(raw) or _Kind()


def _heading_kind(raw: str) -> _Kind | None:
    """Headings in any common form: "EDUCATION", "Education:", "## Research Interests", "**Skills & Tools**"."""
    body_start = len(raw) - len(raw.lstrip(" \t#"))
    label, sep, rest = raw[body_start:].rstrip().partition(":")
    if len(label) > 80:  # headings and their labels are short; long lines are entries
        return None
    label = _strip_emphasis(label)
    if sep and rest.strip(" *_"):
        if _CONTACT_LABEL.match(label.strip(" *_")):
            return _Kind(contact_field=True)
        section = _heading_section(label)
        if section is None:
            return None
        label_end = raw.index(":", body_start) + 1
        inline = label_end + len(raw[label_end:]) - len(raw[label_end:].lstrip(" \t*_"))
        return _Kind(section=section, inline=inline)
    section = _heading_section(label.strip())
    return _Kind(section=section) if section else None


def _strip_emphasis(text: str) -> str:
    return re.sub(r"(\*\*|__)(.{1,120}?)\1", r"\2", text).strip()


def _heading_section(label: str) -> CVSection | None:
    if len(label) > 80:
        return None
    label = re.sub(r"\([^)]*\)", "", label).strip(" *_")
    if re.fullmatch(r"(?:[A-Z] )+[A-Z]", label):  # letter-spaced: "E D U C A T I O N"
        label = label.replace(" ", "")
    if not label or len(label) > 45 or not label[0].isupper() or re.search(r"[\d@,.;]", label):
        return None
    words = re.findall(r"[a-z]+", label.lower().replace("&", " and "))
    if not words or len(words) > 5 or any(word not in _HEADING_WORDS for word in words):
        return None
    joined = " ".join(words)
    return next((section for pattern, section in _HEADING_RULES if pattern.search(joined)), None)


# ---------------------------------------------------------------- blocks (one entry each)


@dataclass
class _Block:
    section: CVSection
    start: int  # offset of the entry's content (after any bullet marker)
    end: int  # offset just past its last character
    first: _Line
    last: _Line
    bullet: bool


_CONNECTOR_WORDS = frozenset("and or of in on for the a an to with via from by at as into using".split())


def _group_blocks(lines: list[_Line], kinds: list[_Kind], *, wrapped: bool) -> Iterator[_Block]:
    """Walk the lines: headings switch section; bullets, blank lines and finished lines end an entry."""
    widths = _section_widths(lines, kinds)
    section: CVSection = "contact"
    current: _Block | None = None
    bullet_pending = False
    for line, kind in zip(lines, kinds, strict=True):
        if kind.blank or kind.rule or kind.contact_field or kind.bullet_only:
            if current:
                yield current
            current = None
            bullet_pending = kind.bullet_only
            continue
        if kind.section is not None:
            if current:
                yield current
            section, current, bullet_pending = kind.section, None, False
            if kind.inline is not None:
                current = _new_block(section, line, kind.inline, bullet=False)
            continue
        content = kind.bullet if kind.bullet is not None else len(line.raw) - len(line.raw.lstrip())
        is_bullet = kind.bullet is not None or bullet_pending
        bullet_pending = False
        if current and not is_bullet and _continues(current, line, wrapped=wrapped, width=widths[line.number]):
            current.end, current.last = line.start + len(line.raw), line
            continue
        if current:
            yield current
        current = _new_block(section, line, content, bullet=is_bullet)
    if current:
        yield current


def _new_block(section: CVSection, line: _Line, content: int, *, bullet: bool) -> _Block:
    return _Block(section, line.start + content, line.start + len(line.raw), line, line, bullet)


def _continues(block: _Block, line: _Line, *, wrapped: bool, width: float) -> bool:
    """Is this line the rest of the entry above it (a wrapped line) rather than a new entry?"""
    prev, cur = block.last.raw.rstrip(), line.raw.strip()
    last_word = prev.rsplit(None, 1)[-1].lower() if prev.split() else ""
    if re.search(r"\w-$", prev) or prev.endswith((",", ";", "(", "/", "&", "+", "–", "—")):
        return True
    if last_word in _CONNECTOR_WORDS or cur[0].islower() or cur[0] in ")],;":
        return True
    if not wrapped:
        indent = len(line.raw) - len(line.raw.lstrip())
        first_indent = len(block.first.raw) - len(block.first.raw.lstrip())
        return block.bullet and indent > first_indent
    # Inside a bullet a shortish line still wraps; unbulleted lines must fill the column to count as wrapped.
    if len(prev) < (0.55 if block.bullet else 0.85) * width:
        return False  # the line above ended early: its entry was complete
    if prev.endswith((".", "!", "?", ":")):
        return block.bullet and len(prev) >= 0.85 * width
    return True


def _section_widths(lines: list[_Line], kinds: list[_Kind]) -> dict[int, float]:
    """The typical full-line length in each section (columns differ), for telling wrapped lines from short ones."""

    def p90(values: list[int]) -> float:
        values = sorted(values)
        return float(values[int(0.9 * (len(values) - 1))]) if values else 0.0

    lengths = [len(line.raw.strip()) for line, kind in zip(lines, kinds, strict=True) if not kind.blank]
    overall = p90(lengths)
    widths: dict[int, float] = {}
    group: list[_Line] = []

    def close() -> None:
        local = [len(line.raw.strip()) for line in group if line.raw.strip()]
        width = p90(local) if len(local) >= 5 else overall
        widths.update((line.number, width) for line in group)

    for line, kind in zip(lines, kinds, strict=True):
        if kind.section is not None:
            close()
            group = []
        group.append(line)
    close()
    return widths


def _headingless_blocks(lines: list[_Line], kinds: list[_Kind]) -> list[_Block]:
    """A CV with no recognisable headings: its paragraphs (past the name/contact lines) become interests."""
    blocks = []
    for block in _group_blocks(lines, kinds, wrapped=False):
        contact_like = re.search(r"@|https?://|www\.|\+?\d[\d ()-]{7,}", block.first.raw)
        if block.first.number == 1 or contact_like or len(block.first.raw.split()) < 4:
            continue
        block.section = "interests"
        blocks.append(block)
    return blocks


# ---------------------------------------------------------------- items


def _items_from_block(text: str, block: _Block, starts: list[int]) -> list[CVItem]:
    if block.section in ("contact", "other"):
        return []
    if block.section == "skills":
        spans = _list_spans(text, _after_label(text, block.start, block.end), block.end)
    elif block.section == "interests":
        spans = [
            span for sentence in sentence_spans(text, block.start, block.end) for span in _phrase_list(text, *sentence)
        ]
    else:
        spans = [(block.start, block.end)]
    return _make_items(text, block.section, spans, starts)


def _make_items(text: str, section: CVSection, spans: Iterable[tuple[int, int]], starts: list[int]) -> list[CVItem]:
    items = []
    for a, b in spans:
        a, b = _trim(text, a, b)
        source = text[a:b]
        clean = _clean(source)
        if not re.search(r"\w", clean):  # a lone separator or marker; "C" and "R" are real skills
            continue
        items.append(CVItem(section=section, text=clean, source_text=source, line=bisect_right(starts, a)))
    return items


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink a span past surrounding spaces, list glue ("and", "or") and trailing separators."""
    while a < b and text[a] in " \t\n":
        a += 1
    glue = re.match(r"(?:and|or)\s+", text[a:b], re.IGNORECASE)
    if glue and glue.end() < b - a:
        a += glue.end()
    while b > a and text[b - 1] in " \t\n*_`,;.|·•":
        b -= 1
    if b > a and text[b - 1] == ")" and text.count("(", a, b) < text.count(")", a, b):
        b -= 1
    return a, b


def _after_label(text: str, start: int, end: int) -> int:
    """Skip a category label such as "Languages:" or "**ML:**" at the start of a skills line."""
    match = re.match(r"[^:,;()\n]{1,40}:[*_]*(?!\S)", text[start:end])
    return start + match.end() if match else start


def _list_spans(text: str, start: int, end: int, separators: str = ",;|·•") -> list[tuple[int, int]]:
    """Split on separators outside brackets: "PyTorch (DDP, FSDP), JAX" is two items."""
    spans, depth, begin = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, end))
    return spans


def _phrase_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An interests sentence that is really a list ("coresets; data selection", "A, B, C") becomes its phrases."""
    segment = text[start:end]
    if ";" in segment:
        return _list_spans(text, start, end, ";")
    parts = _list_spans(text, start, end, ",")
    words = [text[a:b].lower().split() for a, b in parts]
    if any(not w or w[0] in _PROSE_OPENERS for w in words):  # "…, e.g. X", "…, which …": a sentence, not a list
        return [(start, end)]
    if (len(parts) >= 3 and all(len(w) <= 5 for w in words)) or (len(parts) == 2 and all(len(w) <= 3 for w in words)):
        return parts
    return [(start, end)]


_PROSE_OPENERS = frozenset(
    "i we my our which that who where while especially including such e.g. i.e. in with for from as but so".split()
)


def _clean(source: str) -> str:
    """The item as a reader means it: one line, no markdown, no bullet."""
    # Spans are bounded (300 characters) so unclosed markers in a long entry cannot make these quadratic.
    text = re.sub(r"\[([^\]\n]{1,300})\]\([^)\s]{0,500}\)", r"\1", source)  # [text](url)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text)  # keep hyphens at line breaks: compounds are common
    text = re.sub(r"(\*\*|__|`)(.{1,300}?)\1", r"\2", text, flags=re.DOTALL)
    text = re.sub(r"(?<!\w)([*_])(\S(?:.{0,300}?\S)?)\1(?!\w)", r"\2", text, flags=re.DOTALL)
    text = _BULLET.sub("", text).replace("*", "")  # unpaired emphasis and footnote stars ("M. Chen*")
    return " ".join(text.split()).strip(" #*_`")


def _content_start(raw: str) -> int | None:
    if not raw.strip() or _RULE.match(raw):
        return None
    bullet = _BULLET.match(raw)
    start = bullet.end() if bullet else len(raw) - len(raw.lstrip())
    return start if start < len(raw.rstrip()) else None


def _profile_list(profile: StudentProfile, section: CVSection) -> list[CVItem]:
    lists = {
        "education": profile.education,
        "interests": profile.interests,
        "skills": profile.skills,
        "publications": profile.publications,
        "experience": profile.experience,
        "projects": profile.experience,
        "awards": profile.awards,
    }
    return lists[section]


# ---------------------------------------------------------------- name and email

_NAME_PARTICLES = frozenset("de da di del della van von der den la le bin binti al dos du ter".split())
_NOT_NAMES = frozenset({"curriculum vitae", "resume", "résumé", "cv", "vita"})


def _find_email(text: str) -> str | None:
    match = EMAIL_RE.search(text)
    return match.group(0) if match else None


def _find_name(lines: list[_Line], kinds: list[_Kind]) -> str | None:
    """The first line near the top, before any heading, that reads as a person's name."""
    checked = 0
    for line, kind in zip(lines, kinds, strict=True):
        if kind.section is not None or checked >= 6:
            return None
        if kind.blank or kind.rule:
            continue
        checked += 1
        candidate = re.split(r"\s+[|•·–—]\s+|\s*[|,]\s*", _strip_emphasis(line.raw.strip().lstrip("#").strip()))[0]
        candidate = re.sub(r"^name\s*:\s*", "", candidate, flags=re.IGNORECASE).strip()
        if _looks_like_name(candidate):
            return candidate.title() if candidate.isupper() else candidate
    return None


def _looks_like_name(candidate: str) -> bool:
    words = candidate.split()
    if not 2 <= len(words) <= 5 or len(candidate) > 60 or candidate.lower() in _NOT_NAMES:
        return False
    if re.search(r"[\d@/:\\]", candidate):
        return False
    return all(
        word.lower() in _NAME_PARTICLES or (word[0].isupper() and re.fullmatch(r"[^\W\d_][\w'’.-]*", word))
        for word in words
    )


# ---------------------------------------------------------------- matching


@lru_cache(maxsize=16)
def _match_forms(text: str) -> tuple[str, str]:
    """Two comparable forms: a line-break hyphen read as a word break, and read as hyphenation."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("&", " and ")
    broken = re.sub(r"(\w)-\s+(\w)", r"\1 \2", text)
    joined = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)
    return _words(broken), _words(joined)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w+#]|_", " ", text).split())
