"""Domain types, all in one place: what the pipeline reads, stores, scores, drafts and checks."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, computed_field


class _Record(BaseModel):
    # Each model's validator is built when first used rather than at import (about 0.1 s for all of them), so a
    # command pays only for the models it touches.
    model_config = ConfigDict(defer_build=True)


# ---------------------------------------------------------------- corpus


class PaperSource(_Record):
    """One listing of a paper: the same paper often appears under several venues or dates."""

    origin: str  # where we read it: a file name, "openalex", ...
    venue: str | None = None
    date: str | None = None  # ISO date (YYYY-MM-DD), or YYYY-MM / YYYY when that is all we know
    kind: str | None = None  # preprint, article, book-chapter...
    open_access: bool | None = None
    url: str | None = None
    doi: str | None = None
    # The title this listing gave, when a merge folded it into a paper under another title (a preprint's title
    # before publication): citing it names the same paper.
    title: str | None = None


class Paper(_Record):
    id: str  # stable: derived from normalised content (see ids.paper_id)
    title: str | None = None  # None when the source gives no title: never invent one
    abstract: str | None = None
    year: int | None = None
    date: str | None = None
    venue: str | None = None
    authors: list[str] = Field(default_factory=list)
    author_count: int | None = None
    senior_author: bool = False
    doi: str | None = None
    url: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)  # arxiv, semantic_scholar, openalex...
    sources: list[PaperSource] = Field(default_factory=list)
    # Sentences of the title and abstract that read as instructions to a model or carry a link or email: kept
    # for the record, never quoted (assistant/untrusted.py).
    flagged_sentences: list[str] = Field(default_factory=list)

    def where(self, *, exact_date: bool = True) -> str:
        """Where and when it appeared: "venue, date" ("venue, year" without `exact_date`, or when the date is
        unknown); "" when neither is known."""
        year = str(self.year) if self.year else None
        when = (self.date or year) if exact_date else year
        return ", ".join(x for x in (self.venue, when) if x)

    def label(self, words: int = 8) -> str:
        """How to name this paper to a person: its title, or venue/date and the abstract's first words."""
        if self.title:
            return self.title
        where = self.where()
        opening = " ".join((self.abstract or "").split()[:words])
        return f"Untitled ({where}): \u201c{opening}\u2026\u201d" if where else f"Untitled: \u201c{opening}\u2026\u201d"

    def embedding_text(self) -> str:
        parts = [p for p in (self.title, self.abstract) if p]
        return ". ".join(parts)


class Coauthor(_Record):
    name: str
    shared: int | None = None
    affiliation: str | None = None


class Professor(_Record):
    id: str  # stable slug of the name (see ids.professor_id)
    name: str
    kind: Literal["professor", "collection"] = "professor"  # a collection holds a listing with no owner
    position: str | None = None
    affiliation: str | None = None
    department: str | None = None
    email: str | None = None
    active_from: int | None = None
    active_to: int | None = None
    about: str | None = None
    topics: list[str] = Field(default_factory=list)
    coauthors: list[Coauthor] = Field(default_factory=list)
    labs: list[str] = Field(default_factory=list)
    education: list[str] = Field(default_factory=list)
    awards: list[str] = Field(default_factory=list)
    external_ids: dict[str, str] = Field(default_factory=dict)  # openalex, orcid, semantic_scholar...
    flagged_sentences: list[str] = Field(default_factory=list)  # of about, topics, labs (assistant/untrusted.py)
    papers: list[Paper] = Field(default_factory=list)


class InputSummary(_Record):
    """What one input (a file, an OpenAlex author) held, once its own duplicate listings were merged."""

    source: str
    professors: int
    papers: int
    skipped: int = 0


