"""Faults of a real process: ``kill -9`` at random moments, some inside a checkpoint write,
leaves no corrupt checkpoint, and the job rerun until it finishes prints the uninterrupted
run's digest; Ctrl-C (a real SIGINT) saves where it stopped, and the rerun ends the same.

The harness is ``benchmarks/kill_points.py`` (which runs 50 kill points and prints a table);
here it kills the real main job, in real processes, 10 times.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import kill_points  # type: ignore[import-not-found]  # in benchmarks/, not a package


@pytest.fixture(scope="module")
def uninterrupted() -> str:
    digest: str = kill_points.uninterrupted_digest()
    return digest


@pytest.mark.timeout(400)  # about 12 starts of the job, each importing torch and sklearn
def test_ten_kills_leave_no_corrupt_checkpoint_and_the_final_digest_is_unchanged(
    tmp_path: Path, uninterrupted: str
) -> None:
    attempts, digests = kill_points.kill_and_finish(tmp_path, kills=10, rng=random.Random(11))
    assert sum(a.killed for a in attempts) == 10
    assert set(digests) == {uninterrupted}, attempts


@pytest.mark.timeout(120)
def test_ctrl_c_saves_the_state_it_stopped_at_and_the_rerun_ends_the_same(
    tmp_path: Path, uninterrupted: str
) -> None:
    command = [*kill_points.JOB, "--checkpoint-dir", str(tmp_path)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as job:
        assert job.stdout is not None
        assert job.stdout.readline().startswith("epoch")  # the run started
        job.send_signal(signal.SIGINT)
        _, errors = job.communicate(timeout=60)
    assert job.returncode == 130, errors  # what a shell reports after Ctrl-C
    # Mostly in epoch 1; on a busy machine the signal may land after its end.
    stopped = re.search(r"interrupted at epoch (\d+), iteration (\d+) \(saved in the", errors)
    assert stopped is not None, errors
    epoch, iteration = stopped.groups()
    newest = (tmp_path / "latest").read_text().strip()  # the Interrupted tap wrote it
    assert re.fullmatch(rf"ckpt-0000000[12]-e{epoch}-i{iteration}", newest)
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    lines = rerun.stdout.splitlines()
    assert lines[0] == f"resuming from {tmp_path} at epoch {epoch}, iteration {iteration}"
    assert rerun.stdout.splitlines()[-1] == f"state digest: {uninterrupted}"
