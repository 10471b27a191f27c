"""TerminateOnNonFinite: Ignite's TerminateOnNan stopping iteration, the path it records."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from ignite.engine import Engine, Events
from ignite.handlers import TerminateOnNan

from foldloop import IterationCompleted, Loop, Terminated
from foldloop.handlers import NonFiniteWarning, TerminateOnNonFinite
from foldloop.testing import check_handler_is_pure, make_state
from foldloop.train import TrainState

values_st = st.sampled_from([1.0, -2.5, 0.0, math.nan, math.inf, -math.inf])
output_st = st.one_of(
    values_st,
    st.tuples(values_st, values_st),
    values_st.map(lambda x: torch.tensor([1.0, x])),
    st.tuples(values_st, values_st.map(lambda x: torch.tensor(x))),
)


@given(st.lists(output_st, min_size=1, max_size=12))
def test_stops_at_ignites_iteration(outputs: list[object]) -> None:
    engine = Engine(lambda e, batch: outputs[e.state.iteration - 1])
    engine.add_event_handler(Events.ITERATION_COMPLETED, TerminateOnNan())
    engine.logger.disabled = True
    engine.run([0] * len(outputs))
    loop: Loop[object, int] = Loop(lambda s, b: s.replace(value=outputs[s.iteration - 1]))
    loop.attach(IterationCompleted, TerminateOnNonFinite())
    final = loop.run(None, [0] * len(outputs))
    assert final.iteration == engine.state.iteration


def test_records_the_path_in_a_train_state() -> None:
    params = {"0.weight": torch.tensor([[1.0, math.nan]]), "0.bias": torch.zeros(1)}
    state = make_state(TrainState(params, {}, (), output=0.5), iteration=12)
    guard = TerminateOnNonFinite()
    after = guard(state)
    assert after.get(guard.found) == "value.params.0.weight" and after.terminate_requested
    assert "iteration 12" in str(after.get(guard.message))
    check_handler_is_pure(lambda s, e: guard(s), state, IterationCompleted())
    only_output: TerminateOnNonFinite[TrainState] = TerminateOnNonFinite(
        lambda s: s.value.output, name="output"
    )
    assert not only_output(state).terminate_requested


def test_warn_is_a_tap_that_says_where() -> None:
    loop: Loop[float, float] = Loop(lambda s, b: s.replace(value=b))
    guard = TerminateOnNonFinite()
    loop.attach(IterationCompleted, guard)
    loop.tap(Terminated, guard.warn)
    with pytest.warns(NonFiniteWarning, match="non-finite value inf at value, iteration 2"):
        final = loop.run(0.0, [1.0, math.inf, 2.0])
    assert final.iteration == 2


def test_a_part_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="part must be a function of the state"):
        TerminateOnNonFinite(3)  # type: ignore[call-overload]  # the error tested
