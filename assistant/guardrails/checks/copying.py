"""copying: a verbatim run of >= 12 consecutive words from an abstract is a soft warning, however long. (Drafts of
a batch too similar to each other are found by the batch itself, with `similar_pairs`.)

Why never hard: a hard violation says the email must not go out as it is because it states something false,
unsupported or unsafe. Words copied from the professor's own abstract are none of these: every word is theirs and
backed by the paper; the guardrails see the abstracts without the sentences that read as instructions or carry
links (untrusted.py), and the injection check still catches any instruction in the email. Copying is a matter
of style (a pasted abstract reads badly to its author), so it warns. Copying another professor's abstract and
presenting it as this professor's work is a false claim: `attribution` blocks it from 8 words."""

from __future__ import annotations

from assistant.guardrails.evidence import Evidence
from assistant.guardrails.parse import ParsedEmail
from assistant.guardrails.report import soft
from assistant.guardrails.verbatim import ngram_owners, verbatim_runs, words_with_offsets
from assistant.guardrails.vocabulary import Severity
from assistant.types import Violation

NAME = "copying"
SEVERITY: Severity = "soft"
NEEDS: frozenset[str] = frozenset()

COPY_SOFT_WORDS = 12  # a verbatim run this long from an abstract is a warning


def run(email: ParsedEmail, ev: Evidence) -> list[Violation]:
    reference = ngram_owners(ev.all_abstracts, COPY_SOFT_WORDS)
    words = words_with_offsets(email.body)
    return [
        soft(
            NAME,
            f"{b - a} consecutive words are copied verbatim from an abstract (a warning from {COPY_SOFT_WORDS}): "
            "say it in your own words.",
            email.body[words[a][1] : words[b - 1][2]],
        )
        for a, b in verbatim_runs([w for w, _, _ in words], reference, COPY_SOFT_WORDS)
    ]
