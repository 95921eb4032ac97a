"""Ranking candidates with the score of `outreach match`, on their matching works.

Not a copy of the formula: each candidate becomes a Professor whose papers are their matching works (abstracts
rebuilt from the inverted index), the candidates go into a scratch store in a temporary directory, and
`assistant.match.rank_professors` scores them exactly as it scores the store's professors. The pool plays the
store's part in the score (the feedback neighbours, the reference year for recency), so the same works and CV
always give the same ranking, whatever the user's own store holds. The user's store is not touched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.discover.aggregate import Pool
from assistant.discover.models import Candidate
from assistant.index import PaperIndex
from assistant.ingest import ingest_professors
from assistant.match import rank_professors
from assistant.settings import Settings
from assistant.sources.openalex.works import works_to_papers
from assistant.types import MatchResult, Professor, StudentProfile


def candidate_professors(pool: Pool) -> list[Professor]:
    """Each candidate with their matching works as papers; one whose works have neither title nor abstract has
    nothing to score and is left out."""
    professors = []
    for candidate in pool.candidates.values():
        works = [pool.works[w.id] for w in candidate.works]
        papers = works_to_papers(works, author_id=candidate.id)
        if papers:
            professors.append(Professor(id=candidate.id, name=candidate.name, papers=papers))
    return professors


def rank_pool(student: StudentProfile, pool: Pool, settings: Settings) -> list[tuple[Candidate, MatchResult]]:
    """Every scorable candidate with their match result, best first (ties by name, as `match` breaks them)."""
    professors = candidate_professors(pool)
    if not professors:
        return []
    with tempfile.TemporaryDirectory(prefix="outreach-discover-", ignore_cleanup_errors=True) as scratch:
        # A Chroma server (OUTREACH_CHROMA_HOST) would receive the pool: keep it local and temporary.
        scratch_settings = settings.model_copy(update={"store_dir": Path(scratch), "chroma_host": None})
        index = PaperIndex(scratch_settings)
        try:
            ingest_professors(professors, scratch_settings, index=index)
            results = rank_professors(student, scratch_settings, index=index)
        finally:
            index.catalog.close()
    return [(pool.candidates[r.professor_id], r) for r in results]
