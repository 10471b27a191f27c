"""Built-in handlers: transitions (pure, their memory in slots of the state) and taps.

See ``docs/handlers.md``.
"""

from ._early_stopping import EarlyStopping as EarlyStopping
from ._nonfinite import NonFiniteWarning as NonFiniteWarning
from ._nonfinite import TerminateOnNonFinite as TerminateOnNonFinite
from ._plateau import ReduceLROnPlateau as ReduceLROnPlateau
from ._scores import Score as Score
from ._time_limit import TimeLimit as TimeLimit
