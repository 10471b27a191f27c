"""Schedules: values, purity, and the inputs they refuse."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop.train import (
    Schedule,
    as_schedule,
    constant_schedule,
    cosine_annealing,
    cyclical,
    exponential_decay,
    inverse_time_decay,
    join_schedules,
    linear_schedule,
    multistep_schedule,
    piecewise_linear,
    step_schedule,
)

MAKERS: list[Callable[[], Schedule]] = [
    lambda: constant_schedule(0.1),
    lambda: linear_schedule(0.0, 1.0, 10),
    lambda: exponential_decay(1.0, 0.9),
    lambda: step_schedule(1.0, 3),
    lambda: multistep_schedule(1.0, [2, 5]),
    lambda: inverse_time_decay(1.0, 0.1),
    lambda: cosine_annealing(1.0, 10, warmup_steps=2),
    lambda: cosine_annealing(1.0, 3, restart=True, period_mult=2),
    lambda: piecewise_linear([(0, 0.0), (5, 1.0)]),
    lambda: cyclical(0.0, 1.0, 4),
    lambda: join_schedules([constant_schedule(1.0), constant_schedule(2.0)], [3]),
]


@pytest.mark.parametrize("make", MAKERS)
def test_a_negative_step_is_refused(make: Callable[[], Schedule]) -> None:
    with pytest.raises(ValueError, match=r"steps 0, 1, 2, \.\.\.; got step -1"):
        make()(-1)


@pytest.mark.parametrize("make", MAKERS)
def test_schedules_are_values_equal_by_their_parameters(make: Callable[[], Schedule]) -> None:
    first, second = make(), make()
    assert first == second
    assert hash(first) == hash(second)
    assert repr(first) == repr(second)
    assert first != constant_schedule(-1.0)


@given(st.integers(0, 10_000))
def test_cosine_restarts_with_growing_periods_restart_at_each_period_start(step: int) -> None:
    schedule = cosine_annealing(1.0, 2, restart=True, period_mult=3)
    starts = {0, 2, 8, 26, 80, 242, 728, 2186, 6560}
    assert (schedule(step) == 1.0) == (step in starts)


def test_cosine_without_restart_stays_at_its_minimum() -> None:
    schedule = cosine_annealing(1.0, 4, min_value=0.25)
    assert [schedule(step) for step in (4, 5, 100)] == [0.25, 0.25, 0.25]


@given(st.integers(0, 100_000))
def test_cyclical_with_stalled_growth_agrees_with_plain_cycles(step: int) -> None:
    # int(2 * 1.2) == 2: the cycles never grow, so the schedule is periodic.
    assert cyclical(0.0, 1.0, 2, cycle_mult=1.2)(step) == cyclical(0.0, 1.0, 2)(step)


def test_join_restarts_each_schedule_at_its_boundary() -> None:
    joined = join_schedules([linear_schedule(0.0, 1.0, 2), exponential_decay(1.0, 0.5)], [2])
    assert [joined(step) for step in range(5)] == [0.0, 0.5, 1.0, 0.5, 0.25]


def test_as_schedule_keeps_a_callable_and_wraps_a_number() -> None:
    def halving(step: int) -> float:
        return 0.5**step

    assert as_schedule(halving) is halving
    assert as_schedule(3) == constant_schedule(3.0)


Refusal = tuple[Callable[[], object], type[Exception], str]

REFUSALS: list[Refusal] = [
    (lambda: linear_schedule(0.0, 1.0, 0), ValueError, r"transition_steps .* >= 1, got 0"),
    (lambda: exponential_decay(1.0, 0.0), ValueError, r"gamma must be > 0"),
    (lambda: step_schedule(1.0, 2.5), ValueError, r"step_size .* whole number"),  # type: ignore[arg-type]
    (lambda: multistep_schedule(1.0, [3, -1]), ValueError, r"milestone .* >= 0, got -1"),
    (lambda: inverse_time_decay(1.0, -0.1), ValueError, r"decay_rate must be >= 0"),
    (lambda: cosine_annealing(1.0, 0), ValueError, r"period .* >= 1, got 0"),
    (lambda: cosine_annealing(1.0, 4, warmup_steps=-1), ValueError, r"warmup_steps .* >= 0"),
    (lambda: cosine_annealing(1.0, 4, period_mult=2), ValueError, r"pass restart=True"),
    (lambda: piecewise_linear([]), ValueError, r"at least one \(milestone, value\) pair"),
    (lambda: piecewise_linear([(3, 1.0), (1, 0.0)]), ValueError, r"never decrease, got \[3, 1\]"),
    (lambda: cyclical(0.0, 1.0, 1), ValueError, r"cycle_size .* >= 2, got 1"),
    (lambda: cyclical(0.0, 1.0, 4, cycle_mult=0.5), ValueError, r"cycle_mult must be >= 1"),
    (lambda: join_schedules([constant_schedule(1.0)], [2]), ValueError, r"1 schedules and 1"),
    (
        lambda: join_schedules([constant_schedule(1.0)] * 3, [4, 2]),
        ValueError,
        r"boundaries must be increasing, got \[4, 2\]",
    ),
    (lambda: constant_schedule("0.1"), TypeError, r"value must be a real number, got str"),  # type: ignore[arg-type]
    (lambda: as_schedule(None, "lr"), TypeError, r"lr \(or a callable .*\) must be a real"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("make", "error", "message"), REFUSALS)
def test_bad_arguments_are_refused_with_a_message(
    make: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()
