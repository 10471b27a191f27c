"""What a schedule is, and the checks every schedule shares."""

from collections.abc import Callable
from typing import TypeAlias

import attrs

from .._checks import require_real

Schedule: TypeAlias = Callable[[int], float]
"""A pure function from a step (0, 1, 2, ...) to a value, such as a learning rate."""


def require_step(step: int) -> None:
    """Refuse a negative step, which no schedule is defined at.

    Example:
        >>> require_step(-1)
        Traceback (most recent call last):
        ...
        ValueError: a schedule is defined at steps 0, 1, 2, ...; got step -1
    """
    if step < 0:
        raise ValueError(f"a schedule is defined at steps 0, 1, 2, ...; got step {step}")


@attrs.frozen
class ConstantSchedule:
    """The same value at every step; made by `constant_schedule`."""

    value: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        return self.value


def constant_schedule(value: float) -> Schedule:
    """A schedule that is ``value`` at every step.

    Example:
        >>> s = constant_schedule(0.1)
        >>> s(0), s(1000)
        (0.1, 0.1)
    """
    return ConstantSchedule(require_real("value", value))


def as_schedule(value: float | Schedule, name: str = "value") -> Schedule:
    """A schedule as given, or a constant one for a number.

    Args:
        value: a number, or a callable ``step -> float``.
        name: what ``value`` is called in the caller's signature, for the error message.

    Raises:
        TypeError: ``value`` is neither a real number nor callable.

    Example:
        >>> as_schedule(0.5)(7)
        0.5
        >>> as_schedule(lambda step: 1.0 / (step + 1))(3)
        0.25
    """
    if callable(value):
        return value
    return constant_schedule(require_real(f"{name} (or a callable step -> float)", value))
