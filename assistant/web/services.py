"""The web app's one door into the library: every library function a route uses is imported here and nowhere
else in `assistant/web`, so a rename in the library touches this file only. Each function is the call the
matching CLI command makes, and no more; what the CLI prints, a template draws.

Functions that take a `PaperIndex` run on the library thread (`Services.call`); the others are safe anywhere.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant import shortlist
from assistant.ask import Asker, AskResult, answer_of, make_scope
from assistant.batch import BatchOptions, run_batch, shortlist_targets
from assistant.batch.journal import JOURNAL, Journal
from assistant.cv import MAX_CV_BYTES
from assistant.cv.refine import Refinement, read_student
from assistant.draft import draft_email, verify_text
from assistant.errors import AmbiguousError, InputError, NotFoundError, OutreachError
from assistant.export import cited_papers, render_draft, report_json
from assistant.guardrails import split_subject
from assistant.guardrails.verifier import support_verifier
from assistant.index import PaperIndex, Progress
from assistant.ingest import ingest_files, ingest_openalex
from assistant.match import rank_professors
from assistant.review import Segment, highlight
from assistant.settings import Settings
from assistant.shortlist import STATUSES, ShortlistEntry
from assistant.text import tokenize
from assistant.types import DraftResult, GuardrailReport, IngestReport, MatchResult, Paper, Professor, StudentProfile
from assistant.web.jobs import LibraryThread

T = TypeVar("T")
MAX_INGEST_BYTES = 200 * 1024 * 1024  # the gold-standard corpus is 4 MB; a listing this size is not a mistake
# Library names the routes use through this module (so a rename in the library is fixed here), besides the
# functions below.
__all__ = [
    "MAX_CV_BYTES",
    "STATUSES",
    "AmbiguousError",
    "IngestReport",
    "InputError",
    "MatchResult",
    "NotFoundError",
    "OutreachError",
    "PaperIndex",
    "Progress",
    "Segment",
    "ShortlistEntry",
]


# ---------------------------------------------------------------- state the server keeps in memory


@dataclass
class Student:
    """The uploaded CV as the library read it. Held in memory; on disk under the store only when saved."""

    profile: StudentProfile
    refinement: Refinement | None
    warning: str | None
    filename: str
    saved: bool = False
    key: str = field(default_factory=lambda: secrets.token_hex(8))  # names this reading in caches


@dataclass
class Draft:
    """A generated draft and the email as the student last edited and checked it."""

    result: DraftResult
    subject: str
    body: str
    report: GuardrailReport

    @property
    def text(self) -> str:
        return f"Subject: {self.subject}\n\n{self.body}"


@dataclass
class Services:
    settings: Settings
    library: LibraryThread = field(default_factory=LibraryThread)
    student: Student | None = None
    drafts: dict[str, Draft] = field(default_factory=dict)
    _index: PaperIndex | None = None  # built and used on the library thread only
    _ranking: tuple[tuple[str, int], list[MatchResult]] | None = None

    def index(self) -> PaperIndex:
        if self._index is None:
            self._index = PaperIndex(self.settings, remember_cv=False)  # a CV not kept leaves nothing on disk
        return self._index

    async def call(self, fn: Callable[[PaperIndex], T]) -> T:
        """Run `fn(index)` on the library thread, where the server's index lives."""
        return await self.library.call(lambda: fn(self.index()))

    @property
    def web_dir(self) -> Path:
        return self.settings.store_dir / "web"

    @property
    def batch_dir(self) -> Path:
        return self.web_dir / "batch"

    def ranking(self, index: PaperIndex, student: Student) -> list[MatchResult]:
        """Every professor ranked for the CV, computed once per CV and store version (filters reuse it)."""
        key = (student.key, index.catalog.version)
        if self._ranking is None or self._ranking[0] != key:
            self._ranking = (key, rank_professors(student.profile, index.settings, index=index))
        return self._ranking[1]

    def forget_student(self) -> None:
        if self.student and self.student.saved:
            shutil.rmtree(self.web_dir / "cv", ignore_errors=True)
        self.student, self._ranking = None, None
        self.drafts.clear()  # they quote the CV


# ---------------------------------------------------------------- uploads


