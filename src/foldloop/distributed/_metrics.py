"""Metric accumulators merged across ranks through the metric's own ``merge`` law."""

from __future__ import annotations

from functools import reduce
from typing import Any, TypeVar, final

import attrs
import torch.distributed as dist

from foldloop.metrics import Metric
from foldloop.metrics._combinators import OnTopOf

from ._faults import named

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
    named(lambda: dist.all_gather_object(gathered, acc))
    # Each rank put its accumulator (an A) in its place; None only before the gather.
    return reduce(metric.merge, [a for a in gathered if a is not None])


Out = TypeVar("Out")
V = TypeVar("V")


@final
@attrs.frozen
class Across(OnTopOf[Out, A, V, V]):
    """``metric`` whose value is that of all ranks' outputs: ``compute`` first merges every
    rank's accumulator (`merge_across`), so `foldloop.metrics.evaluate` and attached metrics
    give every rank the global value when each rank folds its shard. ``init``, ``update`` and
    ``merge`` are ``metric``'s. ``compute`` is a collective: every rank must call it at the
    same point (an epoch's end, for an attached metric). Without a group it is ``metric``'s.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy
        >>> accuracy = Across(Accuracy())
        >>> accuracy.compute(accuracy.fold([(torch.tensor([1, 0]), torch.tensor([1, 1]))]))
        0.5
    """

    def compute(self, acc: A) -> V:
        return self.metric.compute(merge_across(self.metric, acc))
