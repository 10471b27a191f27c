"""``benchmarks/bench.py --quick`` runs and prints every row of its table; the scripts that
split one of its rows print each of their lines.

Only that the script works: its numbers are not checked here (a timed unit test on a shared
machine would be flaky; ``make bench`` is where speed is read).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ROWS = [
    "Step, digits job, AdamW (per epoch)",
    "Step, digits job, AdamW, donate=True (per epoch)",
    "Step, digits job, SGD momentum 0.9 (per epoch)",
    "Step, digits job, SGD momentum 0.9, donate=True (per epoch)",
    "Step, 9.66M-param MLP, AdamW (time per step)",
    "Step, 9.66M-param MLP, AdamW (peak RSS above model)",
    "Step, 9.66M-param MLP, AdamW, donate=True (time per step)",
    "Step, 9.66M-param MLP, AdamW, donate=True (peak RSS above model)",
    "Loop overhead, bare",
    "Loop overhead, the docs' six handlers",
    "Loop overhead, 20 every(k) handlers",
    "Loop overhead, 1000 rarely firing every(k) handlers",
    "Evaluation, digits test split, batch 32, Accuracy + Loss",
    "Evaluation, digits test split, batch 32, Accuracy + Loss: Ignite's evaluator in "
    "foldloop's place",
    "Evaluation, 1.1M-param MLP, batch 256 (digits train split), Accuracy + Loss",
    "Evaluation, 1.1M-param MLP, batch 256 (digits train split), Accuracy + Loss: Ignite's "
    "evaluator in foldloop's place",
    "Memory over a run's length, run: 10x the iterations (peak tracemalloc)",
    "Memory over a run's length, scan (states not kept): 10x the iterations (peak tracemalloc)",
    "Checkpoint write, digits job state",
    "Checkpoint write, digits job state, reference without fsync",
    "Checkpoint read, digits job state",
    "Checkpoint write, 9.66M-param MLP + AdamW state",
    "Checkpoint write, 9.66M-param MLP + AdamW state, reference without fsync",
    "Checkpoint read, 9.66M-param MLP + AdamW state",
    "Data, resume SeededBatches at a pass's last batch",
    "Data, resume a plain DataLoader at a pass's last batch (draw-and-discard)",
    "Taps, digits job, progress bar + JSON Lines + profiler (per epoch)",
    "Taps, profiler attached then detached, six handlers (per iteration)",
]


@pytest.mark.timeout(300)  # --quick still starts every section (about a minute on two busy cores)
def test_bench_quick_prints_every_row() -> None:
    [(header, rows)] = _quick_tables("bench.py", timeout=240)
    assert header[0] == "comparison" and header[-1] == "met"
    assert [row[0] for row in rows] == ROWS
    for row in rows:
        assert len(row) == len(header)
        assert row[-1] in {"met", "NOT met", "n/a"}, row


PARTS = {  # the scripts that split one row of the table: the first cell of each table's lines
    "evaluation_parts.py": [
        [
            "plain, model only",
            "plain",
            "plain + 7.5 us Python",
            "Python alone",
            "Loop, model call",
            "foldloop, model only",
            "foldloop, plain metrics",
            "foldloop, metrics",
        ],
        ["plain", "foldloop, metrics"],
    ],
    "taps_parts.py": [["no taps", "progress bar", "JSON Lines", "profiler", "all three"]],
}


@pytest.mark.timeout(200)
@pytest.mark.parametrize("script", PARTS)
def test_a_parts_script_quick_prints_its_lines(script: str) -> None:
    tables = _quick_tables(script, timeout=150)
    assert [[row[0] for row in rows] for _, rows in tables] == PARTS[script]


def _quick_tables(script: str, timeout: float) -> list[tuple[list[str], list[list[str]]]]:
    """The tables that ``benchmarks/<script> --quick`` prints: each one's header cells and
    rows of cells."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    tables: list[tuple[list[str], list[list[str]]]] = []
    for i, line in enumerate(lines):
        if line.startswith("|-"):  # the rule under a header
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if i + 1 < len(lines) and lines[i + 1].startswith("|-"):  # a header: a new table
            tables.append((cells, []))
        else:
            tables[-1][1].append(cells)
    return tables
