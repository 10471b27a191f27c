"""Comparing the values the law checkers see: pytrees of tensors, states, plain Python values.

Each function returns a sentence saying where two values first differ, or None when they
agree, so that a failing law can name both the law and the place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
import torch
from torch import Tensor

from foldloop.core import State
from foldloop.tree import tree_flatten


def _leaf_difference(left: object, right: object, tolerance: float) -> str | None:
    if isinstance(left, Tensor) and isinstance(right, Tensor):
        if left.shape != right.shape or left.dtype != right.dtype:
            return f"{left.dtype}{list(left.shape)} != {right.dtype}{list(right.shape)}"
        if left.dtype.is_floating_point or left.dtype.is_complex:
            close = torch.allclose(left, right, rtol=tolerance, atol=tolerance, equal_nan=True)
        else:
            close = torch.equal(left, right)
        return None if close else f"{left} != {right}"
    if isinstance(left, float) and isinstance(right, float):
        both_nan = math.isnan(left) and math.isnan(right)
        close = both_nan or math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)
        return None if close else f"{left!r} != {right!r}"
    return None if type(left) is type(right) and left == right else f"{left!r} != {right!r}"


def tree_difference(left: object, right: object, tolerance: float = 0.0) -> str | None:
    """Where two pytrees differ: their structure, or the first leaf that is not close.

    Tensors must have equal shapes and dtypes; floats (and float tensors) may differ by
    ``tolerance`` (relative and absolute), and NaN equals NaN.

    >>> tree_difference({"n": 1, "x": 0.5}, {"n": 1, "x": 0.75})
    'leaf 1: 0.5 != 0.75'
    """
    left_leaves, left_spec = tree_flatten(left)
    right_leaves, right_spec = tree_flatten(right)
    if left_spec != right_spec:
        return f"structure {left_spec} != {right_spec}"
    for i, (a, b) in enumerate(zip(left_leaves, right_leaves, strict=True)):
        found = _leaf_difference(a, b, tolerance)
        if found is not None:
            return f"leaf {i}: {found}"
    return None


def _pairs(pairs: list[tuple[str, object, object]]) -> str | None:
    """The first difference among ``(where, left, right)`` pairs."""
    for where, left, right in pairs:
        found = deep_difference(left, right, where)
        if found is not None:
            return found
    return None


def deep_difference(left: object, right: object, where: str = "") -> str | None:
    """Where two values differ, looking inside attrs classes, mappings, lists and tuples.

    >>> deep_difference({"a": [1, 2]}, {"a": [1, 3]}, "value")
    "value['a'][1]: 2 != 3"
    """
    if type(left) is not type(right):
        return f"{where}: {type(left).__name__} != {type(right).__name__}"
    cls = type(left)
    if isinstance(left, State) and isinstance(right, State):  # its value first, by name
        found = deep_difference(left.value, right.value, f"{where}.value")
        rest = zip(tuple(left)[1:], tuple(right)[1:], strict=True)
        return found or _pairs([(f"{where}[{i + 1}]", a, b) for i, (a, b) in enumerate(rest)])
    if attrs.has(cls):
        names = [field.name for field in attrs.fields(cls) if field.eq]  # as attrs compares
        return _pairs([(f"{where}.{n}", getattr(left, n), getattr(right, n)) for n in names])
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        if list(left) != list(right):
            return f"{where}: keys {list(left)} != {list(right)}"
        return _pairs([(f"{where}[{key!r}]", left[key], right[key]) for key in left])
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        if len(left) != len(right):
            return f"{where}: length {len(left)} != {len(right)}"
        return _pairs(
            [(f"{where}[{i}]", a, b) for i, (a, b) in enumerate(zip(left, right, strict=True))]
        )
    found = _leaf_difference(left, right, 0.0)
    return None if found is None else f"{where}: {found}"
