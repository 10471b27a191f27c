"""foldloop's core: a run as a left fold of typed events into an immutable state.

Pure Python; never imports torch.
"""

from ._errors import DataWarning as DataWarning
from ._errors import FoldloopError as FoldloopError
from ._errors import HandlerReturnError as HandlerReturnError
from ._errors import RunError as RunError
from ._errors import RunInterrupted as RunInterrupted
from ._errors import TerminateEpochRefused as TerminateEpochRefused
from ._events import Completed as Completed
from ._events import DataExhausted as DataExhausted
from ._events import EpochCompleted as EpochCompleted
from ._events import EpochStarted as EpochStarted
from ._events import EpochTerminated as EpochTerminated
from ._events import Event as Event
from ._events import ExceptionRaised as ExceptionRaised
from ._events import GetBatchCompleted as GetBatchCompleted
from ._events import GetBatchStarted as GetBatchStarted
from ._events import Interrupted as Interrupted
from ._events import IterationCompleted as IterationCompleted
from ._events import IterationStarted as IterationStarted
from ._events import Started as Started
from ._events import Terminated as Terminated
from ._filters import Filter as Filter
from ._filters import after as after
from ._filters import always as always
from ._filters import before as before
from ._filters import every as every
from ._filters import never as never
from ._filters import once as once
from ._filters import where as where
from ._loop import Loop as Loop
from ._registry import Attached as Attached
from ._registry import Handle as Handle
from ._resumable import ResumableData as ResumableData
from ._slots import Slot as Slot
from ._state import State as State
from ._triggers import Trigger as Trigger
from ._triggers import on as on
from ._types import Handler as Handler
from ._types import Step as Step
from ._types import Tap as Tap

__all__ = [
    "Attached",
    "Completed",
    "DataExhausted",
    "DataWarning",
    "EpochCompleted",
    "EpochStarted",
    "EpochTerminated",
    "Event",
    "ExceptionRaised",
    "Filter",
    "FoldloopError",
    "GetBatchCompleted",
    "GetBatchStarted",
    "Handle",
    "Handler",
    "HandlerReturnError",
    "Interrupted",
    "IterationCompleted",
    "IterationStarted",
    "Loop",
    "ResumableData",
    "RunError",
    "RunInterrupted",
    "Slot",
    "Started",
    "State",
    "Step",
    "Tap",
    "TerminateEpochRefused",
    "Terminated",
    "Trigger",
    "after",
    "always",
    "before",
    "every",
    "never",
    "on",
    "once",
    "where",
]
