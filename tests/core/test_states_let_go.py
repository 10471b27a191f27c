"""A run keeps no state it has stepped past: an epoch's first state goes once the epoch's first
step made the next one (for a pure step, a whole copy of the weights and moments)."""

from __future__ import annotations

import gc
import weakref

from foldloop import EpochStarted, IterationCompleted, Loop, State


class Value:
    """A value a weak reference can watch."""

    def __init__(self, n: int) -> None:
        self.n = n


def test_an_epochs_first_state_is_let_go_once_stepped_from() -> None:
    loop: Loop[Value, int] = Loop(
        lambda state, batch: state.replace(value=Value(state.value.n + 1))
    )
    starts: list[weakref.ref[Value]] = []
    alive: list[bool] = []
    loop.tap(EpochStarted, lambda state: starts.append(weakref.ref(state.value)))

    def watch(state: State[Value]) -> None:
        gc.collect()
        alive.append(starts[-1]() is not None)

    loop.tap(IterationCompleted, watch)
    initial = State(value=Value(0))
    final = loop.run(initial, range(4), max_epochs=3)
    assert final.value.n == 12
    # The first epoch starts from the caller's own state, which the caller holds.
    assert alive == [True] * 4 + [False] * 8
