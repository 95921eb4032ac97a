"""The store as the batch's worker threads see it: read once, in the calling thread, before any worker starts.

Worker threads cannot share the catalog's SQLite connection (sqlite3 refuses a connection made in another
thread), re-reading every paper for every draft would cost more than the draft, and the index's lazily built
parts would be built by racing threads. So the batch reads everything up front into these views, which offer
only the reads matching and drafting make (assistant/seams.py) and have no writers at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.index import PaperIndex
from assistant.seams import Snapshot
from assistant.types import Professor

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from assistant.embeddings import Embedder

T = TypeVar("T")


class FrozenCatalog:
    """Every record and paper of the catalog, in memory (a CatalogReader)."""

    def __init__(self, professors: Sequence[Professor]) -> None:
        self._all = list(professors)
        self._by_id = {p.id: p for p in self._all}

    def get(self, professor_id: str, *, with_papers: bool = True) -> Professor | None:
        prof = self._by_id.get(professor_id)
        return _copy(prof, with_papers) if prof else None

    def professors(self, kind: str | None = "professor", *, with_papers: bool = False) -> list[Professor]:
        return [_copy(p, with_papers) for p in self._all if kind is None or p.kind == kind]


def _copy(prof: Professor, with_papers: bool) -> Professor:
    """A caller may change what it gets; the view stays as it was read."""
    return prof.model_copy(update={"papers": list(prof.papers) if with_papers else []})


class LockedEmbedder:
    """Serialises calls into the shared embedding model (the MiniLM session and its memo are not ours to trust
    across threads); the ONNX run itself releases the GIL, so this costs little."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        with self._lock:
            return self.inner.embed(texts)


class FrozenIndex:
    """The index for worker threads (an IndexReader): its snapshot, TF-IDF and catalog read up front; embedding
    calls go through a lock; drafts never touch Chroma."""

    def __init__(self, index: PaperIndex) -> None:
        snapshot = index.snapshot()
        snapshot.tfidf  # noqa: B018 - built lazily: build it here, not in racing worker threads
        self._snapshot = snapshot
        self.catalog = FrozenCatalog(index.catalog.professors(kind=None, with_papers=True))
        self.embedder = LockedEmbedder(index.embedder)
        self._derived: dict[str, Any] = {}
        self._derived_lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """Built once per batch, by whichever worker asks first (the store cannot change under a frozen view)."""
        with self._derived_lock:
            if key not in self._derived:
                self._derived[key] = build()
            return cast(T, self._derived[key])
