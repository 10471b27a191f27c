"""The main job: ``python -m foldloop.examples.digits`` reaches 0.95 test accuracy in 10 epochs,
prints its final state's digest last, and resumes from its checkpoint directory to that digest."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from foldloop.examples.digits_command import main

JOB = [sys.executable, "-m", "foldloop.examples.digits"]

# Each test starts the job in up to three new processes (torch and sklearn imported each time;
# 5-22 s in all on two busy cores, each run allowed 120 s): more than the suite's 60 s a test.
pytestmark = pytest.mark.timeout(300)


def run_job(*arguments: str) -> list[str]:
    done = subprocess.run([*JOB, *arguments], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_digits_job_prints_a_row_per_epoch_reaches_95_percent_and_its_digest() -> None:
    lines = run_job()
    assert lines[0].split() == ["epoch", "train", "loss", "test", "loss", "test", "acc"]
    rows = [line.split() for line in lines[1:11]]
    assert [int(row[0]) for row in rows] == list(range(1, 11))
    accuracy = float(rows[-1][3])
    assert accuracy >= 0.95
    assert re.fullmatch(rf"test accuracy {accuracy:.4f} after 10 epochs in [0-9.]+ s", lines[11])
    assert re.fullmatch(r"state digest: [0-9a-f]{64}", lines[12]) and len(lines) == 13


def test_resumed_from_its_checkpoints_and_extended_it_ends_with_the_digest_of_one_run(
    tmp_path: Path,
) -> None:
    in_one_go = run_job("--epochs", "3")[-1]
    first = run_job("--epochs", "2", "--checkpoint-dir", str(tmp_path), "--checkpoint-every", "7")
    assert first[0].startswith("epoch")  # a fresh start: nothing to resume from
    resumed = run_job("--epochs", "3", "--checkpoint-dir", str(tmp_path))
    assert resumed[0] == f"resuming from {tmp_path} at epoch 2, iteration 90"
    assert resumed[1].split()[0] == "3"  # only the third epoch runs (no header: no new run)
    assert resumed[-1] == in_one_go


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], "argument --epochs: needs a whole number >= 1, got '0'"),
        (["--epochs", "two"], "argument --epochs: needs a whole number >= 1, got 'two'"),
        (["--checkpoint-every", "5"], "--checkpoint-every needs --checkpoint-dir DIR"),
        (["--checkpoint-dir", __file__], "is a file; give a directory"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # In this process (the command line is parsed before any work): a subprocess a case
    # would cost ~5 s of imports.
    with pytest.raises(SystemExit) as refused:
        main(arguments)
    printed = capsys.readouterr()
    assert refused.value.code == 2 and message in printed.err and printed.out == ""


def test_a_run_dir_receives_the_log_the_pictures_and_the_checkpoints(tmp_path: Path) -> None:
    plain = run_job("--epochs", "2")[-1]
    lines = run_job("--epochs", "2", "--run-dir", str(tmp_path))
    assert lines[-1] == plain  # taps (log, pictures, checkpoints) leave the state unchanged
    assert lines[-2] == f"wrote {tmp_path / 'curves.png'}, {tmp_path / 'timeline.png'}"
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert {(r["tag"], r["event"]) for r in records} == {
        ("train", "IterationCompleted"),
        ("eval", "EpochCompleted"),
    }
    assert [r["epoch"] for r in records if r["tag"] == "eval"] == [1, 2]
    for picture in ("curves.png", "timeline.png"):
        data = (tmp_path / picture).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    assert (tmp_path / "checkpoints" / "latest").read_text().startswith("ckpt-")
