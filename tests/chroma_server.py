"""A real Chroma server for tests: `chroma run` (shipped with chromadb) on 127.0.0.1, a free port, a temporary
path. Started once per session (`conftest.chroma_server`); `wipe` deletes every collection so each test starts
from an empty server, `upload` copies a store template's embedded vectors onto it, and `passed_by_respx` lets
requests to it through the HTTP mocks (respx mocks every httpx request, and Chroma's client is httpx: a test
mocking OpenAI or OpenAlex must still reach the real server, without its calls counted as the test's).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from respx.models import PassThrough

from assistant.settings import Settings

UPLOAD_BATCH = 1000  # records per upsert: well under the server's request limits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_command() -> str | None:
    beside = Path(sys.executable).parent / "chroma"  # the virtualenv's, when tests run from one
    return str(beside) if beside.exists() else shutil.which("chroma")


def wait_until_ready(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


@dataclass
class ChromaServer:
    port: int
    proc: subprocess.Popen[bytes]
    _client: Any = None
    _records: dict[Path, tuple[list[Any], ...]] = field(default_factory=dict)  # a template's, by its Chroma folder

    @classmethod
    def start(cls, root: Path) -> ChromaServer:
        command = chroma_command()
        if command is None:
            pytest.skip("no `chroma` command: it ships with the chromadb package")
        port = free_port()
        with (root / "server.log").open("wb") as log:
            proc = subprocess.Popen(
                [command, "run", "--path", str(root / "data"), "--host", "127.0.0.1", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = cls(port, proc)
        if not wait_until_ready(port, proc):
            server.stop()
            tail = (root / "server.log").read_text(errors="replace")[-500:]
            pytest.skip(f"`chroma run` did not start on 127.0.0.1:{port}: {tail}")
        return server

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            self._client = chromadb.HttpClient(
                host="127.0.0.1", port=self.port, settings=ChromaSettings(anonymized_telemetry=False)
            )
        return self._client

    @contextmanager
    def passed_by_respx(self) -> Iterator[None]:
        def passing(handler: Any) -> Any:
            def handle(router: respx.Router, request: httpx.Request) -> Any:
                if request.url.host == "127.0.0.1" and request.url.port == self.port:
                    raise PassThrough("the tests' Chroma server", request=request, origin=None)  # type: ignore[arg-type]
                return handler(router, request)

            return handle

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(respx.Router, "handler", passing(respx.Router.handler))
            patch.setattr(respx.Router, "async_handler", passing(respx.Router.async_handler))
            yield

    def wipe(self) -> None:
        """Every collection deleted: the next test sees an empty server, as an embedded test sees a new folder."""
        for collection in self.client.list_collections():
            self.client.delete_collection(collection.name)

    def upload(self, chroma_dir: Path, settings: Settings) -> None:
        """The records of a store template's embedded Chroma upserted into the server collection of `settings`'
        store, with the vectors the model gives their texts (embedded once per template, then remembered): the
        vectors Chroma hands back are ones it normalised, and the server normalising them again would move some a
        last bit, so the copy would not score exactly as the template does."""
        from assistant.index import PaperIndex

        index = PaperIndex(settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": self.port}))
        try:
            records = self._records.get(chroma_dir) or self._read(chroma_dir, index)
            for start in range(0, len(records[0]), UPLOAD_BATCH):
                end = start + UPLOAD_BATCH
                ids, vectors, metadatas, documents = (column[start:end] for column in records)
                index.collection.upsert(ids=ids, embeddings=vectors, metadatas=metadatas, documents=documents)
        finally:
            index.catalog.close()

    def _read(self, chroma_dir: Path, index: Any) -> tuple[list[Any], ...]:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        local = chromadb.PersistentClient(path=str(chroma_dir), settings=ChromaSettings(anonymized_telemetry=False))
        got: Any = local.get_collection(index.collection.name).get(include=["metadatas", "documents"])
        vectors = index.embedder.embed(got["documents"]).tolist()
        self._records[chroma_dir] = (list(got["ids"]), vectors, list(got["metadatas"]), list(got["documents"]))
        return self._records[chroma_dir]