@contextmanager
def uploaded_file(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file named as the student named it, in a private temporary folder removed afterwards.
    Errors name the file, as the CLI's do, not the temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="outreach-upload-"))
    try:
        path = folder / name
        path.write_bytes(data)
        try:
            yield path
        except OutreachError as exc:
            exc.args = (str(exc).replace(f"{folder}/", ""),)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_uploaded_cv(settings: Settings, filename: str, data: bytes, *, offline: bool) -> Student:
    with uploaded_file(filename, data) as path:
        profile, refinement, warning = read_student(path, settings, offline=offline)
    profile.source_path = filename
    return Student(profile, refinement, warning, filename)


def save_cv(services: Services, student: Student, data: bytes) -> None:
    """The uploaded file under the store, on the student's request: the one CV a restarted server reads again."""
    folder = services.web_dir / "cv"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / student.filename).write_bytes(data)
    student.saved = True


def saved_cv(services: Services) -> Student | None:
    """The CV the student chose to keep under the store, read again (at server start)."""
    folder = services.web_dir / "cv"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    if not files:
        return None
    student = read_uploaded_cv(services.settings, files[0].name, files[0].read_bytes(), offline=False)
    student.saved = True
    return student


# ---------------------------------------------------------------- corpus


def professors(index: PaperIndex) -> tuple[list[Professor], dict[str, int]]:
    return index.catalog.professors(kind=None), index.catalog.paper_counts()


def ingest_upload(
    settings: Settings, filename: str, data: bytes, *, professor: str | None, collection: str | None, progress: Progress
) -> IngestReport:
    with uploaded_file(filename, data) as path:
        report = ingest_files([path], settings, professor=professor, collection=collection, progress=progress)
    report.files = [filename]
    return report


def ingest_author(settings: Settings, query: str, progress: Progress) -> IngestReport:
    return ingest_openalex(query, settings, progress=progress)


@dataclass(frozen=True)
class Candidate:
    label: str
    openalex_id: str | None


def candidates(exc: AmbiguousError) -> list[Candidate]:
    """The namesakes an ambiguous OpenAlex name lists, each with the id that picks it (the label ends in it)."""
    found = []
    for label in exc.candidates:
        tail = label.rsplit(" — ", 1)[-1].strip()
        found.append(Candidate(label, tail if re.fullmatch(r"A\d+", tail) else None))
    return found


def professor(index: PaperIndex, professor_id: str) -> Professor:
    return index.catalog.resolve(professor_id, kind="professor")


def search_papers(index: PaperIndex, prof: Professor, query: str) -> list[Paper]:
    """The professor's papers, or with a query their best hybrid-search hits (as `outreach search --professor`)."""
    if not query.strip():
        return list(prof.papers)
    hits = index.search(query, professor_ids=[prof.id], k=max(len(prof.papers), 1))
    return [h.paper for h in hits if h.paper is not None]


def ask(
    index: PaperIndex, professor_id: str, question: str, *, offline: bool, on_text: Callable[[str], None]
) -> AskResult:
    """The answer, its text passed to `on_text` as it is made (as `outreach ask` prints it)."""
    asker = Asker(index.settings, make_scope(index, professor_id), index=index, offline=True if offline else None)
    return answer_of(asker.stream(question), on_text).result


def answer_segments(result: AskResult) -> list[tuple[str, Paper | None, int | None]]:
    """The answer cut at its [n] markers: (text, the cited paper, n) for a marker, (text, None, None) between."""
    by_marker = {s.marker: s.paper for s in result.sources}
    pieces: list[tuple[str, Paper | None, int | None]] = []
    pos = 0
    for m in re.finditer(r"\[(\d+)\]", result.answer.answer):
        paper = by_marker.get(int(m.group(1)))
        if paper is None:
            continue
        pieces.append((result.answer.answer[pos : m.start()], None, None))
        pieces.append((m.group(0), paper, int(m.group(1))))
        pos = m.end()
    pieces.append((result.answer.answer[pos:], None, None))
    return [p for p in pieces if p[0]]


def term_segments(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, shared) so the words behind the match's shared terms can be marked."""
    wanted = set(terms)
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in re.finditer(r"[^\W_]+", text):
        if wanted & set(tokenize(m.group(0))):
            pieces += [(text[pos : m.start()], False), (m.group(0), True)]
            pos = m.end()
    pieces.append((text[pos:], False))
    return [p for p in pieces if p[0]]


# ---------------------------------------------------------------- drafts


