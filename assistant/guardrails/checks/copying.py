"""copying: a verbatim run of >= 12 consecutive words from any abstract is soft, >= 25 is hard. (Drafts of a
batch too similar to each other are found by the batch itself, with `similar_pairs`.)"""

from __future__ import annotations

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.verbatim import ngram_owners, verbatim_runs, words_with_offsets
from assistant.guardrails.vocabulary import Severity
from assistant.types import Violation

NAME = "copying"
SEVERITY: Severity = "soft"
NEEDS: frozenset[str] = frozenset()

COPY_SOFT_WORDS = 12  # a verbatim run this long from an abstract is a warning...
COPY_HARD_WORDS = 25  # ...and this long blocks the draft


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    reference = ngram_owners(ev.all_abstracts, COPY_SOFT_WORDS)
    words = words_with_offsets(email.body)
    out = []
    for a, b in verbatim_runs([w for w, _, _ in words], reference, COPY_SOFT_WORDS):
        length = b - a
        severity: Severity = "hard" if length >= COPY_HARD_WORDS else "soft"
        out.append(
            Violation(
                check=NAME,
                severity=severity,
                span=email.body[words[a][1] : words[b - 1][2]],
                message=f"{length} consecutive words are copied verbatim from an abstract "
                f"(soft from {COPY_SOFT_WORDS}, hard from {COPY_HARD_WORDS}): say it in your own words.",
            )
        )
    return out