class IngestReport(_Record):
    """What one ingest did; printed to the user."""

    files: list[str] = Field(default_factory=list)
    inputs: list[InputSummary] = Field(default_factory=list)
    professors: list[str] = Field(default_factory=list)  # ids touched
    papers_read: int = 0  # papers per input, each input's duplicates merged (its records can be more)
    papers_new: int = 0
    papers_merged: int = 0  # listings folded into a paper we already had
    papers_embedded: int = 0
    # Sentences of the ingested papers and profiles that read as instructions or carry links: kept, never quoted.
    flagged_sentences: int = 0
    skipped: list[str] = Field(default_factory=list)  # "file:line: reason" for each record not ingested


class SearchHit(_Record):
    paper_id: str
    professor_id: str
    title: str | None
    score: float
    paper: Paper | None = None


# ---------------------------------------------------------------- student


CVSection = Literal[
    "contact", "education", "interests", "skills", "publications", "experience", "projects", "awards", "other"
]


class CVItem(_Record):
    section: CVSection
    text: str  # the item as we understood it
    source_text: str  # the exact CV text it came from (claims are checked against this)
    line: int | None = None


class StudentProfile(_Record):
    name: str | None = None
    email: str | None = None
    education: list[CVItem] = Field(default_factory=list)
    interests: list[CVItem] = Field(default_factory=list)
    skills: list[CVItem] = Field(default_factory=list)
    publications: list[CVItem] = Field(default_factory=list)
    experience: list[CVItem] = Field(default_factory=list)  # projects and positions
    awards: list[CVItem] = Field(default_factory=list)
    raw_text: str = ""  # the whole extracted CV text: kept in memory only, never logged
    source_path: str | None = None
    extracted_by: str = "offline"  # "offline", or "offline + <model>" when an LLM refined the items
    # Lines that read as instructions to a model: not made into items (cv.py), listed by `cv show`.
    instruction_lines: list[str] = Field(default_factory=list)

    def research_items(self) -> list[CVItem]:
        """The items that describe what the student works on: used for topic fit."""
        return [*self.interests, *self.publications, *self.experience]

    def all_items(self) -> list[CVItem]:
        return [*self.education, *self.interests, *self.skills, *self.publications, *self.experience, *self.awards]


# What an LLM returns when it refines a CV's extraction. Every item must quote the CV: assistant/cv/refine.py
# drops any item whose quote is not in the CV text, or whose text is not in its quote.
ExtractedSection = Literal["education", "interests", "skills", "publications", "experience", "awards"]


class ExtractedItem(_Record):
    section: ExtractedSection
    text: str = Field(description="The item, short, in the CV's own words (a sub-span of `quote`).")
    quote: str = Field(description="The exact CV text the item comes from, copied character for character.")


class CVExtraction(_Record):
    # No defaults: OpenAI's strict structured output wants every field required (null stands for absent).
    name: str | None = Field(description="The student's name exactly as written in the CV, or null.")
    email: str | None = Field(description="The student's email exactly as written in the CV, or null.")
    items: list[ExtractedItem]


# ---------------------------------------------------------------- matching


class Evidence(_Record):
    paper_id: str
    title: str | None  # the paper's label (title or untitled description)
    cv_item: str
    similarity: float  # the pair score that enters topic fit (see README: match score)
    semantic: float | None = None  # cosine of the two embeddings
    keyword: float | None = None  # TF-IDF cosine of the two texts
    shared_terms: list[str] = Field(default_factory=list)


class MatchComponents(_Record):
    topic: float  # 0..1
    method: float  # 0..1
    recency: float  # 0..1


Fit = Literal["weak", "moderate", "strong"]
Coverage = Literal["high", "medium", "low"]


class MatchResult(_Record):
    professor_id: str
    name: str
    score: float  # 0..100
    fit: Fit  # what the score means, by thresholds measured on the gold standard (match.fit_label)
    components: MatchComponents
    # How much of the professor's work the score could read: the share of their papers with abstracts. Says how
    # far to trust the score, not how well the professor fits.
    abstract_coverage: Coverage
    abstract_coverage_note: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    # Deprecated aliases, kept so `match --json` consumers and callers of the old names still find them.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def confidence(self) -> Coverage:
        return self.abstract_coverage

    @computed_field  # type: ignore[prop-decorator]
    @property
    def confidence_note(self) -> str | None:
        return self.abstract_coverage_note


