"""Schedules that decay a value by a fixed rule: linear, exponential, step-wise."""

import bisect
from collections.abc import Sequence

import attrs

from .._checks import (
    require_non_negative,
    require_positive,
    require_real,
    require_sequence,
    require_whole,
)
from ._base import Schedule, require_step


@attrs.frozen
class LinearSchedule:
    """A straight line from ``init_value`` to ``end_value``; made by `linear_schedule`."""

    init_value: float
    end_value: float
    transition_steps: int

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        progress = min(step, self.transition_steps) / self.transition_steps
        return self.init_value + (self.end_value - self.init_value) * progress


def linear_schedule(init_value: float, end_value: float, transition_steps: int) -> Schedule:
    """Go linearly from ``init_value`` to ``end_value`` in ``transition_steps``, then stay.

    With ``init_value=0`` this is a linear warm-up. Scaled by a base learning rate it is
    ``torch.optim.lr_scheduler.LinearLR(start_factor, end_factor, total_iters)``.

    Raises:
        ValueError: ``transition_steps`` is not a whole number >= 1.

    Example:
        >>> warmup = linear_schedule(0.0, 1.0, transition_steps=4)
        >>> [warmup(step) for step in range(6)]
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return LinearSchedule(
        require_real("init_value", init_value),
        require_real("end_value", end_value),
        require_whole("transition_steps", transition_steps, minimum=1),
    )


@attrs.frozen
class ExponentialDecay:
    """``init_value * gamma ** step``; made by `exponential_decay`."""

    init_value: float
    gamma: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        return self.init_value * self.gamma**step


def exponential_decay(init_value: float, gamma: float) -> Schedule:
    """Multiply the value by ``gamma`` every step, as ``torch``'s ``ExponentialLR(gamma)``.

    Raises:
        ValueError: ``gamma`` is not > 0.

    Example:
        >>> s = exponential_decay(1.0, gamma=0.5)
        >>> [s(step) for step in range(4)]
        [1.0, 0.5, 0.25, 0.125]
    """
    return ExponentialDecay(
        require_real("init_value", init_value), require_positive("gamma", gamma)
    )


@attrs.frozen
class StepSchedule:
    """``init_value * gamma ** (step // step_size)``; made by `step_schedule`."""

    init_value: float
    step_size: int
    gamma: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        return self.init_value * self.gamma ** (step // self.step_size)


def step_schedule(init_value: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply the value by ``gamma`` every ``step_size`` steps, as ``torch``'s ``StepLR``.

    Raises:
        ValueError: ``step_size`` is not a whole number >= 1.

    Example:
        >>> s = step_schedule(1.0, step_size=2, gamma=0.5)
        >>> [s(step) for step in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    return StepSchedule(
        require_real("init_value", init_value),
        require_whole("step_size", step_size, minimum=1),
        require_real("gamma", gamma),
    )


@attrs.frozen
class MultiStepSchedule:
    """``init_value * gamma ** (milestones passed)``; made by `multistep_schedule`."""

    init_value: float
    milestones: tuple[int, ...]
    gamma: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        return self.init_value * self.gamma ** bisect.bisect_right(self.milestones, step)


def multistep_schedule(
    init_value: float, milestones: Sequence[int], gamma: float = 0.1
) -> Schedule:
    """Multiply the value by ``gamma`` at each milestone, as ``torch``'s ``MultiStepLR``.

    A milestone given twice applies ``gamma`` twice, as in torch.

    Raises:
        ValueError: a milestone is not a whole number >= 0.

    Example:
        >>> s = multistep_schedule(1.0, milestones=[1, 3], gamma=0.5)
        >>> [s(step) for step in range(5)]
        [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    given = require_sequence("multistep_schedule: milestones", milestones, "milestones=[30, 80]")
    checked = sorted(require_whole("every milestone", m, minimum=0) for m in given)
    return MultiStepSchedule(
        require_real("init_value", init_value), tuple(checked), require_real("gamma", gamma)
    )


@attrs.frozen
class InverseTimeDecay:
    """``init_value / (1 + decay_rate * step)``; made by `inverse_time_decay`."""

    init_value: float
    decay_rate: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        return self.init_value / (1 + self.decay_rate * step)


def inverse_time_decay(init_value: float, decay_rate: float) -> Schedule:
    """Divide the value by ``1 + decay_rate * step``: ``torch.optim.Adagrad``'s ``lr_decay``.

    Raises:
        ValueError: ``decay_rate`` is negative.

    Example:
        >>> s = inverse_time_decay(1.0, decay_rate=0.5)
        >>> [s(step) for step in range(4)]
        [1.0, 0.6666666666666666, 0.5, 0.4]
    """
    return InverseTimeDecay(
        require_real("init_value", init_value), require_non_negative("decay_rate", decay_rate)
    )
