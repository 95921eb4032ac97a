"""The offline embedding model must reproduce sentence-transformers' all-MiniLM-L6-v2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings
from assistant.embeddings import MINILM_DIM, MiniLMEmbedder, get_embedder
from assistant.errors import OutreachError
from assistant.settings import Settings


def test_matches_sentence_transformers_reference(fixtures_dir: Path, settings: Settings) -> None:
    reference = json.loads((fixtures_dir / "minilm_reference.json").read_text())
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["embedding"] for item in reference["items"]], dtype=np.float32)
    got = get_embedder(settings).embed(texts)
    assert got.shape == (len(texts), MINILM_DIM)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() >= 0.995, cosines


def test_vectors_are_normalised_and_order_preserved(settings: Settings) -> None:
    embedder = get_embedder(settings)
    texts = ["a much longer sentence about submodular data selection for training", "short", ""]
    batch = embedder.embed(texts)
    fresh = MiniLMEmbedder()  # no memo shared with `embedder`
    one_by_one = np.stack([fresh.embed([t])[0] for t in texts])
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.allclose(batch, one_by_one, atol=1e-5)  # length-sorted batching must not reorder rows


def test_long_text_is_truncated_not_rejected(settings: Settings) -> None:
    vec = get_embedder(settings).embed(["word " * 2000])
    assert vec.shape == (1, MINILM_DIM)


def test_tampered_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MINILM_SHA256", "0" * 64)
    with pytest.raises(OutreachError, match="sha256"):
        MiniLMEmbedder()


TEXTS = ["submodular data selection for efficient training", "short", ""]


def test_optimised_graph_is_cached_once_and_gives_the_same_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = MiniLMEmbedder()  # optimises the shipped graph and saves it
    saved = list((tmp_path / "outreach").iterdir())
    assert len(saved) == 1 and saved[0].is_dir()  # the finished folder only, nothing partial left behind
    assert not saved[0].name.endswith(".partial")
    stamp = (saved[0] / "model.onnx").stat().st_mtime_ns
    second = MiniLMEmbedder()  # loads the saved graph
    assert (saved[0] / "model.onnx").stat().st_mtime_ns == stamp
    assert np.array_equal(first.embed(TEXTS), second.embed(TEXTS))


def test_unwritable_cache_still_embeds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = MiniLMEmbedder().embed(TEXTS)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert np.array_equal(MiniLMEmbedder().embed(TEXTS), cached)


def test_model_loaded_in_the_background_is_the_one_used(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_models", {})
    embeddings.preload(settings)
    embedder = get_embedder(settings)
    assert embedder is get_embedder(settings)
    assert embedder.embed(["x"]).shape == (1, MINILM_DIM)


def test_background_load_failure_surfaces_at_use_and_is_retried(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "_models", {})
    real = embeddings.MINILM_SHA256
    monkeypatch.setattr(embeddings, "MINILM_SHA256", "0" * 64)
    embeddings.preload(settings)
    with pytest.raises(OutreachError, match="sha256"):
        get_embedder(settings)
    monkeypatch.setattr(embeddings, "MINILM_SHA256", real)
    assert get_embedder(settings).embed(["x"]).shape == (1, MINILM_DIM)


# ---------------------------------------------------------------- the optional OpenAI-compatible backend


def test_openai_embeddings_backend_batches_normalises_and_retries_429(
    llm_settings: Settings, no_sleep: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    import respx

    from assistant.embeddings import get_embedder
    from assistant.settings import reset_settings_cache

    monkeypatch.setenv("OUTREACH_EMBEDDING_BACKEND", "openai")
    reset_settings_cache()
    settings = Settings()
    seen: list[list[str]] = []
    replies = iter([httpx.Response(429, headers={"retry-after": "2"}, json={"error": {"message": "slow down"}})])

    def endpoint(request: httpx.Request) -> httpx.Response:
        early = next(replies, None)
        if early is not None:
            return early
        inputs = json.loads(request.content)["input"]
        seen.append(inputs)
        data = [
            {"object": "embedding", "index": i, "embedding": [3.0, 4.0, float(len(t))]} for i, t in enumerate(inputs)
        ]
        return httpx.Response(
            200, json={"object": "list", "data": data, "model": "m", "usage": {"prompt_tokens": 1, "total_tokens": 1}}
        )

    texts = [f"text {i}" for i in range(70)]
    with respx.mock:
        respx.post("https://api.openai.com/v1/embeddings").mock(side_effect=endpoint)
        embedder = get_embedder(settings)
        vectors = embedder.embed(texts)
    assert embedder.model_id == "openai:text-embedding-3-small" and embedder.dimension == 3
    assert [len(batch) for batch in seen] == [64, 6]  # batched, in order, after one retried 429
    assert no_sleep == [2.0]
    assert vectors.shape == (70, 3)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