# ---------------------------------------------------------------- drafting


class CitationUse(_Record):
    paper_id: str
    where: str  # the sentence (or phrase) of the email that refers to it


class StudentClaim(_Record):
    claim: str  # what the email says about the student
    cv_item: str  # the CV text that backs it


class EmailDraft(_Record):
    """The structured draft (what the LLM must return, and what the offline drafter builds)."""

    subject: str
    body: str
    cited_paper_ids: list[str] = Field(default_factory=list)
    citations: list[CitationUse] = Field(default_factory=list)
    student_claims: list[StudentClaim] = Field(default_factory=list)


class Violation(_Record):
    check: str  # citations, titles, numbers, attribution, student_claims, copying, injection, form
    severity: Literal["hard", "soft"]
    message: str
    span: str | None = None  # the offending text in the email
    # The source passage the claim was checked against, quoted ("'Title' says: “…”"), so a person can check the
    # verdict. Untrusted text: shown to the user as the paper's words, never sent in a prompt.
    evidence: str | None = None


# passed: ran, found nothing. failed: found violations (hard or soft: see severity). skipped: not run, by
# configuration (no CV given, offline, no LLM, a setting turned it off). unverified: should have run and could
# not (the verifier timed out, refused, answered something unparsable): it never counts as passed.
CheckStatus = Literal["passed", "failed", "skipped", "unverified"]
Verdict = Literal["passed", "failed", "unverified"]


class CheckResult(_Record):
    check: str
    status: CheckStatus
    severity: Literal["hard", "soft"]
    violations: list[Violation] = Field(default_factory=list)
    note: str | None = None  # why a check was skipped or unverified

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Nothing against it: it ran clean, or it was skipped by configuration (today's meaning of passed)."""
        return self.status in ("passed", "skipped")


class GuardrailReport(_Record):
    checks: list[CheckResult] = Field(default_factory=list)

    @property
    def violations(self) -> list[Violation]:
        return [v for c in self.checks for v in c.violations]

    @property
    def hard_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "hard"]

    @property
    def unverified(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "unverified"]

    @property
    def verdict(self) -> Verdict:
        """failed: a hard violation; unverified: none, but a check that should have run could not; else passed
        (soft warnings and checks skipped by configuration do not block)."""
        if self.hard_violations:
            return "failed"
        return "unverified" if self.unverified else "passed"

    @property
    def passed(self) -> bool:
        """True only when no hard check failed and every check that should have run did."""
        return self.verdict == "passed"


class Provenance(_Record):
    """How an output was made (paper-qa's config_md5 idea)."""

    mode: Literal["llm", "offline"]
    model: str | None = None
    templates: list[str] = Field(default_factory=list)
    settings_hash: str
    grounded_on: list[str] = Field(default_factory=list)  # paper ids retrieved
    prompt_tokens: int = 0
    completion_tokens: int = 0
    repair_rounds: int = 0
    structured_mode: str | None = None  # how JSON was asked of the endpoint (json_schema, json_object, tools, text)
    reasks: int = 0  # replies that failed validation and went back to the model with the errors
    review_reason: str | None = None  # why a draft needs review beyond its guardrail report (a failed repair round)
    # The support check's verifier calls (guardrails/verifier.py), counted apart from drafting or answering.
    verify_prompt_tokens: int = 0
    verify_completion_tokens: int = 0


class DraftResult(_Record):
    professor_id: str
    professor_name: str
    draft: EmailDraft
    sources: list[Paper]  # the retrieved papers the draft was grounded on
    report: GuardrailReport
    provenance: Provenance

    @property
    def status(self) -> Literal["clean", "needs review"]:
        return "clean" if self.report.passed else "needs review"


# What the support check's verifier returns (guardrails/verifier.py): a verdict per numbered sentence. The quote
# is checked in code (guardrails/checks/support.py): it must be in the paper's title or abstract.
SupportVerdict = Literal["supported", "unsupported", "not_a_claim"]


