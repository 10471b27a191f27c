"""The main job: ``python -m foldloop.examples.digits`` reaches 0.95 test accuracy in 10 epochs."""

import re
import subprocess
import sys


def test_the_digits_job_prints_a_row_per_epoch_and_reaches_95_percent() -> None:
    job = [sys.executable, "-m", "foldloop.examples.digits"]
    out = subprocess.run(job, check=True, capture_output=True, text=True, timeout=120).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["epoch", "train", "loss", "test", "loss", "test", "acc"]
    rows = [line.split() for line in lines[1:11]]
    assert [int(row[0]) for row in rows] == list(range(1, 11))
    accuracy = float(rows[-1][3])
    assert accuracy >= 0.95
    assert re.fullmatch(rf"test accuracy {accuracy:.4f} after 10 epochs in [0-9.]+ s", lines[11])
