"""A small error hierarchy. Every message should tell the user what was wrong, where, and what to do."""

from __future__ import annotations

from collections.abc import Sequence


class OutreachError(Exception):
    """Base class: the CLI prints these without a traceback and exits non-zero."""

    exit_code = 1
    hint: str | None = None  # what to try next, printed on its own line


def error_lines(exc: OutreachError) -> str:
    """How an error is shown to a user: what went wrong, then what to try."""
    return f"error: {exc}" + (f"\nhint: {exc.hint}" if exc.hint else "")


class InputError(OutreachError):
    """A file or argument the user gave cannot be used (malformed, empty, wrong encoding, missing)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class NotFoundError(OutreachError):
    """A professor, paper or item named by the user does not exist."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        if candidates:
            message += "\nDid you mean:\n" + "\n".join(f"  - {c}" for c in candidates)
        super().__init__(message)
        self.candidates = list(candidates)


class AmbiguousError(NotFoundError):
    """A name matches several records; we refuse to guess."""


class StoreMismatchError(OutreachError):
    """The store was built with a different embedding model (or layout) than the current settings."""


class RemoteServiceError(OutreachError):
    """An external service (LLM endpoint, OpenAlex) failed after retries, or refused the request."""

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


class LLMConfigError(RemoteServiceError):
    """The LLM endpoint rejected our configuration (bad key, unknown model): retrying cannot help."""


class GuardrailFailure(OutreachError):
    """A draft still fails hard guardrail checks; carries the report so it can be shown, never as clean."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
