"""What a run does with each item: reuse a draft finished with the same inputs, skip an earlier failure unless
asked to retry it, fail an unknown name, draft everything else."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.batch.journal import Journal, JournalRecord, draft_paths
from assistant.batch.targets import Item
from assistant.settings import Settings
from assistant.types import StudentProfile

log = logging.getLogger("assistant.batch")  # one logger for the package: `-v` output names the batch, not a module


class BatchOptions(BaseModel):
    out_dir: Path
    concurrency: int = Field(default=4, ge=1, le=64)
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    offline: bool | None = None  # None: offline when no LLM is configured (Settings.mode)
    retry_failed: bool = False
    sender: str | None = None  # From: of the .eml (default: the CV's email)
    # Tokens this run already spent having the LLM read the CV (cv_refine.py): counted in the run's totals.
    cv_prompt_tokens: int = Field(default=0, ge=0)
    cv_completion_tokens: int = Field(default=0, ge=0)


def cv_hash(student: StudentProfile) -> str:
    text = student.raw_text or student.model_dump_json(exclude={"source_path"})
    if student.extracted_by != "offline":  # items re-filed by an LLM are different drafting inputs
        text += "\0" + student.extracted_by
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_hash(cv_digest: str, settings: Settings, paper_ids: Sequence[str], mode: str) -> str:
    """What a draft depends on: the CV, the settings, the professor's papers and the mode. A finished draft whose
    hash changed is redone."""
    parts = {"cv": cv_digest, "settings": settings.fingerprint(), "papers": sorted(paper_ids), "mode": mode}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


@dataclass
class Plan:
    item: Item
    action: Literal["draft", "reuse", "skip", "fail"]
    digest: str
    note: str = ""


def plan_items(
    items: Sequence[Item], journal: Journal, options: BatchOptions, cv_digest: str, settings: Settings, mode: str
) -> list[Plan]:
    latest = journal.latest()
    plans = []
    for item in items:
        papers = [p.id for p in item.professor.papers] if item.professor else []
        digest = input_hash(cv_digest, settings, papers, mode)
        plans.append(_plan(item, latest.get(item.key), digest, options))
    return plans


def _plan(item: Item, last: JournalRecord | None, digest: str, options: BatchOptions) -> Plan:
    if item.professor is None:
        return Plan(item, "fail", digest)
    if last is None or last.input_hash != digest:
        return Plan(item, "draft", digest, "new" if last is None else "inputs changed")
    if last.state == "done":
        complete = all(p.exists() for p in draft_paths(options.out_dir, item.key).values())
        return Plan(item, "reuse" if complete else "draft", digest, "" if complete else "files missing")
    if last.state == "failed" and not options.retry_failed:
        return Plan(item, "skip", digest, last.error or "failed")
    return Plan(item, "draft", digest, f"was {last.state}")  # interrupted, or failed with --retry-failed


def journal_plans(journal: Journal, plans: Sequence[Plan]) -> None:
    """Every item's starting state, in one write and one fsync."""
    records: list[JournalRecord] = []
    for plan in plans:
        item = plan.item
        if plan.action == "fail":
            records.append(
                JournalRecord(key=item.key, state="failed", name=item.name, input_hash=plan.digest, error=item.error)
            )
        elif plan.action == "draft":
            if plan.note not in ("", "new"):
                log.info("batch: redrafting %s (%s)", item.key, plan.note)
            records.append(JournalRecord(key=item.key, state="pending", name=item.name, input_hash=plan.digest))
    if records:
        journal.append(*records)
