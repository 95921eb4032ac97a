"""A CV's item vectors are saved beside the catalog once embedded: the next draft or match with the same CV
embeds nothing, and scores and drafts are the same as with vectors fresh from the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.cv import read_cv
from assistant.draft import draft_email
from assistant.embeddings_memo import memo_path
from assistant.index import PaperIndex
from assistant.match import build_item_set, rank_professors
from assistant.settings import Settings
from assistant.types import CVItem
from tests.test_scale_ask import CountingEmbedder

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _fresh_index(settings: Settings) -> tuple[PaperIndex, CountingEmbedder]:
    """An index as a new process has it: nothing embedded in memory."""
    inner = PaperIndex(settings).embedder
    inner._memo.clear()  # type: ignore[attr-defined]
    counting = CountingEmbedder(inner)
    return PaperIndex(settings, embedder=counting), counting


def _draft_json(settings: Settings, index: PaperIndex) -> str:
    student = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    professor = index.catalog.resolve("razaviyayn", kind="professor")
    result = draft_email(student, professor, settings, offline=True, index=index)
    return result.model_dump_json(exclude={"created_at"})


def test_a_second_draft_with_the_same_cv_embeds_nothing_and_is_the_same(sample_store: Path, settings: Settings) -> None:
    first_index, first = _fresh_index(settings)
    draft = _draft_json(settings, first_index)
    assert first.texts, "the first draft embeds the CV's items"
    assert memo_path(settings.store_dir, first.model_id).exists()
    second_index, second = _fresh_index(settings)
    assert _draft_json(settings, second_index) == draft
    assert second.texts == []


def test_saved_item_vectors_score_as_fresh_ones_and_new_items_alone_are_embedded(
    sample_store: Path, settings: Settings
) -> None:
    items = read_cv(EXAMPLES / "cvs" / "maya_chen.md").all_items()
    first_index, _ = _fresh_index(settings)
    fresh = build_item_set(items, first_index, feedback_weight=0.2)
    text = "speech recognition for low-resource languages"
    new = CVItem(section="interests", text=text, source_text=text)
    index, counting = _fresh_index(settings)
    saved = build_item_set([*items, new], index, feedback_weight=0.2)
    assert counting.texts == [new.text]
    assert np.array_equal(saved.semantic[: len(items)], fresh.semantic)
    assert np.array_equal(saved.keyword[: len(items)], fresh.keyword)


def test_match_scores_are_the_same_from_saved_vectors(sample_store: Path, settings: Settings) -> None:
    student = read_cv(EXAMPLES / "cvs" / "maya_chen.md")
    first_index, _ = _fresh_index(settings)
    fresh = rank_professors(student, settings, index=first_index)
    index, counting = _fresh_index(settings)
    again = rank_professors(student, settings, index=index)
    assert counting.texts == []
    assert [r.model_dump_json() for r in again] == [r.model_dump_json() for r in fresh]
