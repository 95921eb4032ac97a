"""Prove a refactoring changed no behaviour: run the same offline commands on the sample data with this checkout
and with an earlier revision, and compare their outputs byte for byte.

    python benchmarks/same_outputs.py --against REV [--keep DIR] [--only NAME ...] [--mask-settings-hash]
    python benchmarks/same_outputs.py --record DIR          # just write this checkout's outputs to DIR

The commands (each in a fresh temporary store, no LLM configured, fixed terminal width): `demo`, `draft --offline
--format json` for two CVs, `ask --offline --json` (one professor, across professors, off topic) and `batch
--offline` (stdout and every file it writes). Volatile values (timestamps, elapsed seconds, absolute temp paths)
are masked before comparing; everything else must be identical, byte for byte, except that a JSON Lines file (the
batch journal) is compared record by record, key order aside. Exit 0 when identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run a checkout's CLI without installing it: the package maps prompts/ and examples/ into assistant.prompts and
# assistant.examples (pyproject's package-dir), which an editable install of *another* checkout would otherwise
# answer for. Registering them by hand keeps each run on its own tree.
BOOTSTRAP = """
import importlib.util, sys
root = sys.argv.pop(1)
sys.path.insert(0, root)
import assistant
for sub, folder in (("prompts", "prompts"), ("examples", "examples")):
    spec = importlib.util.spec_from_file_location(
        f"assistant.{sub}", f"{root}/{folder}/__init__.py", submodule_search_locations=[f"{root}/{folder}"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"assistant.{sub}"] = module
    spec.loader.exec_module(module)
    setattr(assistant, sub, module)
from assistant.cli import main
sys.argv[0] = "outreach"
main()
"""

PROFESSORS_TXT = "# two professors and one unknown name\nmirzasoleiman\nMeisam Razaviyayn\nNo Such Person\n"

# (name, argv, batch output folder or None)
COMMANDS: list[tuple[str, list[str], str | None]] = [
    ("demo", ["demo"], None),
    (
        "draft_maya",
        ["draft", "--cv", "{ex}/cvs/maya_chen.md", "--professor", "mirzasoleiman", "--offline", "--format", "json"],
        None,
    ),
    (
        "draft_sofia",
        ["draft", "--cv", "{ex}/cvs/sofia_rossi.pdf", "--professor", "razaviyayn", "--offline", "--format", "json"],
        None,
    ),
    (
        "ask_one",
        ["ask", "What has she published on data selection?", "--professor", "mirzasoleiman", "--offline", "--json"],
        None,
    ),
    ("ask_all", ["ask", "Who works on data mixing?", "--offline", "--json"], None),
    (
        "ask_offtopic",
        ["ask", "What is the capital of France?", "--professor", "razaviyayn", "--offline", "--json"],
        None,
    ),
    (
        "batch",
        [
            "batch",
            "--cv",
            "{ex}/cvs/maya_chen.md",
            "--professors",
            "profs.txt",
            "--out",
            "drafts",
            "--offline",
            "--concurrency",
            "1",
        ],
        "drafts",
    ),
]

VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<TIMESTAMP>"),
    (re.compile(r'("elapsed_s"\s*:\s*)[0-9.]+'), r"\1<SECONDS>"),
    (re.compile(r"\b\d+\.\d+ ?s\b(?=[\s<),;]|$)"), "<SECONDS>"),
]


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OUTREACH_", "OPENALEX_"))}
    env.update({"COLUMNS": "160", "LINES": "50", "TERM": "dumb", "NO_COLOR": "1", "HOME": str(home)})
    env.pop("FORCE_COLOR", None)
    return env


def mask(text: str, workdir: Path) -> str:
    text = text.replace(str(workdir), "<WORK>")
    for pattern, repl in VOLATILE:
        text = pattern.sub(repl, text)
    return text


def run_all(checkout: Path, out: Path, only: list[str] | None) -> None:
    """Run every command with `checkout`'s code; write masked stdout/stderr/files under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    ex = checkout / "examples"
    with tempfile.TemporaryDirectory(prefix="same-seed-") as seed:
        # Every command but `demo` reads the demo's store: made once per checkout, copied for each command.
        subprocess.run(
            [sys.executable, "-c", BOOTSTRAP, str(checkout), "demo"],
            cwd=seed,
            env=clean_env(Path(seed)),
            capture_output=True,
            check=True,
        )
        for name, argv, folder in COMMANDS:
            if not only or name in only:
                run_one(checkout, ex, name, argv, folder, Path(seed) / "store", out)


def run_one(
    checkout: Path, ex: Path, name: str, argv: list[str], folder: str | None, seed_store: Path, out: Path
) -> None:
    with tempfile.TemporaryDirectory(prefix=f"same-{name}-") as tmp:
        work = Path(tmp)
        (work / "profs.txt").write_text(PROFESSORS_TXT, encoding="utf-8")
        if name != "demo":
            shutil.copytree(seed_store, work / "store")
        args = [a.format(ex=ex) for a in argv]
        done = subprocess.run(
            [sys.executable, "-c", BOOTSTRAP, str(checkout), *args], cwd=work, env=clean_env(work), capture_output=True
        )
        record = out / name
        record.mkdir(exist_ok=True)
        (record / "stdout").write_text(mask(done.stdout.decode("utf-8", "replace"), work), encoding="utf-8")
        (record / "stderr").write_text(mask(done.stderr.decode("utf-8", "replace"), work), encoding="utf-8")
        (record / "exit").write_text(f"{done.returncode}\n", encoding="utf-8")
        if folder:
            for path in sorted((work / folder).rglob("*")):
                if path.is_file() and path.name not in {".lock"}:
                    target = record / "files" / path.relative_to(work / folder)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(mask(path.read_text(encoding="utf-8", errors="replace"), work), encoding="utf-8")
    print(f"  ran {name}: exit {done.returncode}", file=sys.stderr)


def export_revision(rev: str, dest: Path) -> None:
    """The tracked files of `rev` in `dest`: `git archive` reads the repository without registering a worktree,
    which other checkouts of the same repository would see (and which a killed run would leave behind)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def same_records(old: list[str], new: list[str]) -> bool:
    """JSON Lines files (the batch journal) hold records read by key: the same records in the same order, with
    the same keys and values, are the same output whatever order each record lists its keys in."""
    try:
        return [json.loads(line) for line in old] == [json.loads(line) for line in new]
    except json.JSONDecodeError:
        return False


# --mask-settings-hash: a change to Settings.fingerprint() changes the hash every output records, and what is
# computed from it: the batch's input hashes, and the journal's sha256 of the .md and .json drafts that record it
# (those files themselves are compared, masked). Masking them shows that nothing else changed.
SETTINGS_HASH = [
    (re.compile(r"\bsettings [0-9a-f]{12}\b"), "settings <SETTINGS_HASH>"),
    (re.compile(r'("settings_hash"\s*:\s*)"[0-9a-f]{12}"'), r'\1"<SETTINGS_HASH>"'),
    (re.compile(r'("input_hash"\s*:\s*)"[0-9a-f]{24}"'), r'\1"<INPUT_HASH>"'),
    (re.compile(r'("(?:md|json)"\s*:\s*)"[0-9a-f]{64}"'), r'\1"<SHA256 OF A FILE THAT RECORDS THE HASH>"'),
]


def mask_settings_hash(lines: list[str]) -> list[str]:
    masked = []
    for line in lines:
        for pattern, repl in SETTINGS_HASH:
            line = pattern.sub(repl, line)
        masked.append(line)
    return masked


def compare(a: Path, b: Path, *, settings_hash: bool = False) -> list[str]:
    """Differences between two recorded runs, as unified diffs (stdout and files) or notes (stderr); with
    `settings_hash`, the settings and input hashes are masked first."""
    problems: list[str] = []
    names_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    for missing in sorted(names_a ^ names_b):
        problems.append(f"only in {'reference' if missing in names_a else 'this checkout'}: {missing}")
    for rel in sorted(names_a & names_b):
        old = (a / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        new = (b / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        if settings_hash:
            old, new = mask_settings_hash(old), mask_settings_hash(new)
        if old != new and not (rel.suffix == ".jsonl" and same_records(old, new)):
            diff = "".join(difflib.unified_diff(old, new, f"reference/{rel}", f"this/{rel}", n=1))
            problems.append(diff[:4000])
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--against", metavar="REV", help="git revision to compare this checkout with")
    group.add_argument("--record", metavar="DIR", type=Path, help="only write this checkout's outputs to DIR")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="keep both runs' outputs under DIR")
    parser.add_argument(
        "--mask-settings-hash",
        action="store_true",
        help="ignore the settings hash outputs record (and the batch input hashes made from it)",
    )
    parser.add_argument("--only", nargs="*", help="run only these commands: " + ", ".join(c[0] for c in COMMANDS))
    args = parser.parse_args()

    if args.record:
        run_all(ROOT, args.record, args.only)
        return 0

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="same-outputs-"))
    ref_tree = Path(tempfile.mkdtemp(prefix="same-ref-"))
    try:
        export_revision(args.against, ref_tree)
        print(f"reference {args.against}:", file=sys.stderr)
        run_all(ref_tree, base / "reference", args.only)
        print("this checkout:", file=sys.stderr)
        run_all(ROOT, base / "this", args.only)
    finally:
        shutil.rmtree(ref_tree, ignore_errors=True)
    problems = compare(base / "reference", base / "this", settings_hash=args.mask_settings_hash)
    summary = {
        "against": args.against,
        "commands": [c[0] for c in COMMANDS if not args.only or c[0] in args.only],
        "identical": not problems,
        "settings_hash_masked": args.mask_settings_hash,
        "differences": len(problems),
    }
    for p in problems:
        print(p)
    print(json.dumps(summary))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
