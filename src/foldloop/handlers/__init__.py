"""Built-in handlers (transitions) and taps (progress bar, loggers, profiler).

Each module does one job; this file only re-exports the public names.
"""

from ._csv import Csv as Csv
from ._handles import Handles as Handles
from ._jsonl import JsonLines as JsonLines
from ._profiler import Profiler as Profiler
from ._progress import ProgressBar as ProgressBar
from ._tensorboard import TensorBoard as TensorBoard
from ._timings import Timing as Timing
from ._values import Values as Values