class SupportItem(_Record):
    # No defaults: OpenAI's strict structured output wants every field required.
    n: int = Field(description="The sentence's number, as given in <sentences>.")
    verdict: SupportVerdict = Field(description="supported, unsupported or not_a_claim (see the rules).")
    quote: str = Field(
        description="supported: the passage of the paper's title or abstract that states it, copied character "
        'for character; otherwise "".'
    )
    reason: str = Field(description="One short line: why this verdict.")


class SupportReply(_Record):
    items: list[SupportItem]


# ---------------------------------------------------------------- asking


class AskCitation(_Record):
    marker: int
    paper_id: str
    title: str | None
    professor_id: str | None = None


class AskAnswer(_Record):
    question: str
    answer: str
    supported: bool
    citations: list[AskCitation] = Field(default_factory=list)
    guardrails: GuardrailReport = Field(default_factory=GuardrailReport)
    provenance: Provenance | None = None


# ---------------------------------------------------------------- batches (assistant/batch/, shown by review.py)


class BatchViolation(Violation):
    """A violation as a batch's JSON sidecar records it; the cross-draft check adds `batch` ones naming the twin."""

    batch: bool = False
    similar_to: str | None = None
    similarity: float | None = None


class SidecarCheck(_Record):
    check: str
    status: CheckStatus
    severity: Literal["hard", "soft"]
    note: str | None = None


class SidecarReport(_Record):
    passed: bool
    status: Verdict | None = None  # None: a sidecar written before statuses existed
    checks: list[SidecarCheck] = Field(default_factory=list)
    violations: list[BatchViolation] = Field(default_factory=list)


class SidecarCitation(_Record):
    paper_id: str
    title: str | None


class Sidecar(_Record):
    """`<id>.json` of a batch: the `draft --format json` shape (export.to_json) plus who it is to and the hash of
    its inputs. Fields added to that shape later are kept as they are (extra="allow")."""

    model_config = ConfigDict(extra="allow")

    professor_id: str
    subject: str
    body: str
    citations: list[SidecarCitation] = Field(default_factory=list)
    student_claims: list[StudentClaim] = Field(default_factory=list)
    mode: Literal["llm", "offline"]
    status: Literal["clean", "needs review"]
    guardrails: SidecarReport
    provenance: Provenance
    professor_name: str
    to: str | None = None
    input_hash: str


BatchStatus = Literal["clean", "needs review", "failed", "skipped"]
BATCH_STATUSES: tuple[BatchStatus, ...] = get_args(BatchStatus)


class BatchRow(_Record):
    """One line of a batch's summary."""

    professor: str
    professor_id: str
    email: str | None = None
    match_score: float | None = None
    status: BatchStatus
    verdict: str | None = None  # passed / warnings / hard violations
    path: str | None = None  # the Markdown draft, relative to the output folder
    tokens: int = 0  # drafting and verifying
    prompt_tokens: int = 0  # drafting
    completion_tokens: int = 0
    verify_tokens: int = 0  # the support check's verifier calls
    cost_usd: float | None = None
    cost_note: str | None = None
    reused: bool = False  # finished in an earlier run with the same inputs: not drafted again
    similar_to: list[str] = Field(default_factory=list)
    error: str | None = None


class BatchSummary(_Record):
    out_dir: str
    mode: Literal["llm", "offline"]
    model: str | None
    concurrency: int
    elapsed_s: float
    rate_limit_wait_s: float = 0.0
    drafted_this_run: int = 0
    cv_tokens: int = 0  # this run's LLM reading of the CV, not part of any one draft
    cv_cost_usd: float | None = 0.0
    rows: list[BatchRow]

    def count(self, status: BatchStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def counts(self) -> dict[BatchStatus, int]:
        return {status: self.count(status) for status in BATCH_STATUSES}

    @property
    def exit_code(self) -> int:
        """0 when every item is clean; 1 when any failed, was skipped, or needs review."""
        return 0 if all(r.status == "clean" for r in self.rows) else 1
