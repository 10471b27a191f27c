"""Linear cyclical schedules (triangular cycles), as Ignite's ``LinearCyclicalScheduler``."""

import attrs

from .._checks import require_real, require_whole
from ._base import Schedule, require_step


@attrs.frozen
class Cyclical:
    """Triangular cycles between ``start_value`` and ``end_value``; made by `cyclical`."""

    start_value: float
    end_value: float
    cycle_size: int
    cycle_mult: float
    start_value_mult: float
    end_value_mult: float

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        cycle, position, size = self._locate(step)
        start = self.start_value * self.start_value_mult**cycle
        end = self.end_value * self.end_value_mult**cycle
        return end + (start - end) * abs(position / size - 0.5) * 2

    def _locate(self, step: int) -> tuple[int, int, int]:
        """The cycle that ``step`` falls in, the position in it, and its size."""
        cycle, size = 0, self.cycle_size
        while step >= size:
            next_size = int(size * self.cycle_mult)
            if next_size == size:  # cycles stopped growing: jump straight to the right one
                more_cycles, step = divmod(step, size)
                return cycle + more_cycles, step, size
            step, cycle, size = step - size, cycle + 1, next_size
        return cycle, step, size


def cyclical(
    start_value: float,
    end_value: float,
    cycle_size: int,
    cycle_mult: float = 1.0,
    start_value_mult: float = 1.0,
    end_value_mult: float = 1.0,
) -> Schedule:
    """Go linearly from ``start_value`` to ``end_value`` in half a cycle and back in the other.

    After each cycle its size is multiplied by ``cycle_mult`` (rounded down) and the two values
    by their multipliers, as Ignite's ``LinearCyclicalScheduler`` does (its ``warmup_duration``
    and ``monotonic`` options are not offered).

    Raises:
        ValueError: ``cycle_size`` is not a whole number >= 2, or ``cycle_mult`` is below 1.

    Example:
        >>> s = cyclical(0.0, 1.0, cycle_size=4)
        >>> [s(step) for step in range(6)]
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """
    if not require_real("cycle_mult", cycle_mult) >= 1:
        raise ValueError(f"cycle_mult must be >= 1 so that cycles never shrink, got {cycle_mult}")
    return Cyclical(
        start_value=require_real("start_value", start_value),
        end_value=require_real("end_value", end_value),
        cycle_size=require_whole("cycle_size", cycle_size, minimum=2),
        cycle_mult=float(cycle_mult),
        start_value_mult=require_real("start_value_mult", start_value_mult),
        end_value_mult=require_real("end_value_mult", end_value_mult),
    )
