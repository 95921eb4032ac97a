"""Batch drafting: failures stay local, runs resume without duplicates, changed inputs redo drafts, the review
page escapes everything, and worker threads see the same index as a sequential run."""

from __future__ import annotations

import csv
import json
import re
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from assistant.batch import BatchOptions, Target, read_targets, run_batch
from assistant.batch.journal import Journal
from assistant.batch.view import FrozenIndex
from assistant.index import PaperIndex
from assistant.settings import Settings, reset_settings_cache
from assistant.types import BatchRow, BatchSummary, CVItem, Paper, Professor, Sidecar, StudentProfile
from tests.conftest import TEST_API_KEY, copy_store
from tests.openai_mock import CHAT_URL, completion, error

# ---------------------------------------------------------------- fixtures

EXTRA = {
    "Ada Lovelace": [
        (
            "Coresets for Data-Efficient Fine-Tuning",
            "Fine-tuning large models on all available data is wasteful. We propose a gradient-matching coreset "
            "method that selects a small weighted subset of the training data. We show that the subset recovers "
            "most of the accuracy of full-data fine-tuning at a fraction of the cost.",
        ),
        (
            "Pruning Noisy Examples Early in Training",
            "Noisy labels hurt generalization. We identify examples that are forgotten repeatedly during early "
            "training and show that pruning them improves robustness of the trained model.",
        ),
    ],
    "Alan Turing": [
        (
            "Synthetic Data for Small Reasoning Models",
            "Synthetic problems written by larger models are increasingly used to train small models. We study "
            "which generated examples help reasoning and show that filtering by difficulty matters more than scale.",
        ),
        (
            "Token Budgets and Out-of-Distribution Reasoning",
            "We analyze how the length of reasoning at training time affects generalization and find that longer "
            "budgets improve out-of-distribution accuracy after in-distribution accuracy saturates.",
        ),
    ],
    "Grace Hopper": [
        (
            "Submodular Summarization of Image Collections",
            "Summarizing large image collections requires representative and diverse subsets. We develop a "
            "stochastic greedy algorithm for facility location that scales to millions of images.",
        ),
        (
            "Selecting Pretraining Data with Influence Estimates",
            "We introduce a cheap influence estimate for pretraining examples and show that selecting data by "
            "estimated influence speeds up the training of language models.",
        ),
    ],
}
NAMES = ["Baharan Mirzasoleiman", "Meisam Razaviyayn", "Ada Lovelace", "Alan Turing", "Grace Hopper"]


def _professor(name: str, papers: list[tuple[str, str]]) -> Professor:
    from assistant.ids import paper_id, professor_id

    return Professor(
        id=professor_id(name),
        name=name,
        affiliation="Analytical Engine University",
        email=f"{professor_id(name)}@example.edu",
        papers=[Paper(id=paper_id(t, a), title=t, abstract=a, year=2024, venue="arXiv") for t, a in papers],
    )