def make_draft(index: PaperIndex, student: Student, professor_id: str, *, offline: bool) -> Draft:
    prof = professor(index, professor_id)
    result = draft_email(student.profile, prof, index.settings, offline=True if offline else None, index=index)
    return Draft(result, result.draft.subject, result.draft.body, result.report)


def recheck(index: PaperIndex, student: Student | None, draft: Draft, subject: str, body: str) -> Draft:
    """The edited email checked as `outreach verify` checks it; the draft keeps its sources."""
    prof = professor(index, draft.result.professor_id)
    edited = Draft(draft.result, subject.strip(), body, GuardrailReport())
    # The same verifier rule as the draft it came from: an offline draft's re-check makes no LLM call either.
    verifier = support_verifier(index.settings, offline=draft.result.provenance.mode == "offline")
    edited.report = verify_text(edited.text, prof, student.profile if student else None, index, verifier)
    return edited


def draft_segments(draft: Draft) -> list[Segment]:
    return highlight(draft.body, draft.report.violations)


def violations(report: GuardrailReport) -> list[dict[str, Any]]:
    return list(report_json(report)["violations"])


def cited(draft: Draft) -> list[Paper]:
    return cited_papers(draft.result)


def eml(index: PaperIndex, student: Student | None, draft: Draft) -> str:
    """The edited email as a .eml file: To the professor when their address is known, From the CV's."""
    prof = professor(index, draft.result.professor_id)
    subject, body = split_subject(draft.text)
    result = draft.result.model_copy(
        update={
            "draft": draft.result.draft.model_copy(update={"subject": subject, "body": body}),
            "report": draft.report,
        }
    )
    return render_draft(result, "eml", to=prof.email, sender=student.profile.email if student else None)


# ---------------------------------------------------------------- shortlist


def shortlist_entries(index: PaperIndex) -> list[ShortlistEntry]:
    return shortlist.entries(index.catalog)


def shortlisted_ids(index: PaperIndex) -> set[str]:
    return {e.professor_id for e in shortlist.entries(index.catalog)}


def shortlist_add(index: PaperIndex, professor_id: str) -> None:
    shortlist.add(index.catalog, [professor_id])


def shortlist_update(index: PaperIndex, professor_id: str, *, status: str | None, note: str | None) -> None:
    if status is not None:
        shortlist.set_status(index.catalog, professor_id, status)
    if note is not None:
        shortlist.note(index.catalog, professor_id, note)


def shortlist_remove(index: PaperIndex, professor_id: str) -> None:
    shortlist.remove(index.catalog, professor_id)


def mark_drafted(index: PaperIndex, professor_id: str) -> None:
    """Onto the shortlist if need be, then `drafted` (as `outreach shortlist add` and `status`)."""
    shortlist.add(index.catalog, [professor_id])
    shortlist.set_status(index.catalog, professor_id, "drafted")


# ---------------------------------------------------------------- batch


class BatchStopped(OutreachError):
    """The student pressed Stop; the journal keeps every finished draft."""


def run_shortlist_batch(
    settings: Settings, student: Student, out_dir: Path, *, offline: bool, concurrency: int, stop: Callable[[], bool]
) -> None:
    """`outreach batch --shortlist --out DIR` with the page's options; Stop takes effect after the next draft."""

    def on_item(key: str, state: str) -> None:
        if stop():
            raise BatchStopped("stopped; press Resume to draft the rest")

    # This thread's own: the batch takes minutes and must not hold the pages. The CV may not be kept: save nothing.
    index = PaperIndex(settings, remember_cv=False)
    usage = student.refinement.usage if student.refinement else None
    options = BatchOptions(
        out_dir=out_dir,
        concurrency=concurrency,
        offline=True if offline else None,
        cv_prompt_tokens=usage.prompt_tokens if usage else 0,
        cv_completion_tokens=usage.completion_tokens if usage else 0,
    )
    run_batch(student.profile, shortlist_targets(index.catalog), settings, options, index=index, on_item=on_item)


@dataclass(frozen=True)
class BatchItem:
    key: str
    name: str
    state: str  # pending, running, done, failed (the journal's)
    status: str | None  # clean / needs review, when done
    error: str | None


def batch_items(out_dir: Path) -> list[BatchItem]:
    """Each professor's last state in the batch journal: what the progress bars show, across server restarts."""
    path = out_dir / JOURNAL
    if not path.exists():
        return []
    latest = Journal(path).latest()
    return [BatchItem(key, r.name or key, r.state, r.status, r.error) for key, r in latest.items()]
