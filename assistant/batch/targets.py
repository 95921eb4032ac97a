"""Whom a batch writes to: a .txt/.csv list or the shortlist, resolved against the catalog."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from assistant.catalog import Catalog
from assistant.errors import InputError, OutreachError
from assistant.files import read_text_file
from assistant.ids import slugify
from assistant.seams import CatalogReader
from assistant.types import Professor

log = logging.getLogger("assistant.batch")  # one logger for the package: `-v` output names the batch, not a module


class Target(BaseModel):
    """One professor the user asked for: a name or id as written, and an email when the list gave one."""

    name: str
    email: str | None = None
    where: str | None = None  # "file:line", for messages


def read_targets(path: Path) -> list[Target]:
    """A .txt (one name or id per line; blank lines and # comments ignored) or a .csv with a `professor` or
    `name` column and an optional `email` column."""
    text = read_text_file(path)
    if path.suffix.lower() == ".csv":
        return _csv_targets(text, path)
    targets = []
    for n, line in enumerate(text.splitlines(), start=1):
        name = line.split("#", 1)[0].strip()
        if name:
            targets.append(Target(name=name, where=f"{path}:{n}"))
    if not targets:
        raise InputError("lists no professors (one name or id per line)", path=str(path))
    return targets


def _csv_targets(text: str, path: Path) -> list[Target]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    name_col = columns.get("professor") or columns.get("name")
    if name_col is None:
        raise InputError(
            f"needs a `professor` (or `name`) column; found: {', '.join(columns) or 'no header'}", path=str(path)
        )
    email_col = columns.get("email")
    targets = []
    for n, row in enumerate(reader, start=2):
        name = (row.get(name_col) or "").strip()
        if not name or name.startswith("#"):
            continue
        email = (row.get(email_col) or "").strip() if email_col else ""
        targets.append(Target(name=name, email=email or None, where=f"{path}:{n}"))
    if not targets:
        raise InputError("lists no professors", path=str(path))
    return targets


def shortlist_targets(catalog: Catalog) -> list[Target]:
    """Shortlisted professors still to write to (status to-draft or drafted; sent/replied are left alone)."""
    from assistant import shortlist

    entries = shortlist.entries(catalog)
    wanted = [e for e in entries if e.status in ("to-draft", "drafted")]
    if len(wanted) < len(entries):
        log.info("batch: %d shortlisted professor(s) already sent/replied: not drafted", len(entries) - len(wanted))
    if not wanted:
        raise InputError("the shortlist has no professors to draft (see `outreach shortlist list`)")
    return [Target(name=e.professor_id, where="shortlist") for e in wanted]


@dataclass
class Item:
    """A target resolved (or not) against the catalog."""

    key: str  # the professor id; file names and journal records use it
    target: Target
    professor: Professor | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return self.professor.name if self.professor else self.target.name

    @property
    def email(self) -> str | None:
        return self.target.email or (self.professor.email if self.professor else None)


_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")


def _file_key(text: str) -> str:
    slug = slugify(text)[:100]
    return slug if _SAFE_KEY.match(slug) else "item-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def resolve_items(targets: Sequence[Target], catalog: Catalog, papers: CatalogReader | None = None) -> list[Item]:
    """Resolve every target; failures become failed items, duplicates (same professor twice) are dropped.

    `papers`, when given (the batch's frozen catalog), supplies each professor's record and papers, so names
    are resolved in `catalog` without reading every paper from SQLite a second time."""
    items: dict[str, Item] = {}
    for target in targets:
        try:
            prof = catalog.resolve(target.name, kind="professor", with_papers=papers is None)
            prof = (papers.get(prof.id) or prof) if papers else prof
        except OutreachError as exc:
            key = _file_key(target.name)
            where = f"{target.where}: " if target.where and target.where != "shortlist" else ""
            items.setdefault(key, Item(key, target, error=f"{where}{exc}"))
            continue
        key = prof.id if _SAFE_KEY.match(prof.id) else _file_key(prof.id)
        if key in items:
            log.warning("batch: %s is listed twice; drafting once", prof.name)
            continue
        items[key] = Item(key, target, professor=prof)
    return list(items.values())
