"""What round 6's guard6a tests share: the hard violations' spans of a short email to a professor."""

from __future__ import annotations

from assistant.guardrails import GuardrailContext, check_text
from assistant.guardrails.vocabulary import norm
from assistant.types import Paper, Professor


def hard_spans(name: str, papers: list[Paper], body: str) -> list[str]:
    """The spans of the hard violations of `body`, in an email to `name` whose papers are `papers` (no CV)."""
    professor = Professor(id=norm(name).replace(" ", "-"), name=name, papers=papers)
    ctx = GuardrailContext(professor=professor, sources=papers, min_words=0)
    surname = name.split()[-1]
    text = f"Subject: PhD inquiry\n\nDear Professor {surname},\n\n{body}\n\nBest regards,\nSam Lee"
    return [v.span for v in check_text(text, ctx).hard_violations]
