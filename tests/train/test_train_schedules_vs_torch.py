"""Schedules against torch.optim.lr_scheduler: the learning rates a torch optimizer sees."""

from collections.abc import Callable, Sequence

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    SequentialLR,
    StepLR,
)

from foldloop.train import (
    Schedule,
    cosine_annealing,
    exponential_decay,
    join_schedules,
    linear_schedule,
    multistep_schedule,
    step_schedule,
)

BASE_LR = 0.5
STEPS = 40

MakeScheduler = Callable[[torch.optim.Optimizer], LRScheduler]

factors = st.floats(0.05, 1.0)
gammas = st.floats(0.5, 1.0)
lengths = st.integers(1, 12)


def torch_learning_rates(make_scheduler: MakeScheduler, steps: int = STEPS) -> list[float]:
    """The lr an SGD optimizer (base lr ``BASE_LR``) uses at each step under the scheduler."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return rates


def assert_matches(schedule: Schedule, make_scheduler: MakeScheduler, steps: int = STEPS) -> None:
    ours = [schedule(step) for step in range(steps)]
    assert ours == pytest.approx(torch_learning_rates(make_scheduler, steps), rel=1e-9, abs=1e-12)


@given(factors, factors, lengths)
def test_linear_schedule_is_linear_lr(start: float, end: float, total: int) -> None:
    assert_matches(
        linear_schedule(BASE_LR * start, BASE_LR * end, total),
        lambda opt: LinearLR(opt, start_factor=start, end_factor=end, total_iters=total),
    )


@given(gammas)
def test_exponential_decay_is_exponential_lr(gamma: float) -> None:
    assert_matches(exponential_decay(BASE_LR, gamma), lambda opt: ExponentialLR(opt, gamma))


@given(lengths, gammas)
def test_step_schedule_is_step_lr(step_size: int, gamma: float) -> None:
    assert_matches(
        step_schedule(BASE_LR, step_size, gamma), lambda opt: StepLR(opt, step_size, gamma)
    )


@given(st.lists(st.integers(0, STEPS), max_size=5), gammas)
def test_multistep_schedule_is_multistep_lr(milestones: Sequence[int], gamma: float) -> None:
    assert_matches(
        multistep_schedule(BASE_LR, milestones, gamma),
        lambda opt: MultiStepLR(opt, milestones, gamma),
    )


@given(lengths, st.floats(0.0, 0.1))
def test_cosine_annealing_is_cosine_annealing_lr_over_its_period(
    period: int, min_value: float
) -> None:
    assert_matches(
        cosine_annealing(BASE_LR, period, min_value),
        lambda opt: CosineAnnealingLR(opt, T_max=period, eta_min=min_value),
        steps=period + 1,
    )


@given(lengths, st.integers(1, 3), st.floats(0.0, 0.1))
def test_cosine_restarts_are_cosine_annealing_warm_restarts(
    period: int, period_mult: int, min_value: float
) -> None:
    assert_matches(
        cosine_annealing(BASE_LR, period, min_value, restart=True, period_mult=period_mult),
        lambda opt: CosineAnnealingWarmRestarts(opt, period, period_mult, min_value),
    )


@given(lengths, lengths, factors)
def test_warmup_then_cosine_is_sequential_linear_and_cosine(
    warmup: int, period: int, start: float
) -> None:
    def make(opt: torch.optim.Optimizer) -> LRScheduler:
        linear = LinearLR(opt, start_factor=start, end_factor=1.0, total_iters=warmup)
        cosine = CosineAnnealingLR(opt, T_max=period)
        return SequentialLR(opt, [linear, cosine], milestones=[warmup])

    schedule = cosine_annealing(
        BASE_LR, period, warmup_steps=warmup, warmup_start_value=BASE_LR * start
    )
    assert_matches(schedule, make, steps=warmup + period + 1)


@given(lengths, factors, gammas)
def test_join_schedules_is_sequential_lr(boundary: int, start: float, gamma: float) -> None:
    def make(opt: torch.optim.Optimizer) -> LRScheduler:
        linear = LinearLR(opt, start_factor=start, end_factor=1.0, total_iters=boundary)
        return SequentialLR(opt, [linear, ExponentialLR(opt, gamma)], milestones=[boundary])

    joined = join_schedules(
        [linear_schedule(BASE_LR * start, BASE_LR, boundary), exponential_decay(BASE_LR, gamma)],
        [boundary],
    )
    assert_matches(joined, make)
