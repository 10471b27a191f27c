"""Taps are invisible: every tap of foldloop.handlers attached, the final state is the same."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from foldloop import (
    EpochCompleted,
    IterationCompleted,
    Loop,
    Slot,
    State,
    every,
    on,
)
from foldloop.handlers import Csv, JsonLines, Profiler, ProgressBar, TensorBoard

SEEN: Slot[int] = Slot("seen", 0)


def make_loop(stop_at: int | None) -> Loop[int, int]:
    def step(state: State[int], batch: int) -> State[int]:
        return state.replace(value=state.value * 3 + batch)

    loop: Loop[int, int] = Loop(step)

    @loop.on(on(IterationCompleted, every(2)))
    def remember(state: State[int]) -> State[int]:
        state = state.put(SEEN, state.get(SEEN) + 1)
        return state.terminate() if state.iteration == stop_at else state

    return loop


def with_every_tap(loop: Loop[int, int], folder: Path, tensorboard: bool) -> None:
    values = {"v": lambda s: s.value % 1000, "seen": lambda s: s.get(SEEN)}
    trigger = on(IterationCompleted, every(2)) | on(EpochCompleted)
    ProgressBar(values, file=io.StringIO(), disable=False, mininterval=0).attach(loop)
    JsonLines(folder / "log.jsonl", values).attach(loop, trigger)
    Csv(folder / "log.csv", values).attach(loop, trigger)
    if tensorboard:
        TensorBoard(folder / "tb", values).attach(loop, EpochCompleted)
    Profiler().attach(loop)


@settings(max_examples=15, deadline=None)
@given(
    data=st.lists(st.integers(0, 9), min_size=1, max_size=5),
    max_epochs=st.integers(1, 3),
    stop_at=st.none() | st.integers(1, 12),
    tensorboard=st.booleans(),
)
def test_every_tap_attached_leaves_the_final_state_unchanged(
    data: list[int], max_epochs: int, stop_at: int | None, tensorboard: bool
) -> None:
    bare = make_loop(stop_at).run(0, data, max_epochs=max_epochs)
    tapped = make_loop(stop_at)
    with tempfile.TemporaryDirectory() as folder:
        with_every_tap(tapped, Path(folder), tensorboard)
        assert tapped.run(0, data, max_epochs=max_epochs) == bare