@pytest.fixture(scope="session")
def batch_store_template(sample_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared sample store plus three small professors: five to write to. Built once per session."""
    from assistant.ingest import ingest_professors

    store = tmp_path_factory.mktemp("batch") / "store"
    shutil.copytree(sample_store_template, store)
    settings = Settings(OUTREACH_STORE=str(store))
    ingest_professors([_professor(n, p) for n, p in EXTRA.items()], settings)
    return store


@pytest.fixture
def store(batch_store_template: Path, isolated_store: Path) -> Path:
    return copy_store(batch_store_template, isolated_store)


def make_student(extra_interest: str = "") -> StudentProfile:
    def item(section: str, text: str) -> CVItem:
        return CVItem(section=section, text=text, source_text=text)

    interests = [
        "Data-efficient training of large models: data selection, coresets and data pruning",
        "Synthetic data for training language models",
    ] + ([extra_interest] if extra_interest else [])
    profile = StudentProfile(
        name="Maya Chen",
        email="maya.chen@example.edu",
        education=[item("education", "M.S. in Computer Science, University of California, Los Angeles")],
        interests=[item("interests", t) for t in interests],
        skills=[item("skills", s) for s in ("Python", "PyTorch")],
        experience=[item("experience", "Built a gradient-matching coreset selector for instruction tuning")],
    )
    profile.raw_text = "\n".join(i.source_text for i in profile.all_items())
    return profile


def options(out: Path, **kwargs: Any) -> BatchOptions:
    return BatchOptions(out_dir=out, **({"concurrency": 2} | kwargs))


def targets(names: list[str] = NAMES) -> list[Target]:
    return [Target(name=n) for n in names]


def done_counts(out: Path) -> Counter[str]:
    return Counter(r.key for r in Journal(out / "journal.jsonl").records() if r.state == "done")


def sidecar(key: str, body: str, **fields: Any) -> Sidecar:
    """A batch's JSON sidecar for a draft written by hand."""
    data = {
        "professor_id": key,
        "subject": "Prospective student",
        "body": body,
        "mode": "offline",
        "status": "clean",
        "guardrails": {"passed": True, "violations": []},
        "provenance": {"mode": "offline", "settings_hash": "s"},
        "professor_name": key,
        "input_hash": "h",
    }
    return Sidecar.model_validate(data | fields)


def summary_rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as fh:
        return {row["professor_id"]: row for row in csv.DictReader(fh)}


# ---------------------------------------------------------------- a scripted LLM

_SOURCE = re.compile(r"\[source id=(\w+)\]")
_TO = re.compile(r"to Professor ([^\n(]+?)(?: \(|\.\n)")


class FakeEndpoint:
    """A respx side effect that writes a short grounded draft citing the first retrieved source; professors
    whose name contains one of `refuse` get HTTP 401; `body` overrides the text (e.g. to inject markup)."""

    def __init__(self, refuse: tuple[str, ...] = (), body: str | None = None) -> None:
        self.refuse = refuse
        self.body = body
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        human = payload["messages"][-1]["content"]
        name = _TO.search(human).group(1).strip()  # type: ignore[union-attr]
        self.asked.append(name)
        if any(r in name for r in self.refuse):
            return error(401, "invalid api key")
        source = _SOURCE.search(human).group(1)  # type: ignore[union-attr]
        surname = name.split()[-1]
        body = self.body or (
            f"Dear Professor {surname},\n\nI am a master's student in computer science and I would like to join "
            f"your group. Your recent work on selecting the right training data is close to what I do: I built "
            f"a coreset selector for instruction tuning. I would be glad to learn whether you are taking new "
            f"students next year, and I can send more details about my projects whenever it suits you. I have "
            f"read your papers with care and I would welcome any advice on how to prepare.\n\nBest regards,\n"
            f"Maya Chen"
        )
        draft = {
            "subject": f"Prospective student: data selection ({surname})",
            "body": body,
            "cited_paper_ids": [source],
            "citations": [{"paper_id": source, "where": "Your recent work on selecting the right training data"}],
            "student_claims": [],
        }
        return httpx.Response(200, json=completion(json.dumps(draft), prompt_tokens=900, completion_tokens=300))


@pytest.fixture
def llm_env(store: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("OUTREACH_LLM_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("OUTREACH_REPAIR_ROUNDS", "0")
    monkeypatch.setenv("OUTREACH_CV_EXTRACTION", "offline")  # the stub scripts drafts only
    monkeypatch.setenv("OUTREACH_VERIFY_SUPPORT", "off")
    reset_settings_cache()
    return Settings()


# ---------------------------------------------------------------- inputs


def test_read_targets_txt_and_csv(tmp_path: Path) -> None:
    from assistant.errors import InputError

    txt = tmp_path / "p.txt"
    txt.write_text("# who to write to\nBaharan Mirzasoleiman\n\n  meisam-razaviyayn  # by id\n", encoding="utf-8")
    assert [t.name for t in read_targets(txt)] == ["Baharan Mirzasoleiman", "meisam-razaviyayn"]
    table = tmp_path / "p.csv"
    table.write_text("Name,Email\nAda Lovelace,ada@example.org\nAlan Turing,\n", encoding="utf-8")
    assert [(t.name, t.email) for t in read_targets(table)] == [
        ("Ada Lovelace", "ada@example.org"),
        ("Alan Turing", None),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("who,email\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="`professor`"):
        read_targets(bad)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Ada Lovelace\nJosé Núñez\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.txt:2: not valid UTF-8 text \(byte 0xe9 at offset 16\)"):
        read_targets(latin)


def test_journal_records_are_read_by_key_whatever_wrote_them(tmp_path: Path) -> None:
    from assistant.batch.journal import Tokens

    path = tmp_path / "journal.jsonl"
    lines = [
        '{"v": 1, "ts": "t", "key": "a", "name": "A", "input_hash": "h", "state": "pending"}',
        '{"state": "done", "key": "a", "v": 1, "ts": "t", "input_hash": "h", "status": "clean", "files": {"md": "x"}, '
        '"tokens": {"prompt": 1, "completion": 2}}',
        '{"v": 1, "ts": "t", "key": "b", "state": "exploded"}',  # a state this version does not know: redone
        '{"v": 1, "ts": "t", "key": "c", "sta',  # cut short by a kill
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    latest = Journal(path).latest()
    assert set(latest) == {"a"} and latest["a"].state == "done" and latest["a"].tokens == Tokens(prompt=1, completion=2)
    Journal(path).append(latest["a"].model_copy(update={"key": "d"}))
    assert set(Journal(path).latest()) == {"a", "d"}  # the cut line did not swallow the new one


# ---------------------------------------------------------------- failures stay local


def test_offline_batch_of_five_with_an_unknown_professor(store: Path, settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = [*NAMES[:3], "Professor Nobody", NAMES[4]]
    summary = run_batch(make_student(), targets(names), settings, options(out, offline=True))

    written = sorted(p.stem for p in out.glob("*.md"))
    assert written == ["ada-lovelace", "baharan-mirzasoleiman", "grace-hopper", "meisam-razaviyayn"]
    for key in written:
        assert (out / f"{key}.eml").exists() and (out / f"{key}.json").exists()
    rows = summary_rows(out)
    assert rows["professor-nobody"]["status"] == "failed"
    assert "no professor named" in rows["professor-nobody"]["error"]
    assert all(rows[k]["status"] in ("clean", "needs review") for k in written)
    assert all(rows[k]["match_score"] for k in written)
    assert summary.exit_code == 1
    assert (out / "index.html").exists() and json.loads((out / "summary.json").read_text())["totals"]["failed"] == 1
    # The professor's address from the catalog lands in To:
    assert "To: Ada Lovelace <ada-lovelace@example.edu>" in (out / "ada-lovelace.eml").read_text()


class SlowEndpoint(FakeEndpoint):
    """Answers after a short wait and records how many requests were in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.now = self.most = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.1)
            return super().__call__(request)
        finally:
            with self.lock:
                self.now -= 1


def test_concurrency_bounds_the_llm_requests_in_flight(llm_env: Settings, tmp_path: Path) -> None:
    endpoint = SlowEndpoint()
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=endpoint)
        summary = run_batch(make_student(), targets(), llm_env, options(tmp_path / "out", concurrency=2))
    assert summary.count("failed") == 0 and len(endpoint.asked) == 5
    assert endpoint.most == 2  # reached, never exceeded (more items than that are in progress)


def test_llm_401_for_one_professor_leaves_the_others(llm_env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    endpoint = FakeEndpoint(refuse=("Turing",))
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=endpoint)
        summary = run_batch(make_student(), targets(), llm_env, options(out, concurrency=3, rpm=6000, tpm=10**6))

    rows = {r.professor_id: r for r in summary.rows}
    assert rows["alan-turing"].status == "failed" and "API key" in (rows["alan-turing"].error or "")
    assert sorted(p.stem for p in out.glob("*.md")) == sorted(k for k in rows if k != "alan-turing")
    ok = [r for r in summary.rows if r.professor_id != "alan-turing"]
    assert all(r.tokens == 1200 and r.cost_usd == pytest.approx((900 * 0.15 + 300 * 0.60) / 1e6) for r in ok)
    assert summary.exit_code == 1
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file())
    assert TEST_API_KEY not in everything


def test_failed_items_are_skipped_unless_retry_failed(llm_env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    student = make_student()
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=FakeEndpoint(refuse=("Turing",)))
        run_batch(student, targets(), llm_env, options(out))
    healed = FakeEndpoint()
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=healed)
        again = run_batch(student, targets(), llm_env, options(out))
        assert healed.asked == []  # nothing redrafted, the failure not retried
        assert {r.professor_id: r.status for r in again.rows}["alan-turing"] == "skipped"
        retried = run_batch(student, targets(), llm_env, options(out, retry_failed=True))
    assert healed.asked == ["Alan Turing"]
    assert {r.professor_id: r.status for r in retried.rows}["alan-turing"] != "failed"
    assert done_counts(out) == Counter({k: 1 for k in done_counts(out)}) and len(done_counts(out)) == 5


# ---------------------------------------------------------------- resuming


class Interrupted(Exception):
    pass


def test_interrupted_run_resumes_with_each_professor_drafted_once(
    store: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.draft

    out = tmp_path / "out"
    student = make_student()
    drafted: list[str] = []
    real_draft = assistant.draft.draft_email

    def counting_draft(student: StudentProfile, professor: Professor, *args: Any, **kwargs: Any) -> Any:
        drafted.append(professor.id)
        return real_draft(student, professor, *args, **kwargs)

    monkeypatch.setattr(assistant.draft, "draft_email", counting_draft)
    finished: list[str] = []

    def stop_after_two(key: str, state: str) -> None:
        finished.append(key)
        if len(finished) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_batch(student, targets(), settings, options(out, offline=True, concurrency=1), on_item=stop_after_two)
    # The item already in its worker thread when the run stopped may finish and be journalled too: that loses
    # nothing. Anything journalled as done is done once.
    done_before = done_counts(out)
    assert set(finished) <= set(done_before) and len(done_before) <= len(finished) + 1
    assert all(n == 1 for n in done_before.values())
    assert not (out / "summary.csv").exists()  # the run never got that far

    # A kill -9 could also have cut the journal's last line short and left a temp file: both are harmless.
    with (out / "journal.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"v": 1, "key": "grace-hop')
    (out / ".grace-hopper.md.x.tmp").write_text("half")

    summary = run_batch(student, targets(), settings, options(out, offline=True))
    assert summary.drafted_this_run == 5 - len(done_before)
    assert done_counts(out) == Counter({k: 1 for k in [r.professor_id for r in summary.rows]})
    assert {r.professor_id for r in summary.rows if r.reused} == set(done_before)
    assert len(list(out.glob("*.md"))) == 5 and not list(out.glob(".*.tmp"))
    # Each professor was drafted once overall, except possibly the one in flight when the run stopped.
    counts = Counter(drafted)
    assert sorted(counts) == sorted(r.professor_id for r in summary.rows)
    assert sum(counts.values()) <= 6 and all(n == 1 for k, n in counts.items() if k in finished)


def test_changed_inputs_invalidate_only_the_affected_drafts(store: Path, settings: Settings, tmp_path: Path) -> None:
    from assistant.ingest import ingest_professors

    out = tmp_path / "out"
    student = make_student()
    first = run_batch(student, targets(), settings, options(out, offline=True))
    assert first.drafted_this_run == 5
    assert run_batch(student, targets(), settings, options(out, offline=True)).drafted_this_run == 0

    changed_cv = make_student(extra_interest="Submodular optimization for summarizing image collections")
    assert run_batch(changed_cv, targets(), settings, options(out, offline=True)).drafted_this_run == 5

    fewer_citations = settings.model_copy(update={"draft_citations": 2})
    assert run_batch(changed_cv, targets(), fewer_citations, options(out, offline=True)).drafted_this_run == 5

    new_paper = [("Influence Functions at Scale", "We show that influence functions scale to large models.")]
    ingest_professors([_professor("Grace Hopper", [*EXTRA["Grace Hopper"], *new_paper])], settings)
    again = run_batch(changed_cv, targets(), fewer_citations, options(out, offline=True))
    assert again.drafted_this_run == 1
    assert [r.professor_id for r in again.rows if not r.reused] == ["grace-hopper"]
    hashes = [r.input_hash for r in Journal(out / "journal.jsonl").records() if r.key == "grace-hopper"]
    assert len(set(hashes)) == 4  # first run, new CV, new settings, new paper


def test_a_setting_added_later_invalidates_finished_drafts(store: Path, tmp_path: Path) -> None:
    from tests.test_settings import WithANewSetting

    out, student = tmp_path / "out", make_student()
    assert run_batch(student, targets(), WithANewSetting(), options(out, offline=True)).drafted_this_run == 5
    assert run_batch(student, targets(), WithANewSetting(), options(out, offline=True)).drafted_this_run == 0
    casual = WithANewSetting(OUTREACH_DRAFT_TONE="casual")
    assert run_batch(student, targets(), casual, options(out, offline=True)).drafted_this_run == 5


# ---------------------------------------------------------------- cross-draft check, shortlist, CLI


def test_a_batch_of_look_alikes_lists_the_five_closest_twins(tmp_path: Path) -> None:
    from assistant.batch.summary import MAX_TWINS_LISTED, cross_check

    body = "Dear Professor X, I would like to join your group to work on data selection and coresets. " * 3
    tails = [" ".join(f"w{j}" for j in range(i)) for i in range(8)]  # p(i) differs from p(i+1) by a word
    sidecars = {f"p{i}": sidecar(f"p{i}", body + tails[i]) for i in range(8)}
    sidecars["p7"] = sidecar("p7", body + tails[7], added_by_a_later_version={"kept": True})
    cross_check(tmp_path, sidecars)
    copying = sidecars["p0"].guardrails.violations
    assert len(copying) == MAX_TWINS_LISTED == 5 and copying[-1].message.endswith("(and 2 more in this batch)")
    assert [v.similar_to for v in copying] == ["p1", "p2", "p3", "p4", "p5"]  # the closest first
    rewritten = json.loads((tmp_path / "p7.json").read_text())
    assert rewritten["guardrails"]["violations"][0]["similar_to"] == "p6"
    assert rewritten["added_by_a_later_version"] == {"kept": True}  # a field this version does not know survives


def test_near_identical_drafts_are_flagged_as_copying(llm_env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with respx.mock:
        respx.post(CHAT_URL).mock(side_effect=FakeEndpoint())  # the same body for everyone
        summary = run_batch(make_student(), targets(NAMES[:3]), llm_env, options(out))
    assert all(len(r.similar_to) == 2 for r in summary.rows)
    sidecar = json.loads((out / "ada-lovelace.json").read_text())
    copying = [v for v in sidecar["guardrails"]["violations"] if v["check"] == "copying" and v.get("batch")]
    assert {v["similar_to"] for v in copying} == {"baharan-mirzasoleiman", "meisam-razaviyayn"}
    assert all(v["severity"] == "soft" for v in copying)
    assert "similar_to" in summary_rows(out)["ada-lovelace"] and summary_rows(out)["ada-lovelace"]["similar_to"]


def test_clean_drafts_move_the_shortlist_to_drafted(store: Path, settings: Settings, tmp_path: Path) -> None:
    from assistant import shortlist
    from assistant.batch import shortlist_targets
    from assistant.catalog import Catalog

    catalog = Catalog(settings.catalog_path)
    shortlist.add(catalog, NAMES[:2])
    summary = run_batch(make_student(), shortlist_targets(catalog), settings, options(tmp_path / "out", offline=True))
    status = {e.professor_id: e.status for e in shortlist.entries(catalog)}
    for row in summary.rows:
        assert status[row.professor_id] == ("drafted" if row.status == "clean" else "to-draft")
    assert any(row.status == "clean" for row in summary.rows)


def test_cli_batch(store: Path, tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import run

    names = tmp_path / "profs.csv"
    names.write_text("professor,email\nBaharan Mirzasoleiman,bm@example.edu\nNo Such Person,\n", encoding="utf-8")
    cv = str(examples_dir / "cvs" / "maya_chen.md")
    out = tmp_path / "out"
    code = run(["batch", "--cv", cv, "--professors", str(names), "--out", str(out), "--offline", "--json"])
    assert code == 1  # one item failed
    printed = json.loads(capsys.readouterr().out)
    assert printed["totals"]["failed"] == 1 and printed["exit_code"] == 1
    assert "To: Baharan Mirzasoleiman <bm@example.edu>" in (out / "baharan-mirzasoleiman.eml").read_text()
    assert run(["batch", "--cv", cv, "--out", str(out)]) == 2  # neither --shortlist nor --professors


# ---------------------------------------------------------------- review page


def test_review_page_escapes_untrusted_text() -> None:
    from assistant.review import render_review

    evil = "<script>alert('cv')</script>"
    row = BatchRow(professor=f"Prof {evil}", professor_id="p", status="needs review", verdict="failed: 1 hard")
    summary = BatchSummary(out_dir=".", mode="llm", model="gpt-4o-mini", concurrency=1, elapsed_s=1.0, rows=[row])
    draft = sidecar(
        "p",
        f"Dear Professor,\nI loved {evil} and <img src=x onerror=alert(1)>.",
        subject=f"Hello {evil}",
        status="needs review",
        citations=[{"paper_id": "p1", "title": evil}],
        guardrails={
            "passed": False,
            "violations": [
                {"check": "injection", "severity": "hard", "message": f"bad {evil}", "span": evil},
                # A paper's sentence quoted as evidence is the paper's text: escaped like the rest.
                {"check": "numbers", "severity": "hard", "message": "a figure", "span": "7%", "evidence": evil},
            ],
        },
    )
    html = render_review(summary, {"p": draft})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="hard" title="bad &lt;script&gt;' in html  # the span is highlighted, escaped
    assert '<div class="evidence">&lt;script&gt;' in html
    assert "script-src" not in html and "default-src 'none'" in html


# ---------------------------------------------------------------- threads


def test_worker_threads_draft_exactly_what_a_sequential_run_drafts(
    store: Path, settings: Settings, tmp_path: Path
) -> None:
    student = make_student()
    one = run_batch(student, targets(), settings, options(tmp_path / "c1", offline=True, concurrency=1))
    four = run_batch(student, targets(), settings, options(tmp_path / "c4", offline=True, concurrency=4))
    for row in one.rows:
        a = (tmp_path / "c1" / f"{row.professor_id}.md").read_text()
        b = (tmp_path / "c4" / f"{row.professor_id}.md").read_text()
        assert a == b
    assert [r.status for r in one.rows] == [r.status for r in four.rows]


def test_frozen_index_is_read_only_and_needs_no_sqlite(store: Path, settings: Settings) -> None:
    import threading

    index = PaperIndex(settings)
    frozen = FrozenIndex(index)
    seen: list[int] = []

    def in_thread() -> None:  # sqlite3 would refuse the catalog's connection here
        seen.append(len(frozen.catalog.professors(with_papers=True)))
        seen.append(len(frozen.snapshot().papers))

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    assert seen == [5, len(index.snapshot().papers)]
    assert not any(hasattr(frozen.catalog, writer) for writer in ("save_professors", "set_meta", "transaction"))


# ---------------------------------------------------------------- a real kill -9

_KILLABLE = """
import sys, time
from pathlib import Path
import assistant.draft
from assistant.batch import BatchOptions, Target, run_batch
from assistant.settings import Settings
from tests.test_batch import NAMES, make_student

real = assistant.draft.draft_email

def slow(*args, **kwargs):
    time.sleep(0.25)  # a window for the kill to land while a draft is in flight
    return real(*args, **kwargs)

assistant.draft.draft_email = slow
out = Path(sys.argv[1])
run_batch(make_student(), [Target(name=n) for n in NAMES], Settings(), BatchOptions(out_dir=out, concurrency=1,
          offline=True))
"""


def test_kill_9_mid_batch_loses_no_finished_draft(store: Path, settings: Settings, tmp_path: Path) -> None:
    import hashlib
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    root = Path(__file__).resolve().parents[1]
    env = os.environ | {"OUTREACH_STORE": str(store), "PYTHONPATH": str(root)}
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(out)], env=env, cwd=tmp_path)
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and '"state": "done"' in journal.read_text(encoding="utf-8"):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the batch finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    # Every item the journal calls done has all three files, byte for byte what the journal recorded.
    done = {r.key: r for r in Journal(journal).records() if r.state == "done"}
    assert 1 <= len(done) < len(NAMES)
    for key, record in done.items():
        assert record.files is not None
        for fmt, digest in record.files.items():
            assert hashlib.sha256((out / f"{key}.{fmt}").read_bytes()).hexdigest() == digest
    for path in out.glob("*.json"):  # nothing half-written under a final name
        json.loads(path.read_text(encoding="utf-8"))

    summary = run_batch(make_student(), targets(), settings, options(out, offline=True))
    assert {r.professor_id for r in summary.rows if r.reused} == set(done)
    assert summary.drafted_this_run == len(NAMES) - len(done)
    assert done_counts(out) == Counter({r.professor_id: 1 for r in summary.rows})
    assert not list(out.glob(".*.tmp"))
