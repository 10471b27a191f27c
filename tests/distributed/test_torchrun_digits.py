"""Under ``torchrun --nproc-per-node 2``: the main job (rank 0 alone prints and writes), and a
rank that raises, named in the other's error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .workers import FAILS_AT

ROOT = Path(__file__).parents[2]

# torchrun starts three processes a test (its agent and two ranks, each importing torch; 7-11 s
# on two busy cores, each run allowed 120 s): more than the suite's 60 s a test.
pytestmark = pytest.mark.timeout(180)


def test_the_digits_job_runs_on_two_processes_with_rank_0s_taps(tmp_path: Path) -> None:
    job = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    arguments = ["-m", "foldloop.examples.digits", "--epochs", "2"]
    checkpoints = tmp_path / "ck"
    done = subprocess.run(
        [*job, *arguments, "--checkpoint-dir", str(checkpoints)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines.count("epoch  train loss  test loss  test acc") == 1  # one table: rank 0's
    assert sum(line.startswith("state digest: ") for line in lines) == 1
    assert any(line.endswith(" s") and "after 2 epochs on 2 processes" in line for line in lines)
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "ckpt-00000001-e1-i45",
        "ckpt-00000002-e2-i90",
        "latest",
    ]


def test_under_torchrun_a_rank_that_raises_is_named_in_the_others_error() -> None:
    job = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    done = subprocess.run(
        [*job, "-m", "tests.distributed.failing_job"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])},
    )
    assert done.returncode == 0, done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith("rank "))
    # The survivor's RunError: caused by RankFailed naming rank 1, with the state before it.
    assert lines[0].startswith(f"rank 0: named 1 at iteration {FAILS_AT}: ")
    assert "RankFailed: rank 1 failed: ValueError: rank 1 gives up" in lines[0]
    assert lines[1].startswith(f"rank 1: named None at iteration {FAILS_AT}: ")
