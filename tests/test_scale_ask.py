"""An offline answer saves the abstract sentences' vectors it embedded: the next question (in a new process, with
a new embedder) embeds only itself and its topic, and answers exactly as before."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.ask import ask_question, question_topic
from assistant.embeddings import Embedder
from assistant.embeddings_memo import embed_remembered, memo_path
from assistant.index import PaperIndex
from assistant.settings import Settings

QUESTION = "What has this group published on data selection for efficient training?"


class CountingEmbedder:
    """The configured embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.model_id, self.dimension = inner, inner.model_id, inner.dimension
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def _answer(settings: Settings, embedder: CountingEmbedder) -> str:
    index = PaperIndex(settings, embedder=embedder)
    result = ask_question(QUESTION, settings, professor="Mirzasoleiman", index=index, offline=True)
    return result.answer.model_dump_json(exclude={"created_at", "elapsed_s"})


def test_the_second_question_embeds_only_itself(sample_store: Path, settings: Settings) -> None:
    embedder = PaperIndex(settings).embedder
    first, second = CountingEmbedder(embedder), CountingEmbedder(embedder)
    embedder._memo.clear()  # type: ignore[attr-defined]
    answer = _answer(settings, first)
    assert memo_path(settings.store_dir, embedder.model_id).exists()
    embedder._memo.clear()  # type: ignore[attr-defined]  # as in a new process
    assert _answer(settings, second) == answer
    assert len(first.texts) > 10
    assert set(second.texts) == {QUESTION, question_topic(QUESTION)}  # no abstract sentence


def test_saved_vectors_are_the_embedders_bit_for_bit(settings: Settings, tmp_path: Path) -> None:
    embedder = PaperIndex(settings).embedder
    texts = ["Coresets for data-efficient training.", "A longer sentence about submodular functions and GPUs.", "x"]
    direct = embedder.embed(texts)
    path = tmp_path / "memo.sqlite"
    assert np.array_equal(embed_remembered(embedder, texts, path), direct)
    counting = CountingEmbedder(embedder)
    assert np.array_equal(
        embed_remembered(counting, [texts[2], texts[0], "new one"], path),
        embedder.embed([texts[2], texts[0], "new one"]),
    )
    assert counting.texts == ["new one"]


def test_an_unwritable_memo_still_answers(settings: Settings, tmp_path: Path) -> None:
    embedder = PaperIndex(settings).embedder
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    vectors = embed_remembered(embedder, ["Coresets."], blocked / "memo.sqlite")
    assert np.array_equal(vectors, embedder.embed(["Coresets."]))


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
