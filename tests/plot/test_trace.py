"""The trace of a real run holds exactly the events scan yields, and the listeners that fired."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from foldloop import (
    EpochCompleted,
    Event,
    IterationCompleted,
    Loop,
    Started,
    every,
    on,
    once,
    where,
)
from foldloop.plot import record, trace_of


def _loop() -> Loop[int, int]:
    return Loop(lambda state, batch: state.replace(value=state.value + batch))


def test_the_trace_is_the_scan() -> None:
    loop = _loop()
    trace = record(loop, 0, [1, 2, 3], max_epochs=2)
    scanned = list(loop.scan(0, [1, 2, 3], max_epochs=2))
    assert trace.kinds() == tuple(type(event) for event, _ in scanned)
    assert [(e.count, e.epoch, e.iteration) for e in trace.events] == [
        (state.count(type(event)), state.epoch, state.iteration) for event, state in scanned
    ]


def test_a_listener_fires_where_its_filter_passes() -> None:
    loop = _loop()
    loop.attach(on(IterationCompleted, every(2)), lambda state: state)
    loop.tap(on(EpochCompleted, once(2)), lambda: None)
    trace = record(loop, 0, [1, 2, 3, 4], max_epochs=2)
    fired = {
        i: [(e.kind, e.iteration) for e in trace.events if i in e.fired]
        for i in range(len(trace.listeners))
    }
    assert fired[0] == [(IterationCompleted, n) for n in (2, 4, 6, 8)]
    assert fired[1] == [(EpochCompleted, 8)]


def test_a_handler_that_counts_agrees_with_the_trace() -> None:
    """The trace says a handler fired exactly where the handler itself saw itself called."""
    loop = _loop()
    loop.attach(on(IterationCompleted, every(3)) | on(Started), lambda state: state)
    seen: list[tuple[type[Event], int]] = []
    loop.tap(
        on(IterationCompleted, every(3)) | on(Started),
        lambda state, event: seen.append((type(event), state.iteration)),
    )
    trace = record(loop, 0, [1, 2], max_epochs=5)
    marks = [(e.kind, e.iteration) for e in trace.events if 0 in e.fired]
    assert marks == seen == [(Started, 0), *((IterationCompleted, n) for n in (3, 6, 9))]
    assert all(e.fired in ((), (0, 1)) for e in trace.events)


def test_where_filters_see_the_state() -> None:
    loop = _loop()
    loop.tap(on(IterationCompleted, where(lambda s, e: s.value % 2 == 0)), lambda: None)
    trace = trace_of(loop.scan(0, [1, 1, 1, 1]), loop.attachments())
    assert [e.iteration for e in trace.events if e.fired] == [2, 4]


def test_custom_events_are_traced() -> None:
    class Checked(Event):
        pass

    loop = _loop()
    loop.attach(IterationCompleted, lambda state: state.emit(Checked()))
    trace = record(loop, 0, [1, 2, 3])
    assert Counter(trace.kinds())[Checked] == 3


def test_only_foldloop_plot_imports_matplotlib() -> None:
    code = (
        "import sys, foldloop, foldloop.core, foldloop.data, foldloop.io, foldloop.metrics, "
        "foldloop.train, foldloop.tree; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
