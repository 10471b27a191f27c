"""Where a state stands: the last built-in step its run took, and where a new run picks up.

A state records its stage so that ``run``/``scan`` on it continue exactly where it stopped,
and, once its run ended, its position (the stage inside the epoch structure where the run
stopped) so that a new run after ``terminate()`` picks up there, mid-epoch included.
Plain ints (not an Enum): the loop compares them on its hot path.
"""

from typing import Final

IDLE: Final = 0  # a fresh state: no run yet
BOUNDARY: Final = 0  # as a position: between two epochs
STARTED: Final = 1
EPOCH_STARTED: Final = 2
GET_BATCH_STARTED: Final = 3
GET_BATCH_COMPLETED: Final = 4
ITERATION_STARTED: Final = 5
STEPPED: Final = 6  # the step ran; IterationCompleted has not fired yet
ITERATION_COMPLETED: Final = 7
DATA_EXHAUSTED: Final = 8
EPOCH_TERMINATED: Final = 9
EPOCH_COMPLETED: Final = 10
TERMINATED: Final = 11
COMPLETED: Final = 12  # the run ended; the position says where a new run picks up

# Bits of a state's stop requests.
STOP_EPOCH: Final = 1
STOP_RUN: Final = 2
