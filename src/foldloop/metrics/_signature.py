"""Checks that read only an input's shapes and dtypes, run once for each new signature.

A check of shapes and dtypes gives the same answer for every batch of the same signature, so a
metric remembers the signature it last checked (and the check's answer, such as the inferred
mode) and checks again only when a batch of another signature comes. Checks that read values
(labels within the classes, 0/1 input) are not of this kind and run on every batch.
"""

from __future__ import annotations

from typing import Generic, TypeVar, final

import torch
from torch import Tensor

R = TypeVar("R")

Signature = tuple[torch.Size, torch.Size, torch.dtype, torch.dtype]
"""The shapes and dtypes of ``(y_pred, y)``: all that a shape-and-dtype check reads."""


def signature(y_pred: Tensor, y: Tensor) -> Signature:
    """The shapes and dtypes of ``(y_pred, y)``.

    Example:
        >>> import torch
        >>> signature(torch.zeros(2, 3), torch.zeros(2, dtype=torch.long))
        (torch.Size([2, 3]), torch.Size([2]), torch.float32, torch.int64)
    """
    return (y_pred.shape, y.shape, y_pred.dtype, y.dtype)


@final
class LastChecked(Generic[R]):
    """The last signature whose check passed, and that check's answer (one slot, no growth).

    Only a passed check is remembered: a refused batch raises before ``put``, so the next
    batch of that signature is checked (and refused) again. Reading and replacing the one
    ``(signature, answer)`` pair is atomic, so threads sharing a metric at worst check twice.

    Example:
        >>> import torch
        >>> checked: LastChecked[str] = LastChecked()
        >>> key = signature(torch.zeros(2, 3), torch.zeros(2))
        >>> checked.get(key) is None
        True
        >>> checked.put(key, "multiclass")
        >>> checked.get(key), checked.get(signature(torch.zeros(4, 3), torch.zeros(4)))
        ('multiclass', None)
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[Signature, R] | None = None

    def get(self, key: Signature) -> R | None:
        """The answer remembered for ``key``, or ``None`` when ``key`` was not the last one."""
        last = self._last
        return last[1] if last is not None and last[0] == key else None

    def put(self, key: Signature, answer: R) -> None:
        """Remember that ``key`` passed the check with ``answer`` (forgetting the previous)."""
        self._last = (key, answer)

    def __repr__(self) -> str:
        return "LastChecked()"
