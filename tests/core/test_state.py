"""The state: immutable values whose methods return new states; typed slots; counts."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop import Event, IterationCompleted, Loop, Slot, State
from foldloop.testing import make_state, states


class Signal(Event):
    """A user's own event kind (the base ``Event`` cannot be emitted)."""


@given(states(), st.integers())
def test_every_method_returns_a_new_state_and_leaves_the_old_one(state: State[int], v: int) -> None:
    before = pickle.dumps(state)
    slot = Slot("s", 0)
    for new in (
        state.replace(value=v),
        state.put(slot, v),
        state.emit(Signal()),
        state.terminate(),
        state.terminate_epoch(),
    ):
        assert new is not state
    assert pickle.dumps(state) == before
    assert state.get(slot) == 0 and state.pending == ()
    assert not state.terminate_requested and not state.terminate_epoch_requested


def test_states_are_frozen() -> None:
    state = State(value=1)
    with pytest.raises(AttributeError):
        state.value = 2  # type: ignore[misc]  # the point is that it is refused
    with pytest.raises(AttributeError):
        state.extra = 2  # type: ignore[attr-defined]  # nor can anything be added
    assert state.value == 1


def test_slots_are_typed_keys_with_defaults() -> None:
    best = Slot("best", float("-inf"))
    state = State(value=None).put(best, 0.9)
    assert state.get(best) == 0.9
    assert State(value=None).get(best) == float("-inf")
    assert state.put(best, 0.95).get(best) == 0.95 and state.get(best) == 0.9


def test_make_state_sets_counts_like_a_run_would() -> None:
    state = make_state("v", epoch=3, iteration=120, counts={Event: 2})
    assert state.count(IterationCompleted) == 120 and state.count(Event) == 2
    assert dict(state.counts)[IterationCompleted] == 120


def test_a_kind_counted_zero_times_equals_one_never_counted() -> None:
    assert make_state(0, counts={Event: 0}) == make_state(0)


def test_importing_the_core_does_not_import_torch() -> None:
    code = "import foldloop, foldloop.core, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_position_fields_read_by_index_are_the_ones_named() -> None:
    from foldloop.core._position import Position

    fields = Position._fields
    assert fields[:3] == ("epoch", "iteration", "epoch_iteration")
    assert fields[-1] == "other_counts"


def test_a_state_stepped_by_the_loop_reads_its_position_by_name() -> None:
    seen: list[State[None]] = []

    def step(state: State[None], batch: int) -> State[None]:
        seen.append(state)  # built by the loop, with its position's fields in a plain tuple
        return state

    Loop(step).run(None, [0, 1, 2], max_epochs=2)
    at = seen[-1]._at
    assert type(at).__name__ == "Position"
    assert (at.epoch, at.iteration, at.epoch_iteration) == (2, 6, 3)
    assert (seen[-1].epoch, seen[-1].iteration, seen[-1].epoch_iteration) == (2, 6, 3)
    assert seen[-1].running and not seen[-1].terminated
