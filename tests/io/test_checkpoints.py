"""A directory of checkpoints: names, retention, the latest pointer, resume past damage."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import torch

from foldloop import (
    EpochCompleted,
    Interrupted,
    IterationCompleted,
    Loop,
    RunError,
    RunInterrupted,
    Slot,
    State,
    every,
    on,
)
from foldloop.handlers import Checkpoints
from foldloop.io import CheckpointError, CheckpointWarning, load, resume, save

SCORE: Slot[float] = Slot("score", 0.0)


def scoring_loop(scores: list[float]) -> Loop[int, int]:
    """A loop that sums its batches and scores iteration i with ``scores[i - 1]``."""
    loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
    loop.attach(IterationCompleted, lambda s: s.put(SCORE, scores[s.iteration - 1]))
    return loop


def names(checkpoints: Checkpoints) -> list[str]:
    return [path.name for path in checkpoints.paths()]


def test_the_newest_are_kept_and_latest_names_the_newest(tmp_path: Path) -> None:
    checkpoints = Checkpoints(tmp_path, keep_last=3)
    loop = scoring_loop([0.0] * 6)
    loop.tap(IterationCompleted, checkpoints)
    final = loop.run(0, range(6), max_epochs=1)
    assert names(checkpoints) == [
        "ckpt-00000004-e1-i4",
        "ckpt-00000005-e1-i5",
        "ckpt-00000006-e1-i6",
    ]
    assert (tmp_path / "latest").read_text() == "ckpt-00000006-e1-i6\n"
    resumed = resume(tmp_path, like=State(0))
    assert resumed is not None and resumed.iteration == 6
    assert scoring_loop([0.0] * 6).run(resumed, range(6)) == final
    assert sorted(p.name for p in tmp_path.iterdir()) == [*names(checkpoints), "latest"]


@pytest.mark.parametrize(
    ("mode", "best"),
    [("max", ["ckpt-00000002-e1-i2", "ckpt-00000004-e1-i4"]), ("min", ["ckpt-00000003-e1-i3"])],
)
def test_the_best_are_kept_by_score(tmp_path: Path, mode: str, best: list[str]) -> None:
    scores = [0.5, 0.9, 0.1, 0.9, 0.3, 0.2]
    keep_best = 2 if mode == "max" else 1
    checkpoints = Checkpoints(tmp_path, keep_last=1, keep_best=keep_best, score=SCORE, mode=mode)  # type: ignore[arg-type]  # mode is one of the two literals
    loop = scoring_loop(scores)
    loop.tap(IterationCompleted, checkpoints)
    loop.run(0, range(6), max_epochs=1)
    kept = [name.split("-score=")[0] for name in names(checkpoints)]
    assert kept == [*best, "ckpt-00000006-e1-i6"]
    assert [float(name.split("-score=")[1]) for name in names(checkpoints)][-1] == 0.2


def test_a_score_function_and_the_sequence_going_on_in_a_new_writer(tmp_path: Path) -> None:
    loop = scoring_loop([1.0] * 4)
    loop.tap(on(IterationCompleted, every(2)), Checkpoints(tmp_path, keep_last=5))
    stopped = loop.run(0, range(4), max_iters=2)
    again = Checkpoints(tmp_path, keep_last=5, keep_best=1, score=lambda s: float(s.value))
    again.save(stopped)
    assert names(again) == ["ckpt-00000001-e1-i2", "ckpt-00000002-e1-i2-score=1.0"]


def test_resume_skips_a_damaged_newest_checkpoint_with_a_warning(tmp_path: Path) -> None:
    checkpoints = Checkpoints(tmp_path, keep_last=2)
    loop = scoring_loop([0.0] * 3)
    states: list[State[int]] = []
    loop.tap(IterationCompleted, checkpoints)
    loop.tap(IterationCompleted, states.append)
    loop.run(0, range(3), max_epochs=1)
    newest = checkpoints.paths()[-1] / "tensors.safetensors"
    damaged = bytearray(newest.read_bytes())
    damaged[-1] ^= 0xFF
    newest.write_bytes(bytes(damaged))
    with pytest.warns(CheckpointWarning, match=r"skipping checkpoint .*ckpt-00000003"):
        assert resume(tmp_path) == states[1]
    older = checkpoints.paths()[0] / "manifest.json"
    older.write_text("{")
    with pytest.warns(CheckpointWarning), pytest.raises(CheckpointError, match="no checkpoint"):
        resume(tmp_path)


def test_resume_of_a_directory_without_checkpoints_is_none(tmp_path: Path) -> None:
    assert resume(tmp_path) is None
    assert resume(tmp_path / "not-there") is None


def test_what_a_killed_writer_left_is_swept_at_the_next_write(tmp_path: Path) -> None:
    checkpoints = Checkpoints(tmp_path)
    checkpoints.save(State(1))
    (tmp_path / ".trash-ckpt-00000000-e0-i0-1234abcd").mkdir()
    left = [path for path in tmp_path.iterdir() if path.name.startswith(".")]
    checkpoints.save(State(2))
    assert not any(path.exists() for path in left)
    assert names(checkpoints) == ["ckpt-00000002-e0-i0"]
    assert load(checkpoints.paths()[0]) == State(2)


def test_ctrl_c_writes_the_state_it_stopped_at_and_resuming_ends_as_if_never_stopped(
    tmp_path: Path,
) -> None:
    def step(state: State[int], batch: int) -> State[int]:
        if state.iteration == 5:
            signal.raise_signal(signal.SIGINT)
        return state.replace(value=state.value * 2 + batch)

    checkpoints = Checkpoints(tmp_path)
    loop: Loop[int, int] = Loop(step)
    loop.tap(EpochCompleted, checkpoints)
    loop.tap(Interrupted, checkpoints)
    with pytest.raises(RunInterrupted) as stopped:
        loop.run(0, range(3), max_epochs=3)
    resumed = resume(tmp_path, like=State(0))
    assert resumed == stopped.value.state and resumed is not None
    uninterrupted: Loop[int, int] = Loop(lambda s, b: s.replace(value=s.value * 2 + b))
    assert Loop(step).run(resumed, range(3)) == uninterrupted.run(0, range(3), max_epochs=3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"keep_last": 0}, r"keep_last must be an int >= 1, got 0"),
        ({"keep_best": -1}, r"keep_best must be an int >= 0"),
        ({"keep_best": 2}, r"keep_best=2 needs a score .* score=Slot"),
        ({"score": 3}, r"score must be a Slot\[float\], the name of an attached metric"),
        ({"mode": "maximum"}, r"mode must be 'min' or 'max'"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(
    tmp_path: Path, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        Checkpoints(tmp_path, **arguments)  # type: ignore[arg-type]  # junk on purpose
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a directory"):
        Checkpoints(tmp_path / "file")


def test_a_score_that_is_no_number_fails_the_run_with_its_last_good_state(tmp_path: Path) -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
    junk = Checkpoints(tmp_path, keep_best=1, score=lambda s: "high")  # type: ignore[arg-type]  # junk on purpose
    loop.tap(IterationCompleted, junk)
    with pytest.raises(RunError, match=r"the score .* is 'high', not a number") as failed:
        loop.run(0, range(3), max_epochs=1)
    assert failed.value.state.iteration == 1
    assert list(tmp_path.iterdir()) == []


def test_loaded_tensors_are_aligned_copies_that_leave_the_file_as_it_was(tmp_path: Path) -> None:
    # load() reads each tensor into memory of its own: aligned as new tensors are (kernels
    # may round differently on other alignments, breaking a bitwise resume), and changed in
    # place (a donated state) without reaching the file or another state loaded from it.
    path = tmp_path / "ckpt"
    save(State({"w": torch.arange(4.0)}), path)
    before = (path / "tensors.safetensors").read_bytes()
    first = load(path)
    assert first.value["w"].data_ptr() % 64 == 0  # type: ignore[index]  # a dict of tensors
    first.value["w"].add_(10.0)  # type: ignore[index]  # a dict of tensors, as saved
    assert torch.equal(load(path).value["w"], torch.arange(4.0))  # type: ignore[index]  # as above
    assert (path / "tensors.safetensors").read_bytes() == before
