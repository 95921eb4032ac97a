"""What matching and drafting read from the store and ask of the LLM, as Protocols.

`PaperIndex`, `Catalog` and `LLM` satisfy them as they are. A batch hands the same code stand-ins of its own
(a read-only view of the store that worker threads may share, an LLM behind a rate gate: assistant/batch/) that
implement these and nothing else, so there are no writers to disable and no call that can slip past the gate; a
new read in matching or drafting shows up as a type error there instead of a failure at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from assistant.derived import StoreData
    from assistant.embeddings import Embedder
    from assistant.llm import Usage
    from assistant.settings import CallKind
    from assistant.types import Professor

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class CatalogReader(Protocol):
    def get(self, professor_id: str, *, with_papers: bool = True) -> Professor | None: ...

    def professors(self, kind: str | None = "professor", *, with_papers: bool = False) -> list[Professor]: ...


# Every paper row of one catalog version (vectors, TF-IDF, years, owners; papers read lazily): read-only once
# built, so a batch's worker threads share it as it is.
Snapshot: TypeAlias = "StoreData"


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
