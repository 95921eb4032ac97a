"""Derived data: what match, draft and per-professor search need about every paper, saved beside the catalog.

One folder per catalog version and embedding model (`store/derived/<version>-<model>/`): the vector matrix, the
TF-IDF term matrix (tfidf.py), each row's year and whether it has an abstract, and which rows belong to which
professor. Rows are the catalog's papers in (professor id, position) order. The next command memory-maps these
files instead of reading every vector from Chroma and re-tokenising every abstract. A folder is written under a
temporary name and renamed into place, so a reader never sees half of one; any of them may be deleted (they are
rebuilt on demand).

Papers themselves stay in the catalog: `StoreData.papers[row]` reads a professor's papers when first asked,
through a read transaction held open at the data's version, so a concurrent ingest cannot shift rows under it.
"""

from __future__ import annotations

import atexit
import bisect
import hashlib
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from assistant.embeddings_memo import memo_path
from assistant.files import building_folder, folder_complete
from assistant.ids import slugify
from assistant.store.access import connect_read_only
from assistant.store.space import is_read_only
from assistant.tfidf import TermCounts, TfIdf
from assistant.types import Paper

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

FORMAT = "1"
# Record ids -> (ids found, their vectors); the index reads them from Chroma.
FetchVectors = Callable[[list[str]], tuple[list[str], Sequence[Sequence[float]]]]


def record_id(professor_id: str, paper_id: str) -> str:
    return f"{professor_id}:{paper_id}"


class PinnedCatalog:
    """A read-only connection to the catalog with one read transaction open, so every read sees one version.

    Shared by threads (a batch's workers read papers through it), hence the lock and check_same_thread=False."""

    def __init__(self, path: Path) -> None:
        self.conn = connect_read_only(path, check_same_thread=False)  # works on a read-only store too
        self.lock = threading.Lock()
        self.conn.execute("BEGIN")
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        self.version = int(row[0]) if row else 0

    def close(self) -> None:
        self.conn.close()


class LazyPapers(Sequence[Paper]):
    """`papers[row]` without loading every paper: a professor's papers are read (once) when one is asked for."""

    def __init__(self, pinned: PinnedCatalog, professors: list[str], starts: list[int], n_rows: int) -> None:
        self._pinned, self._professors, self._starts, self._n = pinned, professors, starts, n_rows
        self._loaded: dict[str, list[Paper]] = {}

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, row: int) -> Paper: ...
    @overload
    def __getitem__(self, row: slice) -> list[Paper]: ...
    def __getitem__(self, row: int | slice) -> Paper | list[Paper]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self._n))]
        professor_id, position = self.owner(int(row))
        return self.of(professor_id)[position]

    def owner(self, row: int) -> tuple[str, int]:
        """(professor id, position among their papers) of a row."""
        if not 0 <= row < self._n:
            raise IndexError(row)
        i = bisect.bisect_right(self._starts, row) - 1
        return self._professors[i], row - self._starts[i]

    def keys(self, rows: Sequence[int]) -> list[tuple[str, str]]:
        """(professor id, paper id) of each row, without reading the papers: one query for all of them (a join
        from the wanted rows, so each is an index lookup)."""
        owners = [self.owner(int(row)) for row in rows]
        if not owners:
            return []
        sql = (
            f"WITH wanted(p, n) AS (VALUES {','.join(['(?, ?)'] * len(owners))}) SELECT professor_id, position, "
            "paper_id FROM wanted CROSS JOIN papers ON papers.professor_id = wanted.p AND papers.position = wanted.n"
        )
        with self._pinned.lock:
            found = self._pinned.conn.execute(sql, [x for owner in owners for x in owner]).fetchall()
        paper_of = {(pid, position): paper for pid, position, paper in found}
        return [(pid, paper_of[(pid, position)]) for pid, position in owners]

    def __iter__(self) -> Iterator[Paper]:
        for pid in self._professors:
            yield from self.of(pid)

    def of(self, professor_id: str) -> list[Paper]:
        found = self._loaded.get(professor_id)
        if found is None:
            with self._pinned.lock:
                rows = self._pinned.conn.execute(
                    "SELECT data FROM papers WHERE professor_id = ? ORDER BY position", (professor_id,)
                ).fetchall()
            found = self._loaded[professor_id] = [Paper.model_validate_json(r[0]) for r in rows]
        return found


