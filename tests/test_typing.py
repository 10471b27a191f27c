"""Type tests: mypy --strict on the snippets in ``tests/typing``.

Every file in ``typing/pass`` type-checks with no error. In ``typing/fail``, each line that must
fail ends with ``# E: <code>`` (or ``# E: <code>, <code>``), and mypy reports exactly those
(line, code) pairs: none missing, none unexpected. mypy runs once per folder.
"""

from __future__ import annotations

import os
import re
import runpy
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "tests" / "typing"
PASS = sorted((SNIPPETS / "pass").glob("*.py"))
FAIL = sorted((SNIPPETS / "fail").glob("*.py"))

# ``path:line: error: message  [code]`` (mypy's default format with --show-error-codes).
_ERROR = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)
_MARK = re.compile(r"#\s*E:\s*(?P<codes>[\w-]+(?:\s*,\s*[\w-]+)*)\s*$")


@attrs.frozen(order=True)
class Error:
    """One error: where, and its code (empty when mypy gave none)."""

    path: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.code}]"


@attrs.frozen
class Report:
    """What one mypy run said: its errors, each with its message."""

    errors: Mapping[Error, list[str]]
    output: str

    def of(self, path: Path) -> Mapping[Error, list[str]]:
        name = _relative(path)
        return {error: msgs for error, msgs in self.errors.items() if error.path == name}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _mypy(files: list[Path]) -> Report:
    """Run mypy --strict on ``files`` from the repository root (so ``mypy_path`` applies)."""
    args = ["--strict", "--config-file", "mypy.ini", "--show-error-codes", "--no-incremental"]
    args += ["--cache-dir", os.devnull, "--no-pretty", "--no-error-summary"]
    args += map(_relative, files)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        stdout, stderr, status = api.run(args)
    assert status in (0, 1) and not stderr, f"mypy did not run (status {status}):\n{stdout}{stderr}"
    errors: dict[Error, list[str]] = {}
    for line in stdout.splitlines():
        found = _ERROR.match(line)
        if found:
            error = Error(found["path"], int(found["line"]), found["code"] or "")
            errors.setdefault(error, []).append(found["message"])
    assert errors or status == 0, f"mypy failed without an error line:\n{stdout}"
    return Report(errors, stdout)


def _marked(path: Path) -> set[Error]:
    """The (line, code) pairs that the ``# E:`` comments of ``path`` expect."""
    expected: set[Error] = set()
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        found = _MARK.search(text)
        if found:
            codes = (code.strip() for code in found["codes"].split(","))
            expected |= {Error(_relative(path), number, code) for code in codes}
    return expected


def _diff(expected: set[Error], reported: Mapping[Error, list[str]]) -> Iterator[str]:
    for error in sorted(expected - reported.keys()):
        source = (ROOT / error.path).read_text().splitlines()[error.line - 1].strip()
        yield f"  missing    {error}  (marked, not reported)  {source}"
    for error in sorted(reported.keys() - expected):
        yield f"  unexpected {error}  {' / '.join(reported[error])}"


# A worker's first test of a folder sets up its mypy --strict run: about 25 s on two busy cores,
# near half the suite's 60 s per test, which a slower machine would reach.
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def passing() -> Report:
    return _mypy(PASS)


@pytest.fixture(scope="module")
def failing() -> Report:
    return _mypy(FAIL)


def test_there_are_snippets_of_both_kinds() -> None:
    assert PASS and FAIL
    assert all(_marked(path) for path in FAIL), "a fail snippet without any # E: mark"
    assert not any(_marked(path) for path in PASS), "a pass snippet with an # E: mark"


@pytest.mark.parametrize("path", PASS, ids=lambda path: path.name)
def test_snippet_type_checks(passing: Report, path: Path) -> None:
    errors = passing.of(path)
    if errors:
        pytest.fail(
            f"{path.name}: mypy --strict reported\n" + "\n".join(_diff(set(), errors)),
            pytrace=False,
        )


@pytest.mark.parametrize("path", FAIL, ids=lambda path: path.name)
def test_snippet_fails_exactly_where_marked(failing: Report, path: Path) -> None:
    expected, reported = _marked(path), failing.of(path)
    if expected != reported.keys():
        pytest.fail(
            f"{path.name}: mypy's errors differ from the # E: marks\n"
            + "\n".join(_diff(expected, reported)),
            pytrace=False,
        )


def test_mypy_reports_no_error_outside_the_snippets(passing: Report, failing: Report) -> None:
    names = {_relative(path) for path in [*PASS, *FAIL]}
    for report in (passing, failing):
        elsewhere = [error for error in report.errors if error.path not in names]
        assert not elsewhere, "errors outside the snippets:\n" + report.output


@pytest.mark.parametrize("path", PASS, ids=lambda path: path.name)
def test_snippet_that_type_checks_also_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__snippet__")
