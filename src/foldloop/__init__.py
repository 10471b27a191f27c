"""foldloop: a typed, functional training loop for PyTorch. A run is a left fold.

The loop turns data into a stream of typed events; pure handlers fold each event into an
immutable state; taps do the IO. See ``docs/concepts.md``.
"""

from foldloop.core import *  # noqa: F403  (the core's names are foldloop's names)
from foldloop.core import __all__ as __all__