@dataclass
class StoreData:
    """Every paper row of one catalog version: vectors, keyword matrix, years, owners."""

    version: int
    path: Path
    matrix: NDArray[np.float32]  # (rows, dim), L2-normalised; zero rows for papers with no vector
    years: NDArray[np.int32]  # 0 when unknown
    has_abstract: NDArray[np.bool_]
    rows_of: dict[str, range]  # professor id -> their rows
    papers: LazyPapers
    # Where CV items' vectors are saved once embedded (embeddings_memo.py), any version; None: never saved, so a CV
    # the web app was not asked to keep leaves nothing derived from it on disk
    vector_memo: Path | None

    def __len__(self) -> int:
        return len(self.years)

    @cached_property
    def tfidf(self) -> TfIdf:
        """Loaded on first use: search never needs its vocabulary."""
        return TfIdf.load(self.path, n_docs=len(self))


def folder(store_dir: Path, version: int, model_id: str) -> Path:
    return store_dir / "derived" / f"{version}-{slugify(model_id)}"


def open_data(
    store_dir: Path, model_id: str, pinned: PinnedCatalog, fetch: FetchVectors, *, remember_cv: bool = True
) -> StoreData:
    """The derived data of the pinned version: loaded when saved, else built (and saved) first; on a read-only
    store that has none saved (deleted, or written before they existed), built in a temporary folder instead."""
    path = folder(store_dir, pinned.version, model_id)
    if not _complete(path):
        try:
            _build(path, pinned, fetch)
        except OSError as exc:
            if not is_read_only(exc):
                raise
            path = _build_elsewhere(path, pinned, fetch)
    return _load(path, pinned, memo_path(store_dir, model_id) if remember_cv else None)


def _build_elsewhere(path: Path, pinned: PinnedCatalog, fetch: FetchVectors) -> Path:
    log.info("the store is read-only: building its derived data in a temporary folder for this process")
    scratch = Path(tempfile.mkdtemp(prefix="outreach-derived-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)  # mapped until the process ends
    _build(scratch / path.name, pinned, fetch)
    return scratch / path.name


def _complete(path: Path) -> bool:
    return folder_complete(path, FORMAT)


def _load(path: Path, pinned: PinnedCatalog, vector_memo: Path | None) -> StoreData:
    owners = json.loads((path / "professors.json").read_text())  # [[professor id, first row, end row], ...]
    years = np.load(path / "years.npy", mmap_mode="r")
    papers = LazyPapers(pinned, [o[0] for o in owners], [o[1] for o in owners], len(years))
    return StoreData(
        version=pinned.version,
        path=path,
        matrix=np.load(path / "vectors.npy", mmap_mode="r"),
        years=years,
        has_abstract=np.load(path / "has_abstract.npy", mmap_mode="r"),
        rows_of={pid: range(start, end) for pid, start, end in owners},
        papers=papers,
        vector_memo=vector_memo,
    )


def _build(path: Path, pinned: PinnedCatalog, fetch: FetchVectors) -> None:
    with pinned.lock:
        rows = pinned.conn.execute(
            "SELECT professor_id, paper_id, terms, COALESCE(json_extract(data, '$.year'), 0), "
            "COALESCE(json_extract(data, '$.abstract'), '') != '', data FROM papers ORDER BY professor_id, position"
        ).fetchall()
    log.info("building derived data for catalog version %d (%d papers)", pinned.version, len(rows))
    with building_folder(path, FORMAT) as tmp:
        _write(tmp, rows, fetch, _previous(path))
        (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "version": pinned.version, "rows": len(rows)}))
    _prune(path, pinned.version)


@dataclass
class _Previous:
    """An older version's rows, reused for the papers that did not change (most of them, after an ingest)."""

    row_of: dict[str, int]  # record id -> row
    keys: NDArray[np.void]  # per row: digest of the paper's catalog data and terms
    matrix: NDArray[np.float32]
    counts: TermCounts


def _previous(path: Path) -> _Previous | None:
    """The newest complete older folder of the same model that saved what reuse needs, if any."""
    number, _, model = path.name.partition("-")
    older = []
    for other in path.parent.iterdir():
        version, _, other_model = other.name.partition("-")
        if other_model == model and version.isdigit() and int(version) < int(number) and _complete(other):
            older.append((int(version), other))
    for _, other in sorted(older, reverse=True):
        counts = TermCounts.load(other)
        if counts is not None and (other / "record_ids.txt").exists():
            ids = (other / "record_ids.txt").read_text().split("\n")
            return _Previous(
                row_of={rid: i for i, rid in enumerate(ids)},
                keys=np.load(other / "row_keys.npy"),
                matrix=np.load(other / "vectors.npy", mmap_mode="r"),
                counts=counts,
            )
    return None


