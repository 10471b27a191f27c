"""``Profiler``: where a run's time goes: waiting for data, the step, each handler and tap.

Ignite's ``BasicTimeProfiler`` and ``HandlersTimeProfiler`` in one tap set. Nothing in the
loop's hot path knows about it: :meth:`Profiler.attach` wraps the loop's current attachments
with timers (in place, see ``foldloop.core._instrument``) and taps the four iteration events
for timestamps; removing its handles puts every original call back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Never, TypeVar

from foldloop.core import (
    Event,
    GetBatchCompleted,
    GetBatchStarted,
    IterationCompleted,
    IterationStarted,
    Loop,
)
from foldloop.core._callables import Call
from foldloop.core._instrument import instrument
from foldloop.core._registry import Attachment

from ._handles import Handles, Restore
from ._timings import Timing, table

T = TypeVar("T")


class Profiler:
    """Time spent waiting for data, in the step, and in each handler and tap, per event kind.

    Attach it after the handlers and taps it should time (later ones are not timed). Data time
    runs from the end of ``GetBatchStarted``'s listeners to ``GetBatchCompleted``'s, step time
    from ``IterationStarted``'s to ``IterationCompleted``'s, each less the timed listeners in
    between. ``clock`` is read at each timed call (``time.perf_counter`` by default).

    Example:
        >>> from foldloop import IterationCompleted, Loop
        >>> loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
        >>> _ = loop.tap(IterationCompleted, lambda: None)
        >>> profiler = Profiler()
        >>> with profiler.attach(loop):
        ...     _ = loop.run(0, [1, 2, 3])
        >>> profiler.results()["loop"]["step"].count, sorted(profiler.results()["events"])
        (3, ['IterationCompleted'])
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        # The sums as they grow, by name; results() makes Timings of them.
        self._loop = {"data": _Sum(), "step": _Sum()}
        self._events: dict[str, _Sum] = {}
        self._listeners: dict[str, _Sum] = {}
        self._in_listeners = 0.0  # seconds in timed listeners so far
        self._marks: dict[str, tuple[float, float]] = {}  # phase -> (clock, _in_listeners)

    def attach(self, loop: Loop[T, Never]) -> Handles:
        """Time ``loop``'s attachments and iterations; the handles undo it all.

        Example:
            >>> from foldloop import Loop, Started
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> _ = loop.tap(Started, print)
            >>> Profiler().attach(loop).remove()
            >>> loop.has(print)
            True
        """
        restore = instrument(loop, self._timed)
        (start_data, stop_data), (start_step, stop_step) = self._phase("data"), self._phase("step")
        return Handles(
            [
                Restore(restore),
                loop.tap(GetBatchStarted, start_data),
                loop.tap(GetBatchCompleted, stop_data),
                loop.tap(IterationStarted, start_step),
                loop.tap(IterationCompleted, stop_step),
            ]
        )

    def results(self) -> dict[str, dict[str, Timing]]:
        """``{"loop": {"data", "step"}, "events": {kind}, "listeners": {"kind: name"}}``.

        Example:
            >>> Profiler().results()["loop"]
            {'data': Timing(total=0.0, count=0), 'step': Timing(total=0.0, count=0)}
        """
        return {
            section: {name: Timing(row.total, row.count) for name, row in rows.items()}
            for section, rows in (
                ("loop", self._loop),
                ("events", self._events),
                ("listeners", self._listeners),
            )
        }

    def as_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        """:meth:`results` as plain numbers (``total`` and ``mean`` seconds, ``count``).

        Example:
            >>> Profiler().as_dict()["loop"]["step"]
            {'total': 0.0, 'count': 0.0, 'mean': 0.0}
        """
        return {
            section: {
                name: {"total": t.total, "count": float(t.count), "mean": t.mean}
                for name, t in rows.items()
            }
            for section, rows in self.results().items()
        }

    def table(self) -> str:
        """:meth:`results` as a text table (seconds in total, count, milliseconds each).

        Example:
            >>> print(Profiler().table())
            loop           total s  count   mean ms
              data           0.000      0     0.000
              step           0.000      0     0.000
            events         total s  count   mean ms
            listeners      total s  count   mean ms
        """
        return table(self.results())

    def _timed(self, attachment: Attachment) -> Call:
        call, what, clock = attachment.call, "tap" if attachment.is_tap else "handler", self.clock
        rows: dict[type[Event], tuple[_Sum, _Sum]] = {}  # by event kind: its two rows

        def timed(state: Any, event: Event) -> Any:  # Any: the loop's own call shape (Call)
            start = clock()
            try:
                return call(state, event)
            finally:
                seconds = clock() - start
                self._in_listeners += seconds
                kind = type(event)
                event_row, listener_row = rows.get(kind) or rows.setdefault(
                    kind, self._rows(kind.__name__, f"{what} {attachment.name}")
                )
                event_row.add(seconds)
                listener_row.add(seconds)

        return timed

    def _rows(self, kind: str, listener: str) -> tuple[_Sum, _Sum]:
        """The rows of event ``kind`` and of ``listener`` on it."""
        listener_row = self._listeners.setdefault(f"{kind}: {listener}", _Sum())
        return self._events.setdefault(kind, _Sum()), listener_row

    def _phase(self, phase: str) -> tuple[Call, Call]:
        """The taps that open and close ``phase`` (``data`` or ``step``): the time between
        them, less the timed listeners that ran in between, adds to the phase's row."""
        clock, row = self.clock, self._loop[phase]

        def start(state: object, event: object) -> None:
            self._marks[phase] = (clock(), self._in_listeners)

        def stop(state: object, event: object) -> None:
            mark = self._marks.pop(phase, None)
            if mark is not None:  # (None: a run continued from a state inside this phase)
                started, listeners_then = mark
                row.add(clock() - started - (self._in_listeners - listeners_then))

        return start, stop


class _Sum:
    """Seconds and occurrences as they add up, in place (a frozen Timing built per call cost
    ~1 us)."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0

    def add(self, seconds: float) -> None:
        self.total += seconds
        self.count += 1
