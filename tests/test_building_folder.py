"""Saved folders (derived data, the guardrails' corpus) appear whole or not at all, and replace an older format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.files import building_folder, folder_complete


def _finish(folder: Path, format_: str, content: str) -> None:
    (folder / "data.txt").write_text(content)
    (folder / "meta.json").write_text(json.dumps({"format": format_}))


def test_a_built_folder_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "derived" / "7"
    with building_folder(target, "2") as tmp:
        _finish(tmp, "2", "new")
        assert not target.exists()  # nothing is visible until the block ends
    assert folder_complete(target, "2") and (target / "data.txt").read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["7"]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "7"
    with pytest.raises(RuntimeError), building_folder(target, "2") as tmp:
        _finish(tmp, "2", "half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_an_older_format_is_replaced_and_a_complete_one_kept(tmp_path: Path) -> None:
    target = tmp_path / "7"
    target.mkdir()
    _finish(target, "1", "old format")
    with building_folder(target, "2") as tmp:
        _finish(tmp, "2", "new")
    assert (target / "data.txt").read_text() == "new"

    with building_folder(target, "2") as tmp:  # another process completed it meanwhile: theirs stays
        _finish(tmp, "2", "second")
    assert (target / "data.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["7"]
