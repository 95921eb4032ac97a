"""The paper index: one vector per paper in Chroma, a BM25 index beside it, and hybrid search over both.

Chroma collections are created with no embedding function (we compute every vector in embeddings.py) and
cosine space; the collection records the model that made its vectors, so vectors are never mixed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from assistant.catalog import Catalog
from assistant.embeddings import Embedder, embedder_id, get_embedder
from assistant.errors import StoreMismatchError
from assistant.ids import slugify
from assistant.keywords import BM25, TfIdf, reciprocal_rank_fusion
from assistant.settings import Settings
from assistant.types import Paper, Professor, SearchHit

T = TypeVar("T")

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

CHUNKING = "one vector per paper: title + abstract, truncated at 256 tokens"
Progress = Callable[[int, int], None]


def collection_name(model_id: str) -> str:
    return f"papers-{slugify(model_id)}"[:500]


def record_id(professor_id: str, paper_id: str) -> str:
    return f"{professor_id}:{paper_id}"


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


@dataclass
class _Snapshot:
    """All vectors and the BM25 index, loaded once per catalog version."""

    version: int
    keys: list[tuple[str, str]]  # (professor_id, paper_id), row order of `matrix`
    papers: list[Paper]
    matrix: NDArray[np.float32]
    bm25: BM25
    rows_of: dict[str, list[int]]  # professor_id -> rows
    row_of_record: dict[str, int]  # Chroma record id -> row
    _tfidf: TfIdf | None = None

    @property
    def tfidf(self) -> TfIdf:
        if self._tfidf is None:
            self._tfidf = TfIdf([p.embedding_text() for p in self.papers])
        return self._tfidf


class PaperIndex:
    def __init__(self, settings: Settings, catalog: Catalog | None = None) -> None:
        self.settings = settings
        self.catalog = catalog or Catalog(settings.catalog_path)
        self.model_id = embedder_id(settings)
        stored = self.catalog.get_meta("embedding_model")
        if stored and stored != self.model_id:
            raise StoreMismatchError(
                f"the store at {settings.store_dir} was indexed with the embedding model {stored!r}, but the "
                f"settings ask for {self.model_id!r}. Run `outreach reindex` to re-embed every paper with "
                f"{self.model_id!r}, or switch OUTREACH_EMBEDDING_BACKEND back."
            )
        self._client: Any = None
        self._collection: Any = None
        self._embedder: Embedder | None = None
        self._snapshot: _Snapshot | None = None
        self._derived: dict[str, tuple[int, Any]] = {}
        self._derived_lock = threading.Lock()

    # ------------------------------------------------------------ plumbing

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """Something computed from the store's contents (e.g. the guardrails' corpus), kept until the catalog
        changes; thread-safe, so a batch's workers build it once between them."""
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
                    "hnsw:search_ef": 200,
                    "embedding_model": self.model_id,
                    "chunking": CHUNKING,
                },
            )
            stored = (self._collection.metadata or {}).get("embedding_model")
            if stored and stored != self.model_id:
                raise StoreMismatchError(
                    f"Chroma collection {self._collection.name!r} holds vectors of {stored!r}; run `outreach reindex`"
                )
        return self._collection

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
        existing = self.collection.get(ids=list(wanted), include=["metadatas"])
        unchanged = {
            rid
            for rid, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False)
            if meta and meta.get("text_hash") == text_hash(wanted[rid][1].embedding_text())
        }
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
        """Re-embed every catalog paper with the current model into a fresh collection; drop the old ones."""
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith("papers-"):
                self.client.delete_collection(name)
        self._collection = None
        self.catalog.set_meta("embedding_model", self.model_id)
        professors = self.catalog.professors(kind=None, with_papers=True)
        return self.upsert_vectors(professors, progress)

    # ------------------------------------------------------------ reading

    def snapshot(self) -> _Snapshot:
        version = self.catalog.version
        if self._snapshot is not None and self._snapshot.version == version:
            return self._snapshot
        pairs = self.catalog.all_papers()
        keys = [(pid, p.id) for pid, p in pairs]
        papers = [p for _, p in pairs]
        dim = self.embedder.dimension or 1
        matrix = np.zeros((len(keys), dim), dtype=np.float32)
        if keys:
            ids = [record_id(*k) for k in keys]
            got = self.collection.get(ids=ids, include=["embeddings"])
            row = {rid: i for i, rid in enumerate(ids)}
            embs = got["embeddings"]
            if embs is not None and len(embs):
                matrix = np.zeros((len(keys), len(embs[0])), dtype=np.float32)
                for rid, vec in zip(got["ids"], embs, strict=True):
                    matrix[row[rid]] = vec
            missing = len(ids) - len(got["ids"])
            if missing:
                log.warning("%d catalog papers have no vector; run `outreach reindex`", missing)
        rows_of: dict[str, list[int]] = {}
        for i, (pid, _) in enumerate(keys):
            rows_of.setdefault(pid, []).append(i)
        bm25 = BM25([p.embedding_text() for p in papers])
        row_of_record = {record_id(*key): i for i, key in enumerate(keys)}
        self._snapshot = _Snapshot(version, keys, papers, matrix, bm25, rows_of, row_of_record)
        return self._snapshot

    def search(
        self, query: str, *, professor_ids: Sequence[str] | None = None, k: int = 10, candidates: int = 100
    ) -> list[SearchHit]:
        """Hybrid search: vector and BM25 rankings fused by reciprocal rank; score 1.0 = first in both."""
        snap = self.snapshot()
        if not snap.keys:
            return []
        qvec = self.embed_query(query)
        if professor_ids is None:
            rows = np.arange(len(snap.keys))
            vector_rank = self._chroma_rank(qvec, candidates, snap)
        else:
            rows = np.array(sorted(r for pid in professor_ids for r in snap.rows_of.get(pid, [])), dtype=int)
            if not len(rows):
                return []
            # A few hundred vectors: exact brute force beats HNSW recall (see TRAPS.md).
            sims = snap.matrix[rows] @ qvec
            vector_rank = [int(rows[i]) for i in np.argsort(-sims)[:candidates]]
        keyword = snap.bm25.scores(query)[rows]
        keyword_rank = [int(rows[i]) for i in np.argsort(-keyword)[:candidates] if keyword[i] > 0]
        fused = reciprocal_rank_fusion([vector_rank, keyword_rank])
        best = 2.0 / 61.0
        ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [
            SearchHit(
                paper_id=snap.keys[i][1],
                professor_id=snap.keys[i][0],
                title=snap.papers[i].title,
                score=round(score / best, 4),
                paper=snap.papers[i],
            )
            for i, score in ordered
        ]

    def _chroma_rank(self, qvec: NDArray[np.float32], n: int, snap: _Snapshot) -> list[int]:
        n = min(n, len(snap.keys))
        result = self.collection.query(query_embeddings=[qvec.tolist()], n_results=n, include=[])
        return [snap.row_of_record[rid] for rid in result["ids"][0] if rid in snap.row_of_record]
