"""Laws of runs: purity, determinism, taps invisible, idempotence, split and retry."""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import assume, given, reject
from hypothesis import strategies as st

from foldloop import (
    Completed,
    DataWarning,
    Event,
    ExceptionRaised,
    GetBatchStarted,
    IterationCompleted,
    Loop,
    RunError,
    State,
    every,
    on,
)
from foldloop.testing import BUILT_IN_KINDS

from .shapes import (
    RunShape,
    ShapeFailure,
    Trace,
    failing_shapes,
    run_shape,
    run_shapes,
    shape_data,
    shape_loop,
)


def _limits(shape: RunShape) -> dict[str, int | None]:
    return {
        "max_epochs": shape.max_epochs,
        "epoch_length": shape.epoch_length,
        "max_iters": shape.max_iters,
    }


def _with_taps(loop: Loop[Trace, object], seen: list[str]) -> None:
    for kind in BUILT_IN_KINDS:
        loop.tap(kind, lambda state, event: seen.append(type(event).__name__))


@given(run_shapes(failures=False))
def test_taps_are_invisible(shape: RunShape) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        _, without = run_shape(shape)
        loop = shape_loop(shape)
        seen: list[str] = []
        _with_taps(loop, seen)
        try:
            with_taps = loop.run((), shape_data(shape), **_limits(shape))
        except RunError as error:
            with_taps = error.state
    assert with_taps == without
    assert seen  # the taps did run


@given(run_shapes(failures=False))
def test_runs_are_deterministic(shape: RunShape) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assert run_shape(shape) == run_shape(shape)


