"""Testing helpers for foldloop users: strategies, the reference model, state factories.

Needs ``hypothesis`` (installed with the ``dev`` extra) for the strategies.
"""

from ._drive import ShapeFailure as ShapeFailure
from ._drive import run_shape as run_shape
from ._drive import scan_shape as scan_shape
from ._drive import shape_data as shape_data
from ._drive import shape_loop as shape_loop
from ._factories import make_state as make_state
from ._reference import Outcome as Outcome
from ._reference import reference_outcome as reference_outcome
from ._shapes import Request as Request
from ._shapes import RunShape as RunShape
from ._strategies import BUILT_IN_KINDS as BUILT_IN_KINDS
from ._strategies import event_kinds as event_kinds
from ._strategies import filters as filters
from ._strategies import requests as requests
from ._strategies import run_shapes as run_shapes
from ._strategies import states as states

__all__ = [
    "BUILT_IN_KINDS",
    "Outcome",
    "Request",
    "RunShape",
    "ShapeFailure",
    "event_kinds",
    "filters",
    "make_state",
    "reference_outcome",
    "requests",
    "run_shape",
    "run_shapes",
    "scan_shape",
    "shape_data",
    "shape_loop",
    "states",
]
