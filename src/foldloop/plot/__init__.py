"""Pictures of runs: the event timeline of a run's trace, and training curves from a log.

Needs matplotlib (``pip install foldloop[plot]``); drawn with its Agg backend into PNG files,
without a display. Nothing else in foldloop imports this package.
"""

from ._curves import curves as curves
from ._layout import Layout as Layout
from ._layout import Row as Row
from ._layout import Span as Span
from ._layout import timeline_layout as timeline_layout
from ._log import LogError as LogError
from ._log import LogRecord as LogRecord
from ._log import read_log as read_log
from ._series import Panel as Panel
from ._series import Series as Series
from ._series import panels as panels
from ._timeline import timeline as timeline
from ._trace import Trace as Trace
from ._trace import TracedEvent as TracedEvent
from ._trace import record as record
from ._trace import trace_of as trace_of

__all__ = [
    "Layout",
    "LogError",
    "LogRecord",
    "Panel",
    "Row",
    "Series",
    "Span",
    "Trace",
    "TracedEvent",
    "curves",
    "panels",
    "read_log",
    "record",
    "timeline",
    "timeline_layout",
    "trace_of",
]
