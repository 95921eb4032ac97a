"""What matching and drafting read from the store and ask of the LLM, as Protocols.

`PaperIndex`, `Catalog` and `LLM` satisfy them as they are. A batch hands the same code stand-ins of its own
(a read-only view of the store that worker threads may share, an LLM behind a rate gate: assistant/batch/) that
implement these and nothing else, so there are no writers to disable and no call that can slip past the gate; a
new read in matching or drafting shows up as a type error there instead of a failure at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from assistant.embeddings import Embedder
    from assistant.keywords import TfIdf
    from assistant.llm import Usage
    from assistant.settings import CallKind
    from assistant.types import Paper, Professor

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class CatalogReader(Protocol):
    def get(self, professor_id: str, *, with_papers: bool = True) -> Professor | None: ...

    def professors(self, kind: str | None = "professor", *, with_papers: bool = False) -> list[Professor]: ...


class Snapshot(Protocol):
    """Every paper's vector and keyword index, in one row order."""

    @property
    def keys(self) -> list[tuple[str, str]]: ...  # (professor_id, paper_id) per row

    @property
    def papers(self) -> list[Paper]: ...

    @property
    def matrix(self) -> NDArray[np.float32]: ...

    @property
    def rows_of(self) -> dict[str, list[int]]: ...  # professor_id -> rows

    @property
    def tfidf(self) -> TfIdf: ...


class IndexReader(Protocol):
    @property
    def catalog(self) -> CatalogReader: ...

    @property
    def embedder(self) -> Embedder: ...

    def snapshot(self) -> Snapshot: ...

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """Something computed once from the store's contents (the guardrails' corpus) and kept while they hold."""
        ...


class StructuredLLM(Protocol):
    def structured(
        self, messages: list[tuple[str, str]], schema: type[M], *, what: str = "LLM", kind: CallKind | None = None
    ) -> tuple[M, Usage]: ...
