"""The timeline marks exactly the events of the trace, and its picture is written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from matplotlib.image import imread

from foldloop import (
    DataExhausted,
    EpochCompleted,
    EpochStarted,
    IterationCompleted,
    Loop,
    State,
    Terminated,
    every,
    on,
    once,
)
from foldloop.core._events import RUN_ORDER
from foldloop.plot import Span, Trace, record, timeline, timeline_layout


def _ignite_figure() -> Trace:
    """Ignite's "events and handlers" run: 2 epochs of 4 iterations, on every(2) and once."""
    loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))
    loop.attach(on(IterationCompleted, every(2)), lambda state: state)
    loop.tap(on(EpochCompleted, once(1)), lambda: None)
    return record(loop, 0, [1, 2, 3, 4], max_epochs=2)


def test_each_kind_row_marks_each_event_of_its_kind() -> None:
    trace = _ignite_figure()
    layout = timeline_layout(trace)
    kind_rows = [row for row in layout.rows if row.listener is None]
    # The loop's kinds in its order, then DataExhausted (the second epoch starts a new pass).
    expected = [*RUN_ORDER, DataExhausted]
    assert [row.label for row in kind_rows] == [kind.__name__ for kind in expected]
    counts = Counter(kind.__name__ for kind in trace.kinds())
    assert {row.label: len(row.at) for row in kind_rows} == counts
    for row in kind_rows:
        assert all(trace.events[p].kind.__name__ == row.label for p in row.at)
    assert sum(len(row.at) for row in kind_rows) == len(trace.events) == layout.length


def test_listener_rows_mark_where_they_fired() -> None:
    trace = _ignite_figure()
    every_2, once_1 = (row for row in timeline_layout(trace).rows if row.listener is not None)
    assert every_2.label == "handler <lambda> on(IterationCompleted, every(2))"
    assert [trace.events[p].iteration for p in every_2.at] == [2, 4, 6, 8]
    assert {trace.events[p].kind for p in every_2.at} == {IterationCompleted}
    assert [(trace.events[p].kind, trace.events[p].epoch) for p in once_1.at] == [
        (EpochCompleted, 1)
    ]


def test_epochs_span_from_their_start_to_their_completion() -> None:
    trace = _ignite_figure()
    kinds = trace.kinds()
    spans = timeline_layout(trace).epochs
    assert [span.epoch for span in spans] == [1, 2]
    for span in spans:
        assert kinds[span.first] is EpochStarted and kinds[span.last] is EpochCompleted
    assert spans[0].last < spans[1].first


def test_rare_kinds_get_rows_only_when_they_fired_and_a_cut_epoch_ends_at_its_last_event() -> None:
    loop: Loop[int, int] = Loop(lambda state, batch: state)

    def stop(state: State[int]) -> State[int]:
        return state.terminate()

    loop.attach(on(IterationCompleted, once(3)), stop)
    trace = record(loop, 0, [1, 2], max_epochs=3)
    labels = [row.label for row in timeline_layout(trace).rows]
    assert labels.index("Terminated") > labels.index("Completed")
    assert "DataExhausted" in labels and "EpochTerminated" not in labels
    (*_, cut) = timeline_layout(trace).epochs
    assert trace.kinds()[cut.last] is IterationCompleted
    assert trace.kinds()[cut.last + 1] is Terminated
    assert DataExhausted in trace.kinds()


def test_an_empty_trace_has_an_empty_layout() -> None:
    layout = timeline_layout(Trace((), ()))
    assert (layout.rows, layout.epochs, layout.length) == ((), (), 0)
    assert Span(1, 0, 0).epoch == 1


def test_the_timeline_is_a_png(tmp_path: Path) -> None:
    png = timeline(_ignite_figure(), tmp_path / "timeline.png")
    assert png == tmp_path / "timeline.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
    height, width, _ = imread(png).shape
    assert width >= 800 and height >= 400
