"""The paper index: one vector per paper in Chroma, the catalog's FTS5 keyword index, and hybrid search over both.

Chroma collections are created with no embedding function (we compute every vector in embeddings.py) and
cosine space; the collection records the model that made its vectors, so vectors are never mixed. Global search
asks Chroma's HNSW for the nearest vectors; search within professors, match and draft read the derived data
(derived.py: vectors and term matrix saved beside the catalog per catalog version), so no command loads the
whole store into memory or rebuilds an index.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.catalog import Catalog
from assistant.derived import PinnedCatalog, StoreData, open_data, record_id
from assistant.embeddings import Embedder, embedder_id, get_embedder
from assistant.errors import StoreMismatchError
from assistant.ids import slugify
from assistant.keywords import best_fused_score, reciprocal_rank_fusion
from assistant.settings import Settings
from assistant.store.space import ensure_space
from assistant.types import Paper, Professor, SearchHit

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

T = TypeVar("T")

log = logging.getLogger(__name__)

CHUNKING = "one vector per paper: title + abstract, truncated at 256 tokens"
# HNSW's breadth at query time: the default 100 missed true neighbours; recall@10 against exact search was
# measured by benchmarks/scale.py (README, "Scale").
SEARCH_EF = 200
# Global search scans the derived matrix exactly up to this many rows (384 MB of float32 vectors: about 0.1 s
# from the page cache) and asks Chroma's HNSW beyond. Below it the scan is also faster from a cold CLI: importing
# chromadb and loading an HNSW index of 30,000 vectors took 1.5-4 s here (benchmarks/scale.py, README "Scale").
EXACT_SEARCH_MAX_ROWS = 250_000
READ_BATCH = 5000  # ids per Chroma get: one call with 70,000 ids exceeds its SQLite's variable limit
Progress = Callable[[int, int], None]
_Snapshot = StoreData  # the name batch.py's FrozenIndex knows it by


def collection_name(model_id: str) -> str:
    return f"papers-{slugify(model_id)}"[:500]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def chroma_client(settings: Settings) -> Any:
    """Embedded Chroma under the store by default; a Chroma server when OUTREACH_CHROMA_HOST is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class PaperIndex:
    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        embedder: Embedder | None = None,
        *,
        remember_cv: bool = True,
    ) -> None:
        """`embedder` replaces the configured one (a test or benchmark seam); it must claim the same model id.
        `remember_cv=False`: the vectors of the CVs matched or drafted for are never saved in the store."""
        self.settings = settings
        self.remember_cv = remember_cv
        self.catalog = catalog or Catalog(settings.catalog_path)
        self.model_id = embedder.model_id if embedder else embedder_id(settings)
        stored = self.catalog.get_meta("embedding_model")
        if stored and stored != self.model_id:
            raise StoreMismatchError(
                f"the store at {settings.store_dir} was indexed with the embedding model {stored!r}, but the "
                f"settings ask for {self.model_id!r}. Run `outreach reindex` to re-embed every paper with "
                f"{self.model_id!r}, or switch OUTREACH_EMBEDDING_BACKEND back."
            )
        self._client: Any = None
        self._collection: Any = None
        self._embedder: Embedder | None = embedder
        self._snapshot: StoreData | None = None
        self._derived: dict[str, tuple[int, Any]] = {}
        self._derived_lock = threading.Lock()

    # ------------------------------------------------------------ plumbing

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """Something computed from the store's contents (e.g. the guardrails' corpus), kept until the catalog
        changes; thread-safe, so a batch's workers build it once between them. Reads only the catalog."""
        version = self.catalog.version
        with self._derived_lock:
            hit = self._derived.get(key)
            if hit is None or hit[0] != version:
                hit = self._derived[key] = (version, build())
            return cast(T, hit[1])

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = chroma_client(self.settings)
        return self._client

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                name=collection_name(self.model_id),
                embedding_function=None,
                metadata={
                    "hnsw:space": "cosine",
                    "hnsw:search_ef": SEARCH_EF,
                    "embedding_model": self.model_id,
                    "chunking": CHUNKING,
                },
            )
            stored = (self._collection.metadata or {}).get("embedding_model")
            if stored and stored != self.model_id:
                raise StoreMismatchError(
                    f"Chroma collection {self._collection.name!r} holds vectors of {stored!r}; run `outreach reindex`"
                )
            hnsw = (self._collection.configuration or {}).get("hnsw") or {}
            if hnsw.get("ef_search", SEARCH_EF) < SEARCH_EF:  # made by an older version, or by hand: raise it
                self._collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
        return self._collection

    def reopen_vectors(self) -> None:
        """Forget the Chroma clients this process opened (Chroma shares one per path in a process). A local
        Chroma keeps what it loaded in memory and does not see another process's writes (its upserts then fail
        with "Error finding id"): a writer, holding the store's lock, starts from what is on disk."""
        if self.settings.chroma_host:
            return
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        self._client = self._collection = None

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self.embedder.embed([text])[0]

    # ------------------------------------------------------------ writing

    def upsert_vectors(self, professors: Sequence[Professor], progress: Progress | None = None) -> int:
        """Embed the papers whose text changed since last time, and upsert them. Returns how many were embedded."""
        wanted: dict[str, tuple[str, Paper]] = {}
        for prof in professors:
            for paper in prof.papers:
                wanted[record_id(prof.id, paper.id)] = (prof.id, paper)
        if not wanted:
            return 0
        unchanged = self._unchanged(wanted)
        todo = [rid for rid in wanted if rid not in unchanged]
        # A paper shared by several professors is embedded once.
        by_text: dict[str, list[str]] = {}
        for rid in todo:
            by_text.setdefault(wanted[rid][1].embedding_text(), []).append(rid)
        texts = list(by_text)
        batch = max(self.settings.embedding_batch_size * 8, 64)
        done = 0
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            vectors = self.embedder.embed(chunk)
            ids, embs, metas, docs = [], [], [], []
            for text, vec in zip(chunk, vectors, strict=True):
                for rid in by_text[text]:
                    prof_id, paper = wanted[rid]
                    ids.append(rid)
                    embs.append(vec.tolist())
                    docs.append(text)
                    metas.append(self._metadata(prof_id, paper))
            self.collection.upsert(ids=ids, embeddings=embs, metadatas=metas, documents=docs)
            done += len(chunk)
            if progress:
                progress(done, len(texts))
        self.catalog.set_meta("embedding_model", self.model_id)
        self.catalog.set_meta("embedding_dimension", str(self.embedder.dimension))
        self._snapshot = None
        return len(texts)

    def _unchanged(self, wanted: dict[str, tuple[str, Paper]]) -> set[str]:
        """Records already in Chroma with the same text; asked in batches (Chroma's SQLite caps the ids per call)."""
        ids, unchanged = list(wanted), set[str]()
        for start in range(0, len(ids), READ_BATCH):
            got = self.collection.get(ids=ids[start : start + READ_BATCH], include=["metadatas"])
            unchanged.update(
                rid
                for rid, meta in zip(got["ids"], got["metadatas"] or [], strict=False)
                if meta and meta.get("text_hash") == text_hash(wanted[rid][1].embedding_text())
            )
        return unchanged

    def _metadata(self, professor_id: str, paper: Paper) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "professor_id": professor_id,
            "paper_id": paper.id,
            "text_hash": text_hash(paper.embedding_text()),
            "titled": paper.title is not None,
        }
        if paper.title:
            meta["title"] = paper.title[:500]
        if paper.year:
            meta["year"] = paper.year
        return meta

    def delete_stale(self, professor: Professor) -> None:
        """Drop vectors of papers this professor no longer has (e.g. folded into another by a merge)."""
        keep = {record_id(professor.id, p.id) for p in professor.papers}
        got = self.collection.get(where={"professor_id": professor.id}, include=[])
        stale = [rid for rid in got["ids"] if rid not in keep]
        if stale:
            self.collection.delete(ids=stale)

    def reindex(self, progress: Progress | None = None) -> int:
        """Re-embed every catalog paper with the current model into a fresh collection; drop the old ones. Under
        the writer lock, in one catalog transaction: a failure part-way leaves the catalog's model unchanged,
        and its saved derived data still serve reads until a reindex completes."""
        with self.catalog.transaction():
            self.reopen_vectors()
            rows = self.catalog.paper_count()
            ensure_space(self.settings.store_dir, rows, rows, f"re-embedding {rows} papers")
            return self._reindex(progress)

    def _reindex(self, progress: Progress | None) -> int:
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith("papers-"):
                self.client.delete_collection(name)
        self._collection = None
        self.catalog.set_meta("embedding_model", self.model_id)
        professors = self.catalog.professors(kind=None, with_papers=True)
        return self.upsert_vectors(professors, progress)

    # ------------------------------------------------------------ reading

    def snapshot(self) -> StoreData:
        """Vectors, term matrix, years and owners of every paper row at the catalog's current version (derived.py):
        memory-mapped when saved, built from Chroma and the catalog (and saved) when not."""
        version = self.catalog.version
        if self._snapshot is not None and self._snapshot.version == version:
            return self._snapshot
        pinned = PinnedCatalog(self.settings.catalog_path)
        self._snapshot = open_data(
            self.settings.store_dir, self.model_id, pinned, self._fetch_vectors, remember_cv=self.remember_cv
        )
        return self._snapshot

    def _fetch_vectors(self, ids: list[str]) -> tuple[list[str], Sequence[Sequence[float]]]:
        got = self.collection.get(ids=ids, include=["embeddings"])
        embeddings = got["embeddings"]
        return list(got["ids"]), [] if embeddings is None else embeddings

    def search(
        self, query: str, *, professor_ids: Sequence[str] | None = None, k: int = 10, candidates: int = 100
    ) -> list[SearchHit]:
        """Hybrid search: vector and BM25 rankings fused by reciprocal rank; score 1.0 = first in both."""
        # Keywords first: FTS5 runs while the embedding model may still be loading in its thread (embeddings.preload).
        keyword_rank = self.catalog.keyword_search(query, professor_ids, candidates)
        qvec = self.embed_query(query)
        if professor_ids is None and self.catalog.paper_count() > EXACT_SEARCH_MAX_ROWS:
            vector_rank = self._chroma_rank(qvec, candidates)
        else:
            vector_rank = self._exact_rank(qvec, professor_ids, candidates)
        fused = reciprocal_rank_fusion([vector_rank, keyword_rank])
        ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        papers = self.catalog.papers_by_key(key for key, _ in ordered)
        best = best_fused_score(2)
        hits = [
            SearchHit(
                paper_id=key[1],
                professor_id=key[0],
                title=papers[key].title,
                score=round(score / best, 4),
                paper=papers[key],
            )
            for key, score in ordered
            if key in papers
        ]
        return hits[:k]

    def _chroma_rank(self, qvec: NDArray[np.float32], n: int) -> list[tuple[str, str]]:
        """Nearest records by HNSW. A shared Chroma server may hold records this catalog does not know: they are
        dropped when the hits are read from the catalog."""
        count = self.collection.count()
        if not count:
            return []
        result = self.collection.query(query_embeddings=[qvec.tolist()], n_results=min(n, count), include=[])
        return [_key(rid) for rid in result["ids"][0]]

    def _exact_rank(
        self, qvec: NDArray[np.float32], professor_ids: Sequence[str] | None, n: int
    ) -> list[tuple[str, str]]:
        """Exact nearest rows of the memory-mapped matrix: all of them, or only these professors' (which reads
        only their vectors). Exact beats HNSW's recall, and up to EXACT_SEARCH_MAX_ROWS its speed from a cold CLI."""
        import numpy as np

        snap = self.snapshot()
        if professor_ids is None:
            rows = np.arange(len(snap))
        else:
            spans = [snap.rows_of[pid] for pid in dict.fromkeys(professor_ids) if pid in snap.rows_of]
            rows = np.concatenate([np.arange(r.start, r.stop) for r in spans]) if spans else np.zeros(0, dtype=int)
        if not len(rows):
            return []
        sims = snap.matrix[rows] @ qvec if professor_ids is not None else snap.matrix @ qvec
        top = np.argpartition(-sims, n - 1)[:n] if len(sims) > n else np.arange(len(sims))
        best = top[np.lexsort((top, -sims[top]))]  # by similarity, ties by row
        return snap.papers.keys([int(rows[i]) for i in best])


def _key(rid: str) -> tuple[str, str]:
    professor_id, _, paper_id = rid.rpartition(":")
    return professor_id, paper_id
