"""Ctrl-C during run(): the run stops at its next safe point with its state, and goes on
from it to the uninterrupted run's final state (real SIGINTs, in this process and a child)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop import (
    EpochCompleted,
    Interrupted,
    IterationCompleted,
    Loop,
    RunInterrupted,
    Slot,
    State,
    every,
    on,
)

SEEN: Slot[tuple[int, ...]] = Slot("seen", ())


def counting_loop(press_at: int | None) -> Loop[int, int]:
    """A loop whose step adds the batch; it presses Ctrl-C during iteration ``press_at``."""

    def step(state: State[int], batch: int) -> State[int]:
        if state.iteration == press_at:
            signal.raise_signal(signal.SIGINT)
        return state.replace(value=state.value * 3 + batch)

    def remember(state: State[int]) -> State[int]:
        return state.put(SEEN, (*state.get(SEEN), state.value))

    loop: Loop[int, int] = Loop(step)
    loop.attach(on(IterationCompleted, every(2)) | on(EpochCompleted), remember)
    return loop


@given(
    length=st.integers(1, 5),
    epochs=st.integers(1, 3),
    press=st.data(),
)
def test_a_run_interrupted_anywhere_goes_on_to_the_uninterrupted_final_state(
    length: int, epochs: int, press: st.DataObject
) -> None:
    data = list(range(length))
    press_at = press.draw(st.integers(1, length * epochs))
    expected = counting_loop(None).run(0, data, max_epochs=epochs)
    with pytest.raises(RunInterrupted) as stopped:
        counting_loop(press_at).run(0, data, max_epochs=epochs)
    assert stopped.value.state.iteration == press_at  # the iteration it came in was finished
    assert counting_loop(None).run(stopped.value.state, data) == expected


def test_the_default_handler_is_back_after_the_run() -> None:
    with pytest.raises(RunInterrupted):
        counting_loop(1).run(0, [1, 2], max_epochs=1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    counting_loop(None).run(0, [1, 2], max_epochs=1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_taps_on_interrupted_see_the_state_the_error_carries() -> None:
    loop = counting_loop(2)
    seen: list[State[int]] = []
    loop.tap(Interrupted, seen.append)
    with pytest.raises(RunInterrupted) as stopped:
        loop.run(0, [1, 2, 3], max_epochs=2)
    assert seen == [stopped.value.state]
    assert stopped.value.state.count(Interrupted) == 0  # not part of the run's history


def test_a_failing_tap_on_interrupted_does_not_hide_the_interrupt() -> None:
    loop = counting_loop(1)

    def broken(state: State[int]) -> None:
        raise OSError("disk full")

    loop.tap(Interrupted, broken)
    with pytest.raises(RunInterrupted) as stopped:
        loop.run(0, [1, 2], max_epochs=1)
    assert "OSError: disk full" in "".join(stopped.value.__notes__)


def test_a_handler_on_interrupted_is_refused_with_the_fix() -> None:
    loop = counting_loop(None)
    with pytest.raises(TypeError, match=r"taps alone see .* loop\.tap"):
        loop.attach(Interrupted, lambda state: state)


def test_ctrl_c_during_an_epoch_handler_stops_at_the_epoch_boundary() -> None:
    def press(state: State[int]) -> State[int]:
        if state.epoch == 1:
            signal.raise_signal(signal.SIGINT)
        return state

    loop = counting_loop(None)
    loop.attach(EpochCompleted, press)
    with pytest.raises(RunInterrupted) as stopped:
        loop.run(0, [1, 2], max_epochs=3)
    assert (stopped.value.state.epoch, stopped.value.state.iteration) == (1, 2)
    assert loop.run(stopped.value.state, [1, 2]) == counting_loop(None).run(0, [1, 2], max_epochs=3)


def test_a_run_inside_a_handler_leaves_the_interrupt_to_the_outer_run() -> None:
    inner = counting_loop(1)  # presses Ctrl-C inside a run started by a handler

    def evaluate(state: State[int]) -> State[int]:
        return state.put(SEEN, (inner.run(0, [5, 6], max_epochs=1).value,))

    outer = counting_loop(None)
    outer.attach(EpochCompleted, evaluate)
    with pytest.raises(RunInterrupted) as stopped:
        outer.run(0, [1, 2], max_epochs=3)
    assert stopped.value.state.get(SEEN) == (21,)  # the inner run went to its end: 5 * 3 + 6
    assert stopped.value.state.epoch == 1


def test_a_second_ctrl_c_stops_at_once_without_a_state() -> None:
    def step(state: State[int], batch: int) -> State[int]:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # the step has not returned: no safe point yet
        raise AssertionError("the second Ctrl-C did not stop the step")

    with pytest.raises(KeyboardInterrupt) as stopped:
        Loop(step).run(0, [1], max_epochs=1)
    assert not isinstance(stopped.value, RunInterrupted)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_sigint_handler_of_the_users_own_is_left_alone() -> None:
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        final = counting_loop(1).run(0, [1, 2], max_epochs=1)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert pressed == [signal.SIGINT] and final.iteration == 2


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from foldloop import Loop, RunInterrupted

    def step(state, batch):
        if state.iteration == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as the terminal sends it on Ctrl-C
        return state.replace(value=state.value + batch)

    try:
        Loop(step).run(0, range(10), max_epochs=1)
    except RunInterrupted as stopped:
        print("stopped at", stopped.state.iteration, "value", stopped.state.value, flush=True)
        if sys.argv[1] == "reraise":
            raise
    """
)


@pytest.mark.parametrize("mode", ["catch", "reraise"])
def test_a_real_sigint_stops_a_process_as_ctrl_c_does(mode: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=50
    )
    assert "stopped at 3 value 3" in done.stdout, done.stderr
    if mode == "catch":
        assert done.returncode == 0, done.stderr
    else:  # uncaught, it ends the process with its traceback (status 1: CPython gives the
        # status of a death by SIGINT only to a KeyboardInterrupt of exactly that class)
        assert done.returncode == 1, done.stderr
        assert "RunInterrupted: Ctrl-C stopped the run at epoch 1, iteration 3" in done.stderr
