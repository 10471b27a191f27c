"""A step or handler returns the state it was given, or one built from it; anything else fails.

A ``State(...)`` made anew, or a state kept from another point of the run, has another position
and none of the run's limits, slots or requests: taken as the run's state, it would move the
run back, end it early, or (its ``max_epochs`` gone) let it run on forever. It is refused with
a ``HandlerReturnError`` that names the function, both positions and the fix. A copy of the
given state (``copy.deepcopy``) is at the same position with the same limits, and is taken.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from foldloop import (
    Completed,
    DataExhausted,
    EpochCompleted,
    EpochStarted,
    Event,
    GetBatchCompleted,
    GetBatchStarted,
    HandlerReturnError,
    IterationCompleted,
    IterationStarted,
    Loop,
    RunError,
    Started,
    State,
    on,
    once,
)

KINDS = [
    Started,
    EpochStarted,
    GetBatchStarted,
    GetBatchCompleted,
    IterationStarted,
    IterationCompleted,
    DataExhausted,
    EpochCompleted,
    Completed,
]
ELSEWHERE = r"returned a State at epoch 0, iteration 0 \(max_epochs=None\), not one of the run at"


def _summing() -> Loop[int, int]:
    return Loop(lambda state, batch: state.replace(value=state.value + batch))


def _run_to_end(loop: Loop[int, int]) -> State[int]:
    # Data of 2 for epochs of 3: the data runs out inside each epoch (DataExhausted fires).
    return loop.run(0, [1, 2], max_epochs=2, epoch_length=3)


@pytest.mark.parametrize("kind", KINDS)
def test_a_handler_returning_a_state_made_anew_fails(kind: type[Event]) -> None:
    loop = _summing()
    loop.attach(on(kind, once(1)), lambda state: State(value=100))
    with pytest.raises(RunError) as caught:
        _run_to_end(loop)
    assert isinstance(caught.value.__cause__, HandlerReturnError)
    message = str(caught.value.__cause__)
    assert f"<lambda>' on {kind.__name__} returned a State at epoch 0" in message
    assert "state.replace(value=...)" in message and "not State(...) made anew" in message
    assert caught.value.state.max_epochs == 2  # the last good state is the run's own
    with pytest.raises(RunError, match=ELSEWHERE):  # scan refuses it alike
        list(loop.scan(0, [1, 2], max_epochs=2, epoch_length=3))


def test_a_handler_returning_a_state_kept_from_before_fails() -> None:
    kept: list[State[int]] = []
    loop = _summing()
    loop.tap(Started, kept.append)
    loop.attach(on(IterationCompleted, once(2)), lambda state: kept[0])
    with pytest.raises(
        RunError,
        match=r"a State at epoch 0, iteration 0 \(max_epochs=2\), not "
        r"one of the run at epoch 1, iteration 2 \(max_epochs=2\)",
    ) as caught:
        _run_to_end(loop)
    assert caught.value.state.iteration == 2


@pytest.mark.parametrize(
    "returned",
    [lambda state: State(value=state.value + 1), None],
    ids=["made anew", "kept from before"],
)
def test_a_step_returning_a_state_not_built_from_its_own_fails(
    returned: Callable[[State[int]], State[int]] | None,
) -> None:
    first: list[State[int]] = []

    def step(state: State[int], batch: int) -> State[int]:
        first.append(state)
        return first[0] if returned is None else returned(state)

    with pytest.raises(RunError, match=r"the step '.*step' returned a State at epoch") as caught:
        Loop(step).run(0, [1, 2], max_epochs=2)
    assert isinstance(caught.value.__cause__, HandlerReturnError)
    # The first step's own state passes as it is; the refusal comes at the step that returned
    # another one: the first made anew, the second kept from before.
    assert caught.value.state.iteration == (1 if returned is not None else 2)


def test_a_copy_of_the_given_state_is_taken_as_it() -> None:
    def copied_step(state: State[int], batch: int) -> State[int]:
        return copy.deepcopy(state).replace(value=state.value + batch)

    copied = Loop(copied_step)
    copied.attach(
        IterationCompleted, lambda state: copy.deepcopy(state).replace(value=state.value * 2)
    )
    built = _summing()
    built.attach(IterationCompleted, lambda state: state.replace(value=state.value * 2))
    assert _run_to_end(copied) == _run_to_end(built)