@given(run_shapes(failures=False))
def test_a_run_never_changes_the_state_it_was_given(shape: RunShape) -> None:
    loop = shape_loop(shape)
    states: list[State[Trace]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        try:
            for _, state in loop.scan((), shape_data(shape), **_limits(shape)):
                states.append(state)
        except RunError as error:
            states.append(error.state)
        frozen = [copy.deepcopy(s) for s in states]
        for state in states[::7]:
            with contextlib.suppress(RunError, ValueError):
                loop.run(state, list(range(shape.data_length or 1)))
    assert states == frozen
    assert all(tuple(a) == tuple(b) for a, b in zip(states, frozen, strict=True))  # batch too


@given(run_shapes(stops=False).filter(lambda s: not s.one_shot))
def test_running_a_finished_run_again_changes_nothing(shape: RunShape) -> None:
    loop = shape_loop(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        once_ = loop.run((), shape_data(shape), **_limits(shape))
        twice = loop.run(once_, shape_data(shape))
    assert twice is once_


@given(run_shapes(failures=False).filter(lambda s: not s.one_shot), st.integers(0, 60))
def test_split_law_stop_anywhere_then_continue_equals_one_run(shape: RunShape, k: int) -> None:
    loop = shape_loop(shape)
    data = shape_data(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        failed, whole = run_shape(shape)
        assume(not failed)  # refused runs (terminate_epoch at Started) have no rest to compare
        events = loop.scan((), data, **_limits(shape))
        last: State[Trace] | None = None
        for i, (_, state) in enumerate(events):
            last = state
            if i == k:
                break
        assert last is not None
        rest = loop.run(last, data) if last.running else last
    assert rest == whole


@given(run_shapes(failures=False).filter(lambda s: not s.one_shot), st.integers(1, 12))
def test_split_at_every_iteration_with_run_and_max_iters_shape(shape: RunShape, k: int) -> None:
    # stop inside the fast lane (run has no taps): a scan of the rest must match
    loop = shape_loop(shape)
    data = shape_data(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assume(not run_shape(shape)[0])
        whole = [type(e) for e, _ in loop.scan((), data, **_limits(shape))]
        first: list[type[Event]] = []
        last: State[Trace] | None = None
        for event, state in loop.scan((), data, **_limits(shape)):
            first.append(type(event))
            last = state
            if state.iteration == k and isinstance(event, IterationCompleted):
                break
        assert last is not None
        rest = [type(e) for e, _ in loop.scan(last, data)] if last.running else []
    assert first + rest == whole


@given(failing_shapes())
def test_retry_law_a_failure_carries_the_state_to_go_on_from(shape: RunShape) -> None:
    # A handler fails; without that handler, running on from the carried state gives the
    # uninterrupted run (the failure only added one ExceptionRaised).
    clean = attrs.evolve(shape, requests=tuple(r for r in shape.requests if r.action != "raise"))
    data = shape_data(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assume(not run_shape(clean)[0])  # the run without the failure must itself succeed
        carried = _carried_by_the_failure(shape)
        if carried is None:  # the failure lies past the run's end, or the loop refused the shape
            reject()
        retried = shape_loop(clean).run(carried, data, **_limits(clean))
        whole = shape_loop(clean).run((), data, **_limits(clean))
    assert (retried.value, retried.epoch, retried.iteration) == (
        whole.value,
        whole.epoch,
        whole.iteration,
    )
    assert {k: retried.count(k) for k in BUILT_IN_KINDS} == {
        k: whole.count(k) for k in BUILT_IN_KINDS
    }
    assert retried.count(ExceptionRaised) == 1


def _carried_by_the_failure(shape: RunShape) -> State[Trace] | None:
    """The state carried by the run's error if a handler's ShapeFailure caused it, else None."""
    try:
        shape_loop(shape).run((), shape_data(shape), **_limits(shape))
    except RunError as error:
        return error.state if isinstance(error.__cause__, ShapeFailure) else None
    return None


def test_every_attached_handler_and_tap_sees_exception_raised_even_when_one_fails() -> None:
    def step(state: State[int], batch: int) -> State[int]:
        if batch == 2:
            raise ValueError("bad batch")
        return state.replace(value=state.value + batch)

    loop: Loop[int, int] = Loop(step)
    calls: list[str] = []

    def first(state: State[int], event: ExceptionRaised) -> State[int]:
        calls.append("first")
        raise RuntimeError("handler also fails")

    def second(state: State[int], event: ExceptionRaised) -> State[int]:
        calls.append(f"second saw {event.exception!r}")
        return state.replace(value=-1)

    loop.attach(ExceptionRaised, first)
    loop.attach(ExceptionRaised, second)
    loop.tap(ExceptionRaised, lambda: calls.append("tap"))
    try:
        loop.run(0, [1, 2, 3])
    except RunError as error:
        assert isinstance(error.__cause__, ValueError)
        assert error.state.value == -1  # what the ExceptionRaised handlers returned
        assert error.state.iteration == 2 and error.event is None
        assert [type(e) for e in error.secondary] == [RuntimeError]
        assert "the step" in str(error) and "bad batch" in str(error)
    else:
        raise AssertionError("the run should have failed")
    assert calls == ["first", "second saw ValueError('bad batch')", "tap"]


def test_a_retried_failure_goes_on_from_exactly_there() -> None:
    flaky = {"fail": True}

    def step(state: State[int], batch: int) -> State[int]:
        if batch == 3 and flaky["fail"]:
            raise ValueError("flaky")
        return state.replace(value=state.value + batch)

    loop: Loop[int, int] = Loop(step)
    data = [1, 2, 3, 4]
    try:
        loop.run(0, data, max_epochs=2)
    except RunError as error:
        carried = error.state
    flaky["fail"] = False
    assert carried.value == 3 and carried.iteration == 3
    retried = loop.run(carried, data)
    assert retried.value == 20 and retried.iteration == 8
    assert retried.count(Completed) == 1


def _generator(n: int) -> Iterator[int]:
    yield from range(n)


def test_a_one_shot_iterator_is_taken_at_its_position() -> None:
    loop: Loop[list[int], int] = Loop(lambda s, b: s.replace(value=[*s.value, b]))
    it = _generator(6)
    first = None
    for event, state in loop.scan([], it, max_iters=6):
        if state.iteration == 2 and isinstance(event, IterationCompleted):
            first = state
            break
    assert first is not None
    with pytest.warns(DataWarning, match="on a one-shot iterator: it is taken where it stands"):
        final = loop.run(first, it)  # foldloop cannot tell that it stands where the run stopped
    assert final.value == [0, 1, 2, 3, 4, 5]


def test_every_filter_in_a_resumed_run_counts_the_whole_history() -> None:
    loop: Loop[list[int], int] = Loop(lambda s, b: s)
    loop.attach(
        on(IterationCompleted, every(3)), lambda s: s.replace(value=[*s.value, s.iteration])
    )
    data = list(range(4))
    partial = None
    for _event, state in loop.scan([], data, max_epochs=3):
        if state.iteration == 5:
            partial = state
            break
    assert partial is not None
    assert loop.run(partial, data).value == [3, 6, 9, 12]


def test_a_run_resumed_with_the_length_its_epoch_turned_out_to_have_ends_that_epoch() -> None:
    """Stopped after its last GetBatchStarted, before unsized data said it had ended, a run
    continued on a list of the epoch's length ends the epoch where the data would have."""
    loop = shape_loop(RunShape(data_length=3, one_shot=False, sized=False))
    events = list(loop.scan((), iter(range(3))))
    stop_at = max(i for i, (event, _) in enumerate(events) if isinstance(event, GetBatchStarted))
    _, stopped = events[stop_at]
    assert stopped.epoch_length is None and stopped.epoch_iteration == 3
    rest = [type(event) for event, _ in loop.scan(stopped, [0, 1, 2])]
    assert rest == [type(event) for event, _ in events[stop_at + 1 :]]
    assert loop.run(stopped, [0, 1, 2]) == events[-1][1]
