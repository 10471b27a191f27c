"""The run-shape harness: run configurations as values, a loop and data built from them, and
the reference model that predicts their event streams and what their handlers record.

``test_order.py`` checks the loop against the model; ``test_laws.py`` and
``test_ignite_oracle.py`` drive the loop (and Ignite) with the same shapes.
"""

from .drive import ShapeFailure as ShapeFailure
from .drive import run_shape as run_shape
from .drive import scan_shape as scan_shape
from .drive import shape_data as shape_data
from .drive import shape_loop as shape_loop
from .drive import to_filter as to_filter
from .expr import Atom as Atom
from .expr import Expr as Expr
from .expr import exprs as exprs
from .expr import holds as holds
from .reference import Outcome as Outcome
from .reference import reference_outcome as reference_outcome
from .shapes import Action as Action
from .shapes import Request as Request
from .shapes import RunShape as RunShape
from .shapes import Trace as Trace
from .strategies import REQUEST_KINDS as REQUEST_KINDS
from .strategies import failing_shapes as failing_shapes
from .strategies import requests as requests
from .strategies import run_shapes as run_shapes
