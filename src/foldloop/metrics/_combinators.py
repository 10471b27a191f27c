"""Metrics built from metrics: a mapped value, a transformed output, a pair, arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, final

import attrs

from ._metric import Metric

Out = TypeVar("Out")
P = TypeVar("P")
A = TypeVar("A")
B = TypeVar("B")
V = TypeVar("V")
W = TypeVar("W")


@attrs.frozen
class OnTopOf(Metric[Out, A, W], Generic[Out, A, V, W]):
    """A metric that folds exactly as ``metric`` does (its accumulator, update and merge) and
    differs only in ``compute``: the base of `Mapped` and ``foldloop.distributed.Across``."""

    metric: Metric[Out, A, V]

    def init(self) -> A:
        return self.metric.init()

    def update(self, acc: A, output: Out) -> A:
        return self.metric.update(acc, output)

    def merge(self, left: A, right: A) -> A:
        return self.metric.merge(left, right)

    def compute(self, acc: A) -> W:
        raise NotImplementedError  # each subclass computes its own value


@final
@attrs.frozen
class Mapped(OnTopOf[Out, A, V, W]):
    """``metric`` with ``fn`` applied to its value (built by ``Metric.map``)."""

    fn: Callable[[V], W]

    def compute(self, acc: A) -> W:
        return self.fn(self.metric.compute(acc))


@final
@attrs.frozen
class Transformed(Metric[P, A, V], Generic[P, Out, A, V]):
    """``metric`` reading ``fn(output)`` (built by ``Metric.with_output_transform``)."""

    metric: Metric[Out, A, V]
    fn: Callable[[P], Out]

    def init(self) -> A:
        return self.metric.init()

    def update(self, acc: A, output: P) -> A:
        return self.metric.update(acc, self.fn(output))

    def merge(self, left: A, right: A) -> A:
        return self.metric.merge(left, right)

    def compute(self, acc: A) -> V:
        return self.metric.compute(acc)


@final
@attrs.frozen
class Zipped(Metric[Out, tuple[A, B], tuple[V, W]]):
    """Two metrics updated in one pass; the value is the pair of their values."""

    left: Metric[Out, A, V]
    right: Metric[Out, B, W]

    def init(self) -> tuple[A, B]:
        return self.left.init(), self.right.init()

    def update(self, acc: tuple[A, B], output: Out) -> tuple[A, B]:
        return self.left.update(acc[0], output), self.right.update(acc[1], output)

    def merge(self, left: tuple[A, B], right: tuple[A, B]) -> tuple[A, B]:
        return self.left.merge(left[0], right[0]), self.right.merge(left[1], right[1])

    def compute(self, acc: tuple[A, B]) -> tuple[V, W]:
        return self.left.compute(acc[0]), self.right.compute(acc[1])


@final
@attrs.frozen
class Both:
    """``op`` applied to the two values of a pair (the value of ``metric + metric``)."""

    # Any: the operators of Metric fix the operand and result types (see _metric._Operator).
    op: Callable[[Any, Any], Any]

    def __call__(self, values: tuple[Any, Any]) -> Any:
        return self.op(*values)


@final
@attrs.frozen
class WithConstant:
    """``op(value, constant)``, or ``op(constant, value)`` when ``constant_first``."""

    # Any: the operators of Metric fix the operand and result types (see _metric._Operator).
    op: Callable[[Any, Any], Any]
    constant: float
    constant_first: bool

    def __call__(self, value: Any) -> Any:
        if self.constant_first:
            return self.op(self.constant, value)
        return self.op(value, self.constant)
