"""Vectors of texts the store is asked about again and again, saved beside the catalog once embedded: the
abstract sentences an offline answer scores against every question (embedding them again was most of `ask
--offline`'s time: about 0.35 s of CPU per question for a professor with 40 papers), and a CV's items, which
every `match` and `draft` with that CV scores against the papers (0.2-0.5 s of CPU per command).

`store/derived/sentences-<model>.sqlite` maps a digest of the text to its vector. A vector depends only on the
text and the model (the bundled model gives a text the same vector bit for bit whatever it is batched with),
so the file outlives catalog versions; like all derived data it is safe to delete. A store that cannot be
written is read as it is, and what is not in it is embedded as before.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.ids import slugify

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.embeddings import Embedder

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
_VARIABLES = 500  # keys per SELECT (SQLite's limit on variables per statement)


def memo_path(store_dir: Path, model_id: str) -> Path:
    return store_dir / "derived" / f"sentences-{slugify(model_id)}.sqlite"


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def embed_remembered(embedder: Embedder, texts: Sequence[str], path: Path) -> NDArray[np.float32]:
    """`embedder.embed(texts)`, reading the vectors saved at `path` and saving the ones it had to make."""
    return remembered(texts, path, embedder.dimension, embedder.embed)


def remembered(
    texts: Sequence[str], path: Path, dimension: int, embed: Callable[[list[str]], NDArray[np.float32]]
) -> NDArray[np.float32]:
    """The vectors saved at `path` for `texts`; `embed` is called only for those not saved (and they are saved),
    so when every text is there the model need not even be loaded."""
    out = np.zeros((len(texts), dimension), dtype=np.float32)
    keys = [_key(t) for t in texts]
    saved = _read(path, sorted(set(keys)), dimension)
    missing = [i for i, k in enumerate(keys) if k not in saved]
    for i, k in enumerate(keys):
        if k in saved:
            out[i] = saved[k]
    if missing:
        out[missing] = embed([texts[i] for i in missing])
        _write(path, {keys[i]: out[i] for i in missing})
    return out


def all_saved(path: Path, texts: Sequence[str]) -> bool:
    """Whether every text has a vector saved at `path` (of any length: a vector of another length is embedded
    again, only without the head start this answer is used to decide on)."""
    keys = sorted({_key(t) for t in texts})
    if not path.exists():
        return not keys
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = 0
            for start in range(0, len(keys), _VARIABLES):
                chunk = keys[start : start + _VARIABLES]
                sql = f"SELECT COUNT(*) FROM vectors WHERE key IN ({','.join('?' * len(chunk))})"
                found += conn.execute(sql, chunk).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return found == len(keys)


def _read(path: Path, keys: list[bytes], dimension: int) -> dict[bytes, NDArray[np.float32]]:
    if not keys or not path.exists():
        return {}
    found: dict[bytes, NDArray[np.float32]] = {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for start in range(0, len(keys), _VARIABLES):
                chunk = keys[start : start + _VARIABLES]
                sql = f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})"
                for key, blob in conn.execute(sql, chunk):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if len(vector) == dimension:
                        found[bytes(key)] = vector
        finally:
            conn.close()
    except sqlite3.Error as exc:  # unreadable: embed as if it were not there
        log.info("saved sentence vectors not read (%s)", exc)
    return found


def _write(path: Path, vectors: dict[bytes, NDArray[np.float32]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=5)
        try:
            with conn:
                conn.execute(_SCHEMA)
                rows = [(k, v.astype(np.float32).tobytes()) for k, v in vectors.items()]
                conn.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:  # a read-only or full store: the next question embeds them again
        log.info("sentence vectors not saved (%s)", exc)
