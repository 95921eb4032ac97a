"""The benchmark scripts still import and parse their arguments.

They are not run by the suite (they take minutes and print figures), so a rename in the package can break one
silently until someone needs its figures; `guardrails_support.py` sat broken for a day that way.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py"))


def _load(path: Path) -> ModuleType:
    name = f"_benchmark_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the script is still being executed
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_benchmark_script_imports_and_takes_help(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # some scripts put benchmarks/ on the path; undo it after
    module = _load(path)
    main = getattr(module, "main", None)
    assert callable(main), f"{path.name} has no main()"
    # Every script's main() builds its parser before doing any work, so --help exits before a benchmark starts.
    monkeypatch.setattr(sys, "argv", [str(path), "--help"])
    with pytest.raises(SystemExit) as exit_:
        main(["--help"]) if inspect.signature(main).parameters else main()
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_guardrail_benchmark_counts_false_alarms_by_rule_without_email_text() -> None:
    """Held-out false alarms are reported by the rule that raised them, and the rule carries none of the email's
    own words: no quoted span, figure or professor's name."""
    from assistant.types import Violation

    module = _load(BENCHMARKS / "guardrails.py")
    figure = Violation(
        check="numbers",
        severity="hard",
        message="The number '3.7 points' is stated about Ivan Stelmakh's work but appears nowhere in their "
        "titles, abstracts or profile: remove it or use what the abstract says.",
        span="3.7 points",
    )
    foreign = Violation(
        check="attribution",
        severity="hard",
        message="'SemEval-2017 Task 8' comes from another professor's paper, not Yue Yu's: remove it.",
        span="SemEval-2017 Task 8",
    )
    counted = Violation(
        check="numbers", severity="hard", message="four is not in the paper (“X”); 12k too.", span="four"
    )
    rules = [module.rule_of(figure, "Ivan Stelmakh"), module.rule_of(foreign, "Yue Yu"), module.rule_of(counted, "A")]
    assert rules[0] == (
        "numbers: The number Q is stated about <professor>'s work but appears nowhere in their titles, abstracts or"
    )
    assert rules[1] == "attribution: Q comes from another professor's paper, not <professor>'s: remove it."
    assert rules[2] == "numbers: Q is not in the paper Q; Q too."
    for rule in rules:
        assert not any(word in rule for word in ("3.7", "Stelmakh", "SemEval", "Yue", "four", "12"))


def test_guardrail_benchmark_reads_the_named_checks_as_warnings() -> None:
    """`--as-warnings numbers`: a numbers violation no longer blocks (whichever check found it); others still do."""
    from assistant.types import CheckResult, GuardrailReport, Violation

    module = _load(BENCHMARKS / "guardrails.py")
    figure = Violation(check="numbers", severity="hard", message="a figure", span="71%")
    title = Violation(check="titles", severity="hard", message="a title", span="Deep Nets")
    report = GuardrailReport(
        checks=[
            CheckResult(check="numbers", status="failed", severity="hard", violations=[figure]),
            CheckResult(check="titles", status="failed", severity="hard", violations=[title]),
        ]
    )
    assert [v.span for v in module.as_warnings(report, frozenset({"numbers"})).hard_violations] == ["Deep Nets"]
    assert module.as_warnings(report, frozenset({"numbers", "titles"})).verdict == "passed"
    assert module.as_warnings(report, frozenset()) is report
