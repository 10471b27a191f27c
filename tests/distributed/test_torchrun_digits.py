"""The main job under ``torchrun --nproc-per-node 2``: rank 0 alone prints and writes."""

import subprocess
import sys
from pathlib import Path


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