def _row_key(data: str, terms: str) -> bytes:
    # The vector and the terms are functions of the paper's text, which the catalog data holds.
    return hashlib.blake2b(f"{data}\0{terms}".encode(), digest_size=16).digest()


def _write(
    out: Path, rows: list[tuple[str, str, str, int, int, str]], fetch: FetchVectors, prev: _Previous | None
) -> None:
    owners: list[list[object]] = []
    for i, (pid, *_rest) in enumerate(rows):
        if not owners or owners[-1][0] != pid:
            owners.append([pid, i, i])
        owners[-1][2] = i + 1
    (out / "professors.json").write_text(json.dumps(owners))
    np.save(out / "years.npy", np.array([r[3] or 0 for r in rows], dtype=np.int32))
    np.save(out / "has_abstract.npy", np.array([bool(r[4]) for r in rows], dtype=np.bool_))
    ids = [record_id(r[0], r[1]) for r in rows]
    keys = np.array([_row_key(r[5], r[2]) for r in rows], dtype="V16")
    source = np.full(len(rows), -1, dtype=np.int64)  # the previous version's row of each unchanged paper
    if prev is not None:
        for j, rid in enumerate(ids):
            old = prev.row_of.get(rid)
            if old is not None and prev.keys[old] == keys[j]:
                source[j] = old
    np.save(out / "vectors.npy", _vectors(ids, source, prev, fetch))
    fresh = np.flatnonzero(source < 0)
    if prev is None:
        counts = TermCounts.of(r[2].split() for r in rows)
    else:
        new = TermCounts.of((rows[j][2].split() for j in fresh), prev.counts.vocabulary)
        order = source.copy()
        order[fresh] = len(prev.counts) + np.arange(len(fresh))
        counts = prev.counts.then(new).take(order)
    tfidf, counts = TfIdf.from_counts(counts)
    tfidf.save(out)
    counts.save(out)
    (out / "record_ids.txt").write_text("\n".join(ids))
    np.save(out / "row_keys.npy", keys)
    log.info("derived data: %d of %d rows reused from the previous version", len(rows) - len(fresh), len(rows))


def _vectors(
    ids: list[str], source: NDArray[np.int64], prev: _Previous | None, fetch: FetchVectors
) -> NDArray[np.float32]:
    """The previous version's vectors of unchanged papers (unless it had none for them), Chroma's for the rest."""
    if prev is None or prev.matrix.shape[1] <= 1:  # a store with no vectors saves one zero column
        return _matrix(ids, fetch)
    reused = np.flatnonzero(source >= 0)
    matrix = np.zeros((len(ids), prev.matrix.shape[1]), dtype=np.float32)
    matrix[reused] = prev.matrix[source[reused]]
    missing = np.flatnonzero(~matrix.any(axis=1))
    if len(missing):
        got = _matrix([ids[j] for j in missing], fetch)
        if got.shape[1] == matrix.shape[1]:
            matrix[missing] = got
    return matrix


def _matrix(ids: list[str], fetch: FetchVectors, batch: int = 5000) -> NDArray[np.float32]:
    """Rows in `ids` order, asked for `batch` ids at a time (Chroma's SQLite caps the ids per call)."""
    row = {rid: i for i, rid in enumerate(ids)}
    matrix: NDArray[np.float32] | None = None
    found = 0
    for start in range(0, len(ids), batch):
        got_ids, vectors = fetch(ids[start : start + batch])
        if not len(got_ids):
            continue
        if matrix is None:
            matrix = np.zeros((len(ids), len(vectors[0])), dtype=np.float32)
        matrix[[row[r] for r in got_ids]] = np.asarray(vectors, dtype=np.float32)
        found += len(got_ids)
    if found < len(ids):
        log.warning("%d catalog papers have no vector; run `outreach reindex`", len(ids) - found)
    return matrix if matrix is not None else np.zeros((len(ids), 1), dtype=np.float32)


def _prune(keep: Path, version: int) -> None:
    """Drop older versions' folders (a newer one may be another process's); a process still reading one keeps
    its open mappings (POSIX unlink)."""
    for other in keep.parent.iterdir():
        number = other.name.split("-", 1)[0]
        if other != keep and number.isdigit() and int(number) <= version:
            shutil.rmtree(other, ignore_errors=True)
