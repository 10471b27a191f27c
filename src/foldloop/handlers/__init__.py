"""Built-in handlers: transitions (pure, their memory in slots of the state) and taps
(checkpoints, progress bar, loggers, profiler: IO that only looks at the state).

Each module does one job; this file only re-exports the public names. See ``docs/handlers.md``.
"""

from ._checkpoints import Checkpoints as Checkpoints
from ._csv import Csv as Csv
from ._early_stopping import EarlyStopping as EarlyStopping
from ._handles import Handles as Handles
from ._jsonl import JsonLines as JsonLines
from ._nonfinite import NonFiniteWarning as NonFiniteWarning
from ._nonfinite import TerminateOnNonFinite as TerminateOnNonFinite
from ._plateau import ReduceLROnPlateau as ReduceLROnPlateau
from ._profiler import Profiler as Profiler
from ._progress import ProgressBar as ProgressBar
from ._scores import Score as Score
from ._tensorboard import TensorBoard as TensorBoard
from ._time_limit import TimeLimit as TimeLimit
from ._timings import Timing as Timing
from ._values import Values as Values
