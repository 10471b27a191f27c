"""Reading ``(y_pred, y)`` out of a step output, and the checks shared by every metric."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs
import torch
from torch import Tensor

PredTarget: TypeAlias = tuple[Tensor, Tensor] | Mapping[str, object]
"""What a prediction metric reads: a ``(y_pred, y)`` pair or a mapping with those two keys."""

Scalar: TypeAlias = Tensor | float
"""A single number: a Python number or a one-element tensor."""


def pred_target(output: object, owner: str) -> tuple[Tensor, Tensor]:
    """``(y_pred, y)`` out of a pair or a mapping, detached from any autograd graph."""
    if output.__class__ is tuple and len(output) == 2:  # the usual pair, checked first
        pair: tuple[object, ...] = output
        y_pred, y = pair
        if (  # plain tensors without a graph (an evaluation step's): nothing to check or detach
            y_pred.__class__ is Tensor
            and y.__class__ is Tensor
            and not (y_pred.requires_grad or y.requires_grad)
        ):
            return y_pred, y
    elif isinstance(output, Mapping):
        missing = [key for key in ("y_pred", "y") if key not in output]
        if missing:
            raise TypeError(
                f"{owner} reads the keys 'y_pred' and 'y' of a mapping output, but {missing} "
                f"are missing (keys: {sorted(map(str, output))}); pick them out with "
                "metric.with_output_transform(lambda out: (out[...], out[...]))."
            )
        pair = (output["y_pred"], output["y"])
    elif isinstance(output, tuple | list) and len(output) == 2:
        pair = tuple(output)
    else:
        raise TypeError(
            f"{owner} expects a (y_pred, y) pair or a mapping with keys 'y_pred' and 'y', "
            f"got {type(output).__name__}; adapt the step output with "
            "metric.with_output_transform(...)."
        )
    return _tensor(pair[0], "y_pred", owner), _tensor(pair[1], "y", owner)


def _tensor(value: object, name: str, owner: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{owner}: {name} must be a torch.Tensor, got {type(value).__name__}.")
    return value.detach() if value.requires_grad else value  # (no graph: nothing to detach)


def scalar(value: object, owner: str) -> Tensor:
    """A number or one-element tensor as a detached 0-d float64 tensor."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"{owner} expects a single number but got a tensor of shape "
                f"{tuple(value.shape)}; reduce it to one value first (e.g. with .mean())."
            )
        return value.detach().reshape(()).to(torch.float64)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return torch.tensor(float(value), dtype=torch.float64)
    raise TypeError(f"{owner} expects a number or a tensor, got {type(value).__name__}.")


def same_shape(y_pred: Tensor, y: Tensor, owner: str) -> None:
    """Refuse ``y_pred`` and ``y`` of different shapes (no silent broadcasting)."""
    if y_pred.shape != y.shape:
        raise ValueError(
            f"{owner} needs y_pred and y of the same shape, got y_pred {tuple(y_pred.shape)} "
            f"and y {tuple(y.shape)}; reshape one of them (e.g. y_pred.squeeze(-1))."
        )


def zero_one(values: Tensor, name: str, owner: str) -> Tensor:
    """``values`` as booleans, refusing anything but 0 and 1."""
    bad = (values != 0) & (values != 1)
    if bool(bad.any()):
        raise ValueError(
            f"{owner}: {name} must hold only 0 and 1 here, but it holds "
            f"{values[bad].flatten()[0].item()}; threshold scores first "
            "(e.g. (y_pred > 0.5).long()) or pass class scores of shape (N, C, ...)."
        )
    return values != 0


def labels_in_range(y: Tensor, num_classes: int, name: str, owner: str) -> Tensor:
    """Integer class labels ``y`` as int64, refusing labels outside ``0 .. num_classes - 1``."""
    integer_labels(y, name, owner)
    return labels_within(y, num_classes, name, owner)


def integer_labels(y: Tensor, name: str, owner: str) -> None:
    """Refuse labels ``y`` of a dtype that holds no integer labels (a check of the dtype only)."""
    dtype = y.dtype
    if dtype is not torch.int64 and (
        dtype.is_floating_point or dtype.is_complex or dtype == torch.bool
    ):
        raise TypeError(
            f"{owner}: {name} must hold integer class labels, got dtype {dtype}; "
            f"convert it with {name}.long()."
        )


def labels_within(y: Tensor, num_classes: int, name: str, owner: str) -> Tensor:
    """Integer labels ``y`` (dtype already checked) as int64, refusing labels outside
    ``0 .. num_classes - 1`` (a check of the values: it runs on every batch)."""
    if y.numel() > 0:
        require_within(*_bounds(y), num_classes, name, owner)
    return y if y.dtype is torch.int64 else y.to(torch.int64)


def require_within(low: int, high: int, num_classes: int, name: str, owner: str) -> None:
    """Refuse labels whose smallest ``low`` or largest ``high`` is outside the classes.

    Example:
        >>> require_within(0, 2, 3, "y", "Accuracy")
        >>> require_within(0, 3, 3, "y", "Accuracy")
        Traceback (most recent call last):
        ...
        ValueError: Accuracy: y holds the label 3, outside the 3 classes 0..2; ...
    """
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"{owner}: {name} holds the label {bad}, outside the {num_classes} classes "
            f"0..{num_classes - 1}; check the labels or the number of classes."
        )


_READ_ON_HOST_UP_TO = 256
"""Up to this many labels, their bounds are read on the host (one copy, no reduction kernel)."""


def _bounds(labels: Tensor) -> tuple[int, int]:
    """The smallest and the largest of the (non-empty, integer) ``labels``.

    A batch's few labels cost less to copy to Python than a reduction and two ``.item()``s;
    many labels are reduced in one ``aminmax``. Either way it reads the device once.
    """
    if labels.ndim == 1 and labels.shape[0] <= _READ_ON_HOST_UP_TO:
        values: list[int] = labels.tolist()
        return min(values), max(values)
    low, high = torch.aminmax(labels)
    return int(low), int(high)


def host_labels(y: Tensor) -> list[int] | None:
    """The labels of a small 1-d tensor ``y`` in main memory as Python ints; else ``None``.

    A batch's few labels cost less to copy to Python than tensor operations on them, and
    reading main memory waits on no device; the labels of a device are never read here.

    Example:
        >>> import torch
        >>> host_labels(torch.tensor([2, 0])), host_labels(torch.zeros(2, 2, dtype=torch.long))
        ([2, 0], None)
    """
    if y.is_cpu and y.ndim == 1 and y.shape[0] <= _READ_ON_HOST_UP_TO:
        values: list[int] = y.tolist()
        return values
    return None


def one_of(*options: object) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator refusing a value not among ``options``, naming class and field.

    (Any: the validator serves fields of any type; it only compares values.)
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not any(value is option or value == option for option in options):
            raise ValueError(
                f"{type(instance).__name__}: {attribute.name} must be one of "
                f"{', '.join(map(repr, options))}; got {value!r}."
            )

    return check


def at_least(low: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    """An attrs validator refusing an integer below ``low``, naming class and field."""

    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"{type(instance).__name__}: {attribute.name} must be a whole number >= {low}; "
                f"got {type(value).__name__} {value!r}."
            )
        if value < low:
            raise ValueError(
                f"{type(instance).__name__}: {attribute.name} must be at least {low}; got {value}."
            )

    return check
