"""A mapping of metrics as one metric: one pass over the data, a dict of values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar, final

import attrs

from ._metric import Metric

Out = TypeVar("Out", contravariant=True)
V = TypeVar("V", covariant=True)

# Any: each metric of the mapping has its own accumulator type; the mapping's accumulator maps
# each name to that metric's accumulator, which only that metric ever reads.
_Accs = Mapping[str, Any]


def _frozen(metrics: Mapping[str, Metric[Out, Any, V]]) -> Mapping[str, Metric[Out, Any, V]]:
    entries: Iterable[tuple[object, object]] = metrics.items()  # checked, whatever the types
    for name, metric in entries:
        if not isinstance(name, str) or not isinstance(metric, Metric):
            raise TypeError(
                f"MetricDict maps names (str) to metrics, got {name!r}: {type(metric).__name__}."
            )
    return MappingProxyType(dict(metrics))


@final
@attrs.frozen
class MetricDict(Metric[Out, _Accs, dict[str, V]]):
    """Several metrics updated together, computing a dict of their values by name.

    The accumulator is a mapping from each name to that metric's accumulator, so it is a pytree
    like every other. The empty ``MetricDict`` is a metric too, computing ``{}``.

    Attributes:
        metrics: the metrics by name.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy, MeanSquaredError, MetricDict
        >>> both = MetricDict({"acc": Accuracy(), "mse": MeanSquaredError()})
        >>> both.compute(both.fold([(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0]))]))
        {'acc': 0.5, 'mse': 0.5}
    """

    metrics: Mapping[str, Metric[Out, Any, V]] = attrs.field(converter=_frozen)

    def init(self) -> _Accs:
        return {name: metric.init() for name, metric in self.metrics.items()}

    def update(self, acc: _Accs, output: Out) -> _Accs:
        return {name: m.update(acc[name], output) for name, m in self.metrics.items()}

    def merge(self, left: _Accs, right: _Accs) -> _Accs:
        return {name: m.merge(left[name], right[name]) for name, m in self.metrics.items()}

    def compute(self, acc: _Accs) -> dict[str, V]:
        return {name: metric.compute(acc[name]) for name, metric in self.metrics.items()}


def metrics(
    named: Mapping[str, Metric[Out, Any, V]] | None = None, /, **more: Metric[Out, Any, V]
) -> MetricDict[Out, V]:
    """A ``MetricDict`` of the metrics given by name: one metric computing a dict of values.

    Names come from a mapping (for names that are not identifiers), from keywords, or both.
    Keywords type-check best: mypy infers no common type for a dict literal that mixes metric
    classes, while it checks each keyword on its own.

    Args:
        named: metrics by name.
        **more: more metrics by name.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Loss, Precision, metrics
        >>> both = metrics(loss=Loss(torch.nn.functional.mse_loss), p=Precision())
        >>> both.compute(both.fold([(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0]))]))
        {'loss': 0.5, 'p': 1.0}
    """
    named = named or {}
    twice = sorted(set(named) & set(more))
    if twice:
        raise ValueError(f"metrics got the names {twice} both in the mapping and as keywords.")
    return MetricDict({**named, **more})
