"""``kill -9`` the main job at random moments and rerun it until it finishes; print a table.

    python benchmarks/kill_points.py [--kills 50] [--seed 0]

The job is ``python -m foldloop.examples.digits --epochs 2 --checkpoint-every 3`` with a
checkpoint directory. Each attempt starts it, waits until its run has started (the table's
header is printed), sends ``SIGKILL`` after a random delay, and checks the directory: every
checkpoint in it loads (none is corrupt) and which one is the newest; an entry left by an
unfinished write means the kill landed inside a checkpoint write. Attempts go on until the
job has been killed ``--kills`` times; then it runs to its end, and its last line, the final
state's digest, must equal the digest of one uninterrupted run.

``tests/io/test_kill.py`` runs the same with 10 kills.
"""

from __future__ import annotations

import argparse
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import attrs
import torch

import foldloop.examples.digits  # defines Scores, a class its checkpoints hold
import foldloop.train  # noqa: F401  # defines TrainState, likewise
from foldloop.io import CheckpointError, load

JOB = [sys.executable, "-u", "-m", "foldloop.examples.digits", "--epochs", "2"]
EVERY = ["--checkpoint-every", "3"]
LONGEST_DELAY = 0.4  # seconds after the run started; the run itself takes about 0.3 s
TIMEOUT = 120  # seconds for one attempt, import included


@attrs.frozen
class Attempt:
    """What one start of the job came to."""

    delay: float | None  # seconds between the run's start and the SIGKILL; None: no kill
    killed: bool  # False: the job ended before the kill
    in_a_write: bool  # the kill left an unfinished write behind
    newest: str  # the newest checkpoint afterwards ("-" when none)
    checkpoints: int  # complete checkpoints in the directory, all loadable


def uninterrupted_digest() -> str:
    """The digest the job prints when it runs in one go, without checkpoints."""
    done = subprocess.run(JOB, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return _digest_of(done.stdout)


def attempt(directory: Path, delay: float | None) -> tuple[Attempt, str | None]:
    """Start the job on ``directory``, kill it ``delay`` seconds into its run (None: let it
    end); check the directory. Returns what happened and, when the job ended, its digest."""
    command = [*JOB, *EVERY, "--checkpoint-dir", str(directory)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as job:
        assert job.stdout is not None and job.stderr is not None
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_read, args=(job.stdout, lines), daemon=True)
        reader.start()
        output = []
        while True:  # until the run started (or the job ended: a finished run has no header)
            line = lines.get(timeout=TIMEOUT)
            output.append(line)
            if line == "" or line.startswith("epoch"):
                break
        if delay is not None:
            threading.Event().wait(delay)
        killed = delay is not None and job.poll() is None
        if killed:
            job.send_signal(signal.SIGKILL)
        errors = job.stderr.read()
        job.wait(timeout=TIMEOUT)
        reader.join(timeout=TIMEOUT)
    while not lines.empty():
        output.append(lines.get())
    if killed and job.returncode != -signal.SIGKILL:
        killed = False  # it ended by itself just before the signal
    if not killed and job.returncode != 0:
        raise RuntimeError(f"the job failed ({job.returncode}): {errors}")
    newest, count = _check(directory)
    unfinished = any(p.name.startswith(".") and ".tmp-" in p.name for p in directory.iterdir())
    result = Attempt(delay, killed, unfinished, newest, count)
    return result, None if killed else _digest_of("".join(output))


def kill_and_finish(
    directory: Path, kills: int, rng: random.Random
) -> tuple[list[Attempt], list[str]]:
    """Attempts until ``kills`` of them killed the job, then one to its end; the attempts and
    the digest the job printed each time it got to its end (it starts over from an empty
    directory when it got there before enough kills)."""
    attempts: list[Attempt] = []
    digests = []
    while True:
        wanted = sum(a.killed for a in attempts) < kills
        result, digest = attempt(directory, rng.uniform(0, LONGEST_DELAY) if wanted else None)
        attempts.append(result)
        if digest is not None:
            digests.append(digest)
            if not wanted:
                return attempts, digests
            for path in directory.iterdir():  # the job got to its end: start it over
                _remove(path)


def _check(directory: Path) -> tuple[str, int]:
    """The newest checkpoint's name and how many there are; raises if one does not load."""
    names = sorted(p.name for p in directory.iterdir() if p.name.startswith("ckpt-"))
    for name in names:
        try:
            load(directory / name)
        except CheckpointError as error:
            raise AssertionError(f"a corrupt checkpoint was left: {error}") from error
    return (names[-1] if names else "-"), len(names)


def _digest_of(stdout: str) -> str:
    last = stdout.strip().splitlines()[-1]
    if not last.startswith("state digest: "):
        raise AssertionError(f"the job's last line is not its digest: {last!r}")
    return last.removeprefix("state digest: ")


def _read(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]  # a text pipe: iterates lines
        lines.put(line)
    lines.put("")


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the job does: its checkpoints are checked as it loads them
    expected = uninterrupted_digest()
    with tempfile.TemporaryDirectory() as folder:
        attempts, digests = kill_and_finish(Path(folder), args.kills, random.Random(args.seed))
    print(f"{'#':>3}  {'delay s':>7}  {'killed':>6}  {'in a write':>10}  {'kept':>4}  newest")
    for i, a in enumerate(attempts, 1):
        delay = "-" if a.delay is None else f"{a.delay:.3f}"
        print(
            f"{i:>3}  {delay:>7}  {a.killed!s:>6}  {a.in_a_write!s:>10}  "
            f"{a.checkpoints:>4}  {a.newest}"
        )
    kills = sum(a.killed for a in attempts)
    in_writes = sum(a.in_a_write for a in attempts)
    print(f"{kills} kills ({in_writes} inside a checkpoint write), no corrupt checkpoint left")
    print(f"uninterrupted digest {expected}")
    for digest in digests:
        print(f"a finished job's     {digest}  {'EQUAL' if digest == expected else 'DIFFERENT'}")
    if set(digests) != {expected}:
        sys.exit(1)


if __name__ == "__main__":
    main()
