"""Helpers for comparing metrics with scikit-learn and Ignite on the same batches."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import torch
from numpy.typing import NDArray

from foldloop.metrics import Metric, NoDataError

from .compare import assert_same_value
from .strategies import Pair

with warnings.catch_warnings():
    # Importing Ignite 0.5.5 under torch 2.13 warns that torch.jit.script is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    import ignite.metrics as ignite_metrics
    from ignite.metrics.regression.r2_score import R2Score as IgniteR2Score

__all__ = ["IgniteR2Score", "ignite_metrics"]


def concat(batches: Sequence[Pair]) -> Pair:
    """All batches as one ``(y_pred, y)`` pair."""
    return torch.cat([b[0] for b in batches]), torch.cat([b[1] for b in batches])


def samples(batches: Sequence[Pair]) -> int:
    """The number of samples in ``batches``."""
    return sum(b[1].shape[0] for b in batches)


def numpy(tensor: torch.Tensor) -> NDArray[Any]:
    """A tensor as a numpy array (Any: scikit-learn takes arrays of any dtype)."""
    return tensor.numpy()


def labels_of(y_pred: torch.Tensor, y: torch.Tensor) -> NDArray[Any]:
    """Predicted labels: the arg-max of scores, or ``y_pred`` itself when shaped like ``y``."""
    return numpy(y_pred if y_pred.shape == y.shape else y_pred.argmax(dim=1))


def check_against(
    metric: Metric[Pair, Any, Any], batches: Sequence[Pair], expected: object
) -> None:
    """``metric`` folded over ``batches`` computes ``expected`` (a number, tensor or array)."""
    if isinstance(expected, np.ndarray):
        expected = torch.from_numpy(expected)
    if isinstance(expected, np.floating | np.integer):
        expected = float(expected)
    value = metric.compute(metric.fold(batches))
    if isinstance(expected, torch.Tensor) and isinstance(value, torch.Tensor):
        expected = expected.to(value.dtype)
    assert_same_value(value, expected)


def check_no_data(metric: Metric[Pair, Any, Any], batches: Sequence[Pair]) -> None:
    """Without samples, ``compute`` raises ``NoDataError``."""
    with pytest.raises(NoDataError):
        metric.compute(metric.fold(batches))


def run_ignite(metric: Any, outputs: Sequence[object]) -> Any:
    """Ignite's value for ``outputs`` (Any: Ignite's metrics are untyped)."""
    metric.reset()
    for output in outputs:
        metric.update(output)
    return metric.compute()
