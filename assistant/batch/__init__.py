"""Batch drafting: one email per professor, concurrently, rate-limited, resumable, checked across drafts.

What it guarantees is in the README ("Batch-draft a shortlist"). The modules follow a run: `targets` (whom to
write to), `journal` (the output folder and what earlier runs finished), `plan` (what to do with each item),
`view` and `gate` (what worker threads may touch), `runner` (drafting), `summary` (cross-check and summaries).
"""

from assistant.batch.plan import BatchOptions, cv_hash
from assistant.batch.runner import run_batch
from assistant.batch.summary import summary_json
from assistant.batch.targets import Target, read_targets, shortlist_targets

__all__ = ["BatchOptions", "Target", "cv_hash", "read_targets", "run_batch", "shortlist_targets", "summary_json"]
