"""Optional LLM refinement of a CV's offline extraction, where every item must still be found in the CV.

The offline parser (the rest of this package) is the baseline; when an LLM is configured it may re-file and
re-split the items (a missed heading, interests buried in a summary, a skills line not split). The model is asked
for a quote from the CV behind every item, and an item is kept only when its quote is in the CV text and its
text is in its quote (the same word-level test the guardrails use), so the model can sort what the CV says but
never add to it. Nothing here logs item text: CV contents are personal data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.cv import item_in_cv, read_cv
from assistant.errors import InputError, OutreachError
from assistant.files import atomic_write_text
from assistant.instructions import CV_INSTRUCTION_RE
from assistant.llm import LLMLimitError, LLMReplyError, Usage
from assistant.settings import Settings
from assistant.templating import render
from assistant.types import CVExtraction, CVItem, StudentProfile

if TYPE_CHECKING:
    from assistant.llm import LLM

log = logging.getLogger(__name__)
# ~10k tokens: a long academic CV fits; anything longer is skipped rather than sent in pieces.
MAX_REFINE_CHARS = 40_000
SECTIONS = ("education", "interests", "skills", "publications", "experience", "awards")


@dataclass
class Dropped:
    section: str
    text: str
    reason: str


@dataclass
class Refinement:
    profile: StudentProfile
    kept: int = 0
    dropped: list[Dropped] = field(default_factory=list)
    sections_kept_offline: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)  # nothing when the extraction came from the cache
    cached: bool = False


def wants_refinement(settings: Settings, offline: bool = False) -> bool:
    """`OUTREACH_CV_EXTRACTION`: auto refines when an LLM is configured; `--offline` always wins."""
    if offline or settings.cv_extraction == "offline":
        return False
    return settings.cv_extraction == "llm" or settings.llm_configured


def refine_profile(profile: StudentProfile, settings: Settings, llm: LLM | None = None) -> Refinement:
    """Ask the LLM to re-file the offline items, then keep only what the CV text backs.

    Raises OutreachError when the call fails or the CV is too long to send; callers decide whether that is
    fatal (OUTREACH_CV_EXTRACTION=llm) or a warning with the offline profile kept (auto)."""
    if not profile.raw_text.strip():
        raise InputError("the CV has no text to refine")
    if len(profile.raw_text) > MAX_REFINE_CHARS:
        raise InputError(
            f"the CV text is {len(profile.raw_text):,} characters; LLM refinement handles up to {MAX_REFINE_CHARS:,}"
        )
    # Sorting text is not creative work: temperature 0 keeps the extraction as repeatable as the endpoint allows.
    from assistant.llm import LLM  # httpx and the SDK's machinery: only when a call is made

    llm = llm or LLM(settings.model_copy(update={"llm_temperature": 0.0}))
    messages = [
        ("system", render("cv_extract_system")),
        ("user", render("cv_extract", offline_items=profile.all_items(), cv_text=profile.raw_text)),
    ]
    cache = RefinementCache(settings, messages)
    extraction = cache.extraction()
    if extraction is not None:
        return apply_extraction(profile, extraction, model=llm.model_name, cached=True)
    try:
        extraction, usage = llm.structured(messages, CVExtraction, what="CV extraction", kind="cv_refine")
    except (LLMReplyError, LLMLimitError) as exc:  # the model cannot do it: asking again would cost the same
        cache.fail(exc)
        raise
    cache.keep(extraction)
    refinement = apply_extraction(profile, extraction, model=llm.model_name)
    refinement.usage = usage
    return refinement


class RefinementCache:
    """The validated extraction of a CV by a model, or the reason the model could not make one, kept under the
    store (`cv-refine/<sha256>.json`; the store is private: the extraction is CV data). The key hashes what is
    sent (the CV text, the offline items, the prompt templates as rendered), the model and the endpoint; a
    failure is reused only under the same limits (max_tokens, deadline, JSON mode), so raising one retries."""

    def __init__(self, settings: Settings, messages: list[tuple[str, str]]) -> None:
        from assistant.llm.client import endpoint

        sent = json.dumps([settings.llm_model, endpoint(settings), messages], ensure_ascii=False)
        self.path = settings.store_dir / "cv-refine" / f"{hashlib.sha256(sent.encode()).hexdigest()}.json"
        self.limits = [settings.llm_max_tokens_cv_refine, settings.llm_deadline_s, settings.llm_structured_mode]

    def _entry(self) -> dict[str, Any]:
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return entry if isinstance(entry, dict) else {}

    def extraction(self) -> CVExtraction | None:
        """The cached extraction; raises the cached failure when it was made under the current limits."""
        entry = self._entry()
        if entry.get("failed") and entry.get("limits") == self.limits:
            raise OutreachError(f"{entry['failed']} (an earlier run; delete {self.path} to try again)")
        try:
            return CVExtraction.model_validate(entry["extraction"]) if "extraction" in entry else None
        except ValidationError:
            return None

    def keep(self, extraction: CVExtraction) -> None:
        self._write({"extraction": extraction.model_dump(mode="json")})

    def fail(self, exc: OutreachError) -> None:
        self._write({"failed": str(exc), "limits": self.limits})

    def _write(self, entry: dict[str, Any]) -> None:
        try:
            atomic_write_text(self.path, json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:  # a cache that cannot be written costs a call next time, nothing more
            log.warning("could not cache the CV refinement in %s: %s", self.path, exc)


def apply_extraction(
    profile: StudentProfile, extraction: CVExtraction, *, model: str, cached: bool = False
) -> Refinement:
    """The refined profile: the model's items that the CV backs, and the offline items of any section the
    model left empty (it may re-file items, but cannot make a section of the student's CV disappear)."""
    text = profile.raw_text
    folded = _fold(text)
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    kept: dict[str, list[CVItem]] = {s: [] for s in SECTIONS}
    seen: set[tuple[str, str]] = set()
    dropped: list[Dropped] = []
    for item in extraction.items:
        quote, short = item.quote.strip(), " ".join(item.text.split())
        reason = _rejection(short, quote, text)
        if reason:
            dropped.append(Dropped(item.section, short or quote, reason))
            continue
        key = (item.section, short.casefold())
        if key in seen:
            continue
        seen.add(key)
        span = locate(quote, text, folded)
        source = text[span[0] : span[1]] if span else quote
        line = bisect_right(line_starts, span[0]) if span else None
        kept[item.section].append(CVItem(section=item.section, text=short, source_text=source, line=line))

    refined = profile.model_copy(deep=True)
    offline_sections: list[str] = []
    for section in SECTIONS:
        if kept[section]:
            setattr(refined, section, kept[section])
        elif getattr(profile, section):
            offline_sections.append(section)
    refined.name = _backed(extraction.name, text) or profile.name
    refined.email = _backed(extraction.email, text) or profile.email
    refined.extracted_by = f"offline + {model}"
    return Refinement(
        profile=refined,
        kept=sum(len(v) for v in kept.values()),
        dropped=dropped,
        sections_kept_offline=offline_sections,
        cached=cached,
    )


def _rejection(short: str, quote: str, cv_text: str) -> str | None:
    if not short or not re.search(r"\w", short):
        return "empty item"
    if not quote or not item_in_cv(quote, cv_text):
        return "its quote is not in the CV"
    if not item_in_cv(short, quote):
        return "its text is not in its quote"
    if CV_INSTRUCTION_RE.search(quote):
        return "it quotes a line that reads as an instruction to a model"
    return None


def _backed(value: str | None, cv_text: str) -> str | None:
    value = (value or "").strip()
    return value if value and item_in_cv(value, cv_text) else None


def locate(quote: str, text: str, folded: str | None = None) -> tuple[int, int] | None:
    """Where the quote's words occur in the CV, as a span of the original text (case, accents, punctuation
    and spacing ignored), so an item's `source_text` is the CV's own characters; None if only a looser
    match (a word hyphenated across a line break) exists."""
    words = re.findall(r"[^\W_]+|[+#]", _fold(quote))
    if not words:
        return None
    gap = r"(?:[^\w+#]|_)*" if len(words) > 1 else ""
    pattern = r"(?<![^\W_])" + gap.join(re.escape(w) for w in words) + r"(?![^\W_])"
    match = re.search(pattern, folded if folded is not None else _fold(text))
    return (match.start(), match.end()) if match else None


def _fold(text: str) -> str:
    """Lower-case without accents, one character for one, so offsets carry back to the original text."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    base = unicodedata.normalize("NFKD", ch)[:1].lower()[:1]
    return base if base and not unicodedata.combining(base) else ch


def refine_or_explain(
    profile: StudentProfile, settings: Settings, *, offline: bool = False
) -> tuple[StudentProfile, Refinement | None, str | None]:
    """The profile to use, the refinement if one ran, and a warning when auto mode fell back to offline.

    With OUTREACH_CV_EXTRACTION=llm a failure is an error; in auto mode it is a warning, because the offline
    extraction is a complete answer on its own."""
    if not wants_refinement(settings, offline):
        return profile, None, None
    try:
        refinement = refine_profile(profile, settings)
    except OutreachError as exc:
        if settings.cv_extraction == "llm":
            raise
        return profile, None, f"LLM refinement of the CV skipped ({exc}); using the offline extraction"
    return refinement.profile, refinement, None


def read_student(
    path: Path, settings: Settings, *, offline: bool = False
) -> tuple[StudentProfile, Refinement | None, str | None]:
    """A CV file read offline, then refined by the LLM when configured: what `outreach match/draft/batch` and
    the web app read. Returns the profile, the refinement if one ran, and a warning if auto mode fell back."""
    return refine_or_explain(read_cv(path), settings, offline=offline)
