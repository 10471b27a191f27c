"""Schedules against Ignite's PiecewiseLinear and LinearCyclicalScheduler."""

import warnings
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop.train import Schedule, cyclical, piecewise_linear

with warnings.catch_warnings():
    # Importing ignite imports torch.distributed.optim, whose torch.jit decorators warn that
    # torch.jit is deprecated; that is about torch's own modules, not about anything here.
    warnings.filterwarnings(
        "ignore", message=r"`torch\.jit\.\w+` is deprecated", category=DeprecationWarning
    )
    from ignite.handlers.param_scheduler import LinearCyclicalScheduler, PiecewiseLinear

EVENTS = 40


def assert_matches(schedule: Schedule, ignite_values: Sequence[Sequence[float]]) -> None:
    assert [schedule(step) for step in range(EVENTS)] == pytest.approx(
        [value for _, value in ignite_values], rel=1e-9, abs=1e-12
    )


values = st.floats(-2.0, 2.0)
milestones_values = st.lists(st.tuples(st.integers(0, EVENTS), values), min_size=1, max_size=5)


@given(milestones_values)
def test_piecewise_linear_is_ignites(points: list[tuple[int, float]]) -> None:
    points = sorted(points, key=lambda point: point[0])  # a stable sort keeps duplicates' order
    assert_matches(
        piecewise_linear(points),
        PiecewiseLinear.simulate_values(EVENTS, param_name="lr", milestones_values=points),
    )


@given(
    values,
    values,
    st.integers(2, 10),
    st.sampled_from([1.0, 1.5, 2.0]),
    st.floats(0.5, 1.5),
    st.floats(0.5, 1.5),
)
def test_cyclical_is_ignites_linear_cyclical_scheduler(
    start: float, end: float, size: int, cycle_mult: float, start_mult: float, end_mult: float
) -> None:
    ignite_values = LinearCyclicalScheduler.simulate_values(
        EVENTS,
        param_name="lr",
        start_value=start,
        end_value=end,
        cycle_size=size,
        cycle_mult=cycle_mult,
        start_value_mult=start_mult,
        end_value_mult=end_mult,
    )
    assert_matches(cyclical(start, end, size, cycle_mult, start_mult, end_mult), ignite_values)
