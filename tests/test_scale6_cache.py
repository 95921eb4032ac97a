"""The optimised-graph cache is shared by every virtualenv of a user: a build keeps the caches other
onnxruntime versions of the same model use (a bounded number), and drops what nobody can use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import embeddings
from assistant.embeddings import MiniLMEmbedder, optimised_model_dir


def _ort_version() -> str:
    import onnxruntime

    return str(onnxruntime.__version__)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _folder(path: Path, age_s: float) -> Path:
    path.mkdir(parents=True)
    (path / "model.onnx").write_bytes(b"another runtime's graph")
    stamp = 1_700_000_000 - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_a_build_keeps_the_newest_caches_of_other_runtimes_and_drops_the_rest(cache_home: Path) -> None:
    root = cache_home / "outreach"
    sha = embeddings.MINILM_SHA256[:16]
    fmt = embeddings.CACHE_FORMAT
    newest = _folder(root / f"minilm-{sha}-ort0.3.0-{fmt}", age_s=10)
    second = _folder(root / f"minilm-{sha}-ort0.2.0-{fmt}", age_s=20)
    oldest = _folder(root / f"minilm-{sha}-ort0.1.0-{fmt}", age_s=30)
    old_layout = _folder(root / f"minilm-{sha}-ort0.3.0-g1", age_s=5)
    other_model = _folder(root / f"minilm-0123456789abcdef-ort0.3.0-{fmt}", age_s=5)
    single_file = root / "minilm-0123456789abcdef-ort1.0.onnx"
    single_file.write_bytes(b"an earlier version's single-file cache")

    MiniLMEmbedder().embed(["a sentence about data selection"])

    kept = {p.name for p in root.iterdir()}
    built = optimised_model_dir(embeddings.MINILM_SHA256, _ort_version()).name
    assert kept == {built, newest.name, second.name}
    assert not any(p.exists() for p in (oldest, old_layout, other_model, single_file))
    assert (newest / "model.onnx").read_bytes() == b"another runtime's graph"  # left as it was
