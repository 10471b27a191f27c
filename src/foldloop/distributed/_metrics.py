"""Metric accumulators merged across ranks through the metric's own ``merge`` law."""

from __future__ import annotations

from functools import reduce
from typing import Any, TypeVar

import torch.distributed as dist

from foldloop.metrics import Metric

A = TypeVar("A")


def merge_across(metric: Metric[Any, A, Any], acc: A) -> A:
    """The accumulator of all ranks' outputs: every rank's ``acc`` gathered to every rank
    (``all_gather_object``) and merged in rank order with ``metric.merge``. By the metric law
    ``compute(merge(fold(a), fold(b))) == compute(fold(a + b))``, its value is that of one
    process folding every rank's outputs (exactly, for counts). In a single process ``acc``
    comes back as it is.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy
        >>> acc = Accuracy().fold([(torch.tensor([1, 0]), torch.tensor([1, 1]))])
        >>> Accuracy().compute(merge_across(Accuracy(), acc))
        0.5
    """
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return acc
    gathered: list[A | None] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, acc)
    # Each rank put its accumulator (an A) in its place; None only before the gather.
    return reduce(metric.merge, [a for a in gathered if a is not None])
