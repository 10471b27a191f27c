"""Cosine annealing with optional linear warm-up and warm restarts (SGDR)."""

import math

import attrs

from .._checks import require_real, require_whole
from ._base import Schedule, require_step


@attrs.frozen
class CosineAnnealing:
    """Cosine annealing from ``base_value`` to ``min_value``; made by `cosine_annealing`."""

    base_value: float
    period: int
    min_value: float
    warmup_steps: int
    warmup_start_value: float
    restart: bool
    period_mult: int

    def __call__(self, step: int) -> float:
        """The value at ``step``."""
        require_step(step)
        if step < self.warmup_steps:
            progress = step / self.warmup_steps
            return self.warmup_start_value + (self.base_value - self.warmup_start_value) * progress
        position, length = self._position_in_period(step - self.warmup_steps)
        cosine = (1 + math.cos(math.pi * position / length)) / 2
        return self.min_value + (self.base_value - self.min_value) * cosine

    def _position_in_period(self, step: int) -> tuple[int, int]:
        if not self.restart:
            return min(step, self.period), self.period
        if self.period_mult == 1:
            return step % self.period, self.period
        length = self.period
        while step >= length:  # periods grow geometrically, so this runs O(log step) times
            step -= length
            length *= self.period_mult
        return step, length


def cosine_annealing(
    base_value: float,
    period: int,
    min_value: float = 0.0,
    *,
    warmup_steps: int = 0,
    warmup_start_value: float = 0.0,
    restart: bool = False,
    period_mult: int = 1,
) -> Schedule:
    """Anneal from ``base_value`` to ``min_value`` along half a cosine over ``period`` steps.

    Without restarts the value then stays at ``min_value``; over its first ``period`` steps this
    is ``torch``'s ``CosineAnnealingLR(T_max=period, eta_min=min_value)`` (which, past
    ``T_max``, climbs back up the cosine instead). With ``restart=True`` the value jumps back
    to ``base_value`` at the end of each period and the next period is ``period_mult`` times
    longer: ``CosineAnnealingWarmRestarts(T_0=period, T_mult=period_mult, eta_min=min_value)``.
    A warm-up first goes linearly from ``warmup_start_value`` to ``base_value`` in
    ``warmup_steps`` steps; the annealing starts after it.

    Raises:
        ValueError: ``period`` is not a whole number >= 1, ``warmup_steps`` not one >= 0, or
            ``period_mult`` not one >= 1 (or not 1 without ``restart``).

    Example:
        >>> s = cosine_annealing(1.0, period=4, warmup_steps=2)
        >>> [round(s(step), 3) for step in range(8)]
        [0.0, 0.5, 1.0, 0.854, 0.5, 0.146, 0.0, 0.0]
        >>> sgdr = cosine_annealing(1.0, period=2, restart=True, period_mult=2)
        >>> [round(sgdr(step), 3) for step in range(7)]
        [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0]
    """
    if require_whole("period_mult", period_mult, minimum=1) != 1 and not restart:
        raise ValueError(
            f"period_mult={period_mult} only applies between restarts; pass restart=True "
            "or leave period_mult at 1"
        )
    return CosineAnnealing(
        base_value=require_real("base_value", base_value),
        period=require_whole("period", period, minimum=1),
        min_value=require_real("min_value", min_value),
        warmup_steps=require_whole("warmup_steps", warmup_steps, minimum=0),
        warmup_start_value=require_real("warmup_start_value", warmup_start_value),
        restart=bool(restart),
        period_mult=period_mult,
    )
