"""Schedules built from pieces: linear interpolation between milestones, and joins."""

import bisect
import itertools
from collections.abc import Sequence

import attrs

from .._checks import require_pairs, require_real, require_whole
from ._base import Schedule, require_step


@attrs.frozen
class PiecewiseLinear:
    """Linear interpolation between ``(milestone, value)`` points; made by `piecewise_linear`."""

    milestones: tuple[int, ...]
    values: tuple[float, ...]

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        passed = bisect.bisect_right(self.milestones, step)
        if passed == 0:
            return self.values[0]
        if passed == len(self.milestones):
            return self.values[-1]
        start, end = self.milestones[passed - 1], self.milestones[passed]
        low, high = self.values[passed - 1], self.values[passed]
        return low + (high - low) * (step - start) / (end - start)


def piecewise_linear(milestones_values: Sequence[tuple[int, float]]) -> Schedule:
    """Interpolate linearly between ``(milestone, value)`` points, as Ignite's ``PiecewiseLinear``.

    Before the first milestone the value is the first value, after the last the last. A
    milestone given twice makes a jump: the later value holds from that step on.

    Raises:
        ValueError: no points, or milestones that are not whole numbers >= 0 in non-decreasing
            order.

    Example:
        >>> s = piecewise_linear([(1, 1.0), (3, 0.0), (3, 0.5), (5, 0.5)])
        >>> [s(step) for step in range(6)]
        [1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    """
    example = "piecewise_linear([(0, 1.0), (100, 0.0)])"
    if not require_pairs("piecewise_linear: the points", milestones_values, example):
        raise ValueError("piecewise_linear needs at least one (milestone, value) pair")
    milestones = tuple(require_whole("every milestone", m, minimum=0) for m, _ in milestones_values)
    if _decreases(milestones):
        raise ValueError(f"milestones must never decrease, got {list(milestones)}")
    values = tuple(require_real("every value", value) for _, value in milestones_values)
    return PiecewiseLinear(milestones, values)


@attrs.frozen
class JoinedSchedules:
    """Schedules one after another; made by `join_schedules`."""

    schedules: tuple[Schedule, ...]
    boundaries: tuple[int, ...]

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        index = bisect.bisect_right(self.boundaries, step)
        start = self.boundaries[index - 1] if index else 0
        return self.schedules[index](step - start)


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules[i]`` from ``boundaries[i - 1]`` on, each restarted at its own step 0.

    Like ``torch``'s ``SequentialLR`` or Ignite's ``ConcatScheduler``.

    Args:
        schedules: the schedules, in order.
        boundaries: the steps where each next schedule takes over; one fewer than schedules.

    Raises:
        ValueError: the counts do not fit, or the boundaries are not increasing whole numbers
            >= 1.

    Example:
        >>> from foldloop.train import constant_schedule, linear_schedule
        >>> s = join_schedules([linear_schedule(0.0, 1.0, 2), constant_schedule(0.5)], [2])
        >>> [s(step) for step in range(4)]
        [0.0, 0.5, 0.5, 0.5]
    """
    if len(schedules) != len(boundaries) + 1:
        raise ValueError(
            f"join_schedules needs one boundary between each two schedules: got "
            f"{len(schedules)} schedules and {len(boundaries)} boundaries"
        )
    checked = tuple(require_whole("every boundary", b, minimum=1) for b in boundaries)
    if _decreases(checked) or len(set(checked)) < len(checked):
        raise ValueError(f"boundaries must be increasing, got {list(boundaries)}")
    return JoinedSchedules(tuple(schedules), checked)


def _decreases(steps: Sequence[int]) -> bool:
    return any(later < earlier for earlier, later in itertools.pairwise(steps))
