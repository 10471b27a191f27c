"""``kill -9`` at random moments, some inside a checkpoint write: no checkpoint is ever left
corrupt, and the job rerun until it finishes prints the uninterrupted run's digest.

The harness is ``benchmarks/kill_points.py`` (which runs 50 kill points and prints a table);
here it kills the real main job, in real processes, 10 times.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import kill_points  # type: ignore[import-not-found]  # in benchmarks/, not a package


@pytest.mark.timeout(400)  # about 12 starts of the job, each importing torch and sklearn
def test_ten_kills_leave_no_corrupt_checkpoint_and_the_final_digest_is_unchanged(
    tmp_path: Path,
) -> None:
    expected = kill_points.uninterrupted_digest()
    attempts, digests = kill_points.kill_and_finish(tmp_path, kills=10, rng=random.Random(11))
    assert sum(a.killed for a in attempts) == 10
    assert set(digests) == {expected}, attempts
