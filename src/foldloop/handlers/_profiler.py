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
from ._timings import NONE, Timing, table

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
        self.loop: dict[str, Timing] = {"data": NONE, "step": NONE}
        self.events: dict[str, Timing] = {}
        self.listeners: dict[str, Timing] = {}
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
        return Handles(
            [
                Restore(restore),
                loop.tap(GetBatchStarted, self._start, "data"),
                loop.tap(GetBatchCompleted, self._stop, "data"),
                loop.tap(IterationStarted, self._start, "step"),
                loop.tap(IterationCompleted, self._stop, "step"),
            ]
        )

    def results(self) -> dict[str, dict[str, Timing]]:
        """``{"loop": {"data", "step"}, "events": {kind}, "listeners": {"kind: name"}}``.

        Example:
            >>> Profiler().results()["loop"]
            {'data': Timing(total=0.0, count=0), 'step': Timing(total=0.0, count=0)}
        """
        return {
            "loop": dict(self.loop),
            "events": dict(self.events),
            "listeners": dict(self.listeners),
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
        call, what = attachment.call, "tap" if attachment.is_tap else "handler"
        clock = self.clock

        def timed(state: Any, event: Event) -> Any:  # Any: the loop's own call shape (Call)
            start = clock()
            try:
                return call(state, event)
            finally:
                self._add(type(event).__name__, f"{what} {attachment.name}", clock() - start)

        return timed

    def _add(self, kind: str, listener: str, seconds: float) -> None:
        self._in_listeners += seconds
        self.events[kind] = self.events.get(kind, NONE).plus(seconds)
        key = f"{kind}: {listener}"
        self.listeners[key] = self.listeners.get(key, NONE).plus(seconds)

    def _start(self, phase: str) -> None:
        self._marks[phase] = (self.clock(), self._in_listeners)

    def _stop(self, phase: str) -> None:
        mark = self._marks.pop(phase, None)
        if mark is None:  # a run continued from a state inside this phase
            return
        started, listeners_then = mark
        seconds = self.clock() - started - (self._in_listeners - listeners_then)
        self.loop[phase] = self.loop[phase].plus(seconds)
