"""Stop the run once a time limit has passed, the decision recorded in the state."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from foldloop.core import Slot, State

from ._checks import require_number

U = TypeVar("U")


class TimeLimit:
    """A transition that terminates the run once ``limit`` seconds have passed.

    What the limit measures: the time between the transition's first firing in the run's
    history and the current firing, by ``clock``. The first reading is kept in the slot
    ``started``, so a run resumed from a checkpoint counts from the same first reading.
    With the default clock, ``time.time`` (a wall clock whose readings mean the same in every
    process), that includes the time the run was stopped; ``time.monotonic`` is only
    comparable within one process, so use it only for runs that are never resumed elsewhere.
    Attach it on ``Started`` too to start counting before the first iteration.

    The decision is in the state: ``stopped`` holds ``(iteration, elapsed seconds)`` once the
    limit was reached, after which the transition does nothing, so a resumed or continued
    run never decides again.

    Args:
        limit: seconds (> 0, finite).
        clock: the clock to read, in seconds (inject a fake one in tests).
        name: the slots' prefix.

    Raises:
        ValueError: ``limit`` is not a finite number > 0.

    Example:
        >>> from foldloop import IterationCompleted, Loop
        >>> readings = iter([100.0, 101.0, 103.0, 106.0])
        >>> limit = TimeLimit(2.5, clock=lambda: next(readings))
        >>> loop: Loop[None, int] = Loop(lambda s, b: s)
        >>> _ = loop.attach(IterationCompleted, limit)
        >>> final = loop.run(None, range(10))
        >>> final.iteration, final.terminated, final.get(limit.stopped)
        (3, True, (3, 3.0))
    """

    def __init__(
        self, limit: float, *, clock: Callable[[], float] = time.time, name: str = "time_limit"
    ) -> None:
        self.limit = require_number("TimeLimit", "limit", limit, low=0.0, high=math.inf)
        if not 0 < self.limit < math.inf:
            raise ValueError(f"TimeLimit: limit must be a finite number > 0 seconds, got {limit}")
        if not callable(clock):
            raise TypeError(f"TimeLimit: clock must be a function () -> seconds, got {clock!r}")
        self.clock = clock
        self.started: Slot[float | None] = Slot(f"{name}/started", None)
        self.stopped: Slot[tuple[int, float] | None] = Slot(f"{name}/stopped", None)

    def __repr__(self) -> str:
        return f"TimeLimit({self.limit})"

    def __call__(self, state: State[U]) -> State[U]:
        """The state, terminated with ``stopped`` set once the limit has passed.

        Example:
            >>> from foldloop.testing import make_state
            >>> limit = TimeLimit(60.0, clock=lambda: 1000.0)
            >>> state = make_state(None, iteration=7, slots={limit.started: 900.0})
            >>> after = limit(state)
            >>> after.get(limit.stopped), after.terminate_requested
            ((7, 100.0), True)
        """
        if state.get(self.stopped) is not None:
            return state
        now = float(self.clock())
        started = state.get(self.started)
        if started is None:
            return state.put(self.started, now)
        elapsed = now - started
        if elapsed <= self.limit:
            return state
        return state.put(self.stopped, (state.iteration, elapsed)).terminate()
