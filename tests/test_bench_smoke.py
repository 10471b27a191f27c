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
    "Evaluation, 1.1M-param MLP, batch 256 (digits train split), Accuracy + Loss",
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
    lines = _quick_table("bench.py", timeout=240)
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    header, *rows = cells
    assert header[0] == "comparison" and header[-1] == "met"
    assert [row[0] for row in rows] == ROWS
    for row in rows:
        assert len(row) == len(header)
        assert row[-1] in {"met", "NOT met", "n/a"}, row


PARTS = {  # the scripts that split one row of the table, and the first cell of each line
    "evaluation_parts.py": [
        "plain, model only",
        "plain",
        "plain + 7.5 us Python",
        "Python alone",
        "Loop, model call",
        "foldloop, model only",
        "foldloop, plain metrics",
        "foldloop, metrics",
    ],
    "taps_parts.py": ["no taps", "progress bar", "JSON Lines", "profiler", "all three"],
}


@pytest.mark.timeout(200)
@pytest.mark.parametrize("script", PARTS)
def test_a_parts_script_quick_prints_its_lines(script: str) -> None:
    lines = _quick_table(script, timeout=150)
    first_cells = [line.strip("|").split("|")[0].strip() for line in lines[1:]]
    assert first_cells == PARTS[script]


def _quick_table(script: str, timeout: float) -> list[str]:
    """The table lines that ``benchmarks/<script> --quick`` prints (header and rows)."""
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
    return [line for line in done.stdout.splitlines() if line.startswith("| ")]
