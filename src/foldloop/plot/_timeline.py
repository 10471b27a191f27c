"""The event timeline of a run: one row per event kind and per listener, a mark where each
fired, epochs shaded; the picture of ``timeline_layout``."""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes

from foldloop.core import IterationCompleted

from ._figure import new_figure, save_png
from ._layout import Layout, timeline_layout
from ._trace import Trace

_EVENT_COLOUR = "tab:blue"
_HANDLER_COLOUR = "tab:orange"
_TAP_COLOUR = "tab:green"


def timeline(trace: Trace, path: str | Path, *, title: str = "events and handlers") -> Path:
    """Draw the timeline of ``trace`` into the PNG file ``path`` and return the path.

    The x axis is the events in the order they fired, labelled with the iteration at each
    ``IterationCompleted``; one row per event kind (in the loop's order) with a mark at each
    of its events, then one row per handler (orange) and tap (green) with a mark at each event
    where it fired; each epoch is a shaded band.

    Example:
        >>> import tempfile
        >>> from foldloop import IterationCompleted, Loop, every, on
        >>> from foldloop.plot import record
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> _ = loop.attach(on(IterationCompleted, every(2)), lambda state: state)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     png = timeline(record(loop, 0, [1, 2, 3], max_epochs=2), Path(folder) / "t.png")
        ...     png.stat().st_size > 10_000
        True
    """
    layout = timeline_layout(trace)
    rows = max(len(layout.rows), 1)
    labels = max((len(row.label) for row in layout.rows), default=0)
    figure = new_figure(max(8.0, 0.12 * layout.length + 0.09 * labels + 2.0), 1.4 + 0.32 * rows)
    axes = figure.add_subplot()
    _draw(axes, layout, trace)
    axes.set_title(title)
    return save_png(figure, path)


def _draw(axes: Axes, layout: Layout, trace: Trace) -> None:
    for span in layout.epochs:
        axes.axvspan(span.first - 0.5, span.last + 0.5, color="0.92" if span.epoch % 2 else "0.85")
        axes.text((span.first + span.last) / 2, -0.9, f"epoch {span.epoch}", ha="center")
    for y, row in enumerate(layout.rows):
        colour = _EVENT_COLOUR
        if row.listener is not None:
            colour = _TAP_COLOUR if trace.listeners[row.listener].is_tap else _HANDLER_COLOUR
        marker = "|" if row.listener is None else "o"
        axes.scatter(row.at, [y] * len(row.at), s=60, color=colour, marker=marker, linewidths=2)
    axes.set_yticks(range(len(layout.rows)), [row.label for row in layout.rows])
    axes.set_ylim(len(layout.rows) - 0.5, -1.4)
    ticks = [p for p, e in enumerate(trace.events) if e.kind is IterationCompleted]
    axes.set_xticks(ticks, [str(trace.events[p].iteration) for p in ticks])
    axes.set_xlim(-1, max(layout.length, 1))
    axes.set_xlabel(
        "events in the order they fired; ticks: the iteration at its IterationCompleted"
    )
