"""Reading a CV file (PDF, DOCX, Markdown or plain text) into tidy text; every problem with the file is an
InputError that says what to do. Nothing here logs: CV text is personal data."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.cv.pdf_layout import pdf_page_text
from assistant.errors import InputError
from assistant.files import decode_text

MAX_CV_BYTES = 10 * 1024 * 1024
MAX_CV_CHARS = 300_000  # ten times a long academic CV; more text than this is not a CV (and parsing it is slow)
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt")


def extract_text(path: Path) -> str:
    """The CV's text, tidied (newlines, ligatures, bullet glyphs), as every later offset refers to it."""
    path = Path(path)
    suffix = _check_file(path)
    text = tidy(_READERS[suffix](path))
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
            return "\n".join(pdf_page_text(page) for page in reader.pages)
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


def tidy(text: str) -> str:
    """Normalise what every reader returns: newlines, ligatures (NFKC), bullet glyphs, invisible characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_PRIVATE_BULLETS).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")  # leading lines keep line numbers
