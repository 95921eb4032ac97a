"""OpenAlex answers kept on disk under the store, so re-running a discovery costs nothing.

Keyed by the request URL with the credentials left out (`api_key`, and `mailto`, which identifies the caller but
does not change the answer), so the key never reaches a file name or a file. Only successful JSON answers are
written, atomically; an entry older than the time-to-live, or unreadable, counts as missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlencode

from assistant.files import atomic_write_text
from assistant.sources.openalex.parse import Json

log = logging.getLogger(__name__)

CACHE_DIRNAME = "openalex-cache"
_CREDENTIALS = frozenset({"api_key", "mailto"})


def request_url(base_url: str, path: str, params: Mapping[str, object]) -> str:
    """The request as a canonical, credential-free URL (parameters sorted)."""
    kept = sorted((k, str(v)) for k, v in params.items() if k not in _CREDENTIALS)
    return f"{base_url.rstrip('/')}{path}" + (f"?{urlencode(kept)}" if kept else "")


class ResponseCache:
    def __init__(
        self, directory: Path, ttl_s: float, *, refresh: bool = False, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = directory
        self.ttl_s = ttl_s
        self.refresh = refresh  # --refresh: read nothing, still write what comes back
        self._clock = clock

    def _path(self, url: str) -> Path:
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"

    def get(self, url: str) -> Json | None:
        if self.refresh:
            return None
        path = self._path(url)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.debug("OpenAlex cache: unreadable entry %s, ignored", path.name)
            return None
        if not (isinstance(entry, dict) and entry.get("url") == url and isinstance(entry.get("data"), dict)):
            return None
        fetched = entry.get("fetched_at")
        if not isinstance(fetched, int | float) or self._clock() - fetched > self.ttl_s:
            return None
        data: Json = entry["data"]
        return data

    def put(self, url: str, data: Json) -> None:
        entry = {"url": url, "fetched_at": self._clock(), "data": data}
        # Not fsynced: a lost entry after a crash only costs one call to fetch again.
        atomic_write_text(self._path(url), json.dumps(entry, ensure_ascii=False), durable=False)
