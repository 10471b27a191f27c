"""Classification input: binary, multiclass and multilabel, told apart by shape as in Ignite.

Every kind is decoded to a pair of boolean indicator matrices of shape ``(M, C)`` (one row per
sample and position, one column per class or label), which is all that accuracy, precision and
recall need.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch
from torch import Tensor

from ._inputs import labels_in_range, zero_one

Mode: TypeAlias = Literal["binary", "multiclass", "multilabel"]
"""How classification input is read; ``None`` in a metric's ``mode`` infers it from shapes."""

MODES: tuple[Mode | None, ...] = (None, "binary", "multiclass", "multilabel")

_SHAPES = (
    "binary: y_pred and y of the same shape (N, ...) holding 0/1; "
    "multiclass: y_pred (N, C, ...) class scores and y (N, ...) integer labels; "
    "multilabel: y_pred and y of the same shape (N, C, ...) holding 0/1, with mode='multilabel'"
)


def infer_mode(y_pred: Tensor, y: Tensor, mode: Mode | None, owner: str) -> Mode:
    """The mode to read ``(y_pred, y)`` with: ``mode`` itself after checking shapes, or inferred.

    Shapes alone never say "multilabel" (a same-shaped pair is read as binary), so multilabel
    input needs ``mode="multilabel"``, as Ignite needs ``is_multilabel=True``.
    """
    pred_shape, shape = y_pred.shape, y.shape  # (read once: each read builds a torch.Size)
    if mode is None:
        mode = "multiclass" if len(pred_shape) == len(shape) + 1 else "binary"
    if mode == "multiclass":
        _check_multiclass_shapes(pred_shape, shape, owner)
    else:
        _check_same_shapes(pred_shape, shape, mode, owner)
    return mode


def _check_multiclass_shapes(pred_shape: torch.Size, shape: torch.Size, owner: str) -> None:
    if len(pred_shape) == len(shape) + 1 and pred_shape[:1] + pred_shape[2:] == shape:
        return
    if pred_shape == shape:
        raise ValueError(
            f"{owner} reads multiclass input, but y_pred and y have the same shape "
            f"{tuple(shape)}, which is binary or multilabel input. Expected {_SHAPES}."
        )
    raise ValueError(
        f"{owner}: y_pred {tuple(pred_shape)} and y {tuple(shape)} do not agree. "
        f"Expected {_SHAPES}."
    )


def _check_same_shapes(pred_shape: torch.Size, shape: torch.Size, mode: Mode, owner: str) -> None:
    if pred_shape != shape:
        raise ValueError(
            f"{owner} reads {mode} input, which needs y_pred and y of the same shape, got "
            f"y_pred {tuple(pred_shape)} and y {tuple(shape)}. Expected {_SHAPES}."
        )
    if mode == "multilabel" and len(shape) < 2:
        raise ValueError(
            f"{owner} reads multilabel input, which needs shape (N, C, ...), got "
            f"{tuple(shape)}; for one label per sample use mode='binary'."
        )


def indicators(y_pred: Tensor, y: Tensor, mode: Mode, owner: str) -> tuple[Tensor, Tensor]:
    """Predicted and true ``(M, C)`` boolean indicators for input already checked by mode."""
    if mode == "multiclass":
        classes = y_pred.shape[1]
        truth = labels_in_range(y, classes, "y", owner).flatten()
        predicted = y_pred.argmax(dim=1).flatten()
        return _one_hot(predicted, classes), _one_hot(truth, classes)
    if mode == "binary":
        predicted = zero_one(y_pred, "binary y_pred", owner).flatten().long()
        truth = zero_one(y, "binary y", owner).flatten().long()
        return _one_hot(predicted, 2), _one_hot(truth, 2)
    return _rows(zero_one(y_pred, "multilabel y_pred", owner)), _rows(
        zero_one(y, "multilabel y", owner)
    )


def decode(y_pred: Tensor, y: Tensor, mode: Mode | None, owner: str) -> tuple[Tensor, Tensor]:
    """Infer or check the mode, then decode to ``(M, C)`` indicators."""
    return indicators(y_pred, y, infer_mode(y_pred, y, mode, owner), owner)


def _one_hot(labels: Tensor, classes: int) -> Tensor:
    return torch.nn.functional.one_hot(labels, classes).bool()


def _rows(values: Tensor) -> Tensor:
    """``(N, C, ...)`` as ``(N * ..., C)``: one row per sample and position."""
    return values.movedim(1, -1).reshape(-1, values.shape[1])
