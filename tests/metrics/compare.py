"""Comparing metric values in tests: numbers, tensors, dicts of them, or ``NoDataError``.

The laws themselves are checked by ``foldloop.testing.check_metric_laws`` (``test_laws.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor

TOLERANCE = 1e-9


def assert_same_value(left: object, right: object, tolerance: float = TOLERANCE) -> None:
    """Two values (numbers, tensors, dicts of them, or ``NoDataError``) agree."""
    if isinstance(left, Tensor) and isinstance(right, Tensor):
        torch.testing.assert_close(left, right, rtol=tolerance, atol=tolerance, equal_nan=True)
    elif isinstance(left, Mapping) and isinstance(right, Mapping):
        assert left.keys() == right.keys()
        for key in left:
            assert_same_value(left[key], right[key], tolerance)
    elif isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance), (left, right)
    else:
        assert left == right, (left, right)
