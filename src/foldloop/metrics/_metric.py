"""The metric interface: a fold over step outputs with an associative merge."""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any, Generic, TypeVar, overload

from torch import Tensor

Out = TypeVar("Out", contravariant=True)
A = TypeVar("A")
V = TypeVar("V", covariant=True)
W = TypeVar("W")
_P = TypeVar("_P")
_A = TypeVar("_A")
_B = TypeVar("_B")
_N = TypeVar("_N", float, Tensor)

# Any: typeshed types operator.add and friends as (Any, Any) -> Any; the overloaded operators
# of Metric give callers the precise result types.
_Operator = Callable[[Any, Any], Any]


class Metric(ABC, Generic[Out, A, V]):
    """A metric: a fold over step outputs whose accumulators merge associatively.

    ``Out`` is the step output a metric reads, ``A`` its accumulator (a pytree of tensors, so it
    can be checkpointed and reduced across processes) and ``V`` the value it computes. A metric
    holds configuration only; everything it remembers lives in the accumulator it returns.

    Laws (checked for every built-in metric): ``merge`` is associative with ``init()`` as its
    identity, and ``compute(merge(fold(a), fold(b))) == compute(fold(a + b))`` for any split of
    the outputs. Unless a metric says otherwise, the order of the outputs does not matter either.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy
        >>> acc = Accuracy()
        >>> first = acc.fold([(torch.tensor([1, 0]), torch.tensor([1, 1]))])
        >>> second = acc.fold([(torch.tensor([1]), torch.tensor([1]))])
        >>> acc.compute(acc.merge(first, second))
        0.6666666666666666
    """

    __slots__ = ()

    @abstractmethod
    def init(self) -> A:
        """The accumulator before any output has been seen; the identity of ``merge``."""

    @abstractmethod
    def update(self, acc: A, output: Out) -> A:
        """A new accumulator that has also seen ``output``; ``acc`` is left unchanged."""

    @abstractmethod
    def merge(self, left: A, right: A) -> A:
        """The accumulator of the outputs of ``left`` followed by those of ``right``."""

    @abstractmethod
    def compute(self, acc: A) -> V:
        """The metric's value for an accumulator (raises ``NoDataError`` without data)."""

    def fold(self, outputs: Iterable[Out]) -> A:
        """Update ``init()`` with each output in turn.

        Example:
            >>> import torch
            >>> from foldloop.metrics import Average
            >>> Average().fold([1.0, torch.tensor(3.0)]).samples
            2
        """
        return reduce(self.update, outputs, self.init())

    def map(self, fn: Callable[[V], W]) -> Metric[Out, A, W]:
        """The same metric with ``fn`` applied to its computed value.

        Example:
            >>> import torch
            >>> from foldloop.metrics import Accuracy
            >>> percent = Accuracy().map(lambda v: round(100 * v))
            >>> percent.compute(percent.fold([(torch.tensor([1, 0]), torch.tensor([1, 1]))]))
            50
        """
        from ._combinators import Mapped  # here: the combinators subclass Metric

        return Mapped(self, fn)

    def with_output_transform(self, fn: Callable[[_P], Out]) -> Metric[_P, A, V]:
        """The same metric reading ``fn(output)`` instead of the step output itself.

        This is Ignite's ``output_transform``: use it to pick ``(y_pred, y)`` out of whatever
        a step returns.

        Example:
            >>> import torch
            >>> from foldloop.metrics import Accuracy
            >>> acc = Accuracy().with_output_transform(lambda out: (out["logits"], out["label"]))
            >>> out = {"logits": torch.tensor([[0.1, 0.9]]), "label": torch.tensor([1])}
            >>> acc.compute(acc.fold([out]))
            1.0
        """
        from ._combinators import Transformed  # here: the combinators subclass Metric

        return Transformed(self, fn)

    @overload
    def __add__(
        self: Metric[_P, _A, _N], other: Metric[_P, _B, _N]
    ) -> Metric[_P, tuple[_A, _B], _N]: ...
    @overload
    def __add__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]: ...
    def __add__(self, other: object) -> object:
        return self._arithmetic(operator.add, other)

    @overload
    def __sub__(
        self: Metric[_P, _A, _N], other: Metric[_P, _B, _N]
    ) -> Metric[_P, tuple[_A, _B], _N]: ...
    @overload
    def __sub__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]: ...
    def __sub__(self, other: object) -> object:
        return self._arithmetic(operator.sub, other)

    @overload
    def __mul__(
        self: Metric[_P, _A, _N], other: Metric[_P, _B, _N]
    ) -> Metric[_P, tuple[_A, _B], _N]: ...
    @overload
    def __mul__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]: ...
    def __mul__(self, other: object) -> object:
        return self._arithmetic(operator.mul, other)

    @overload
    def __truediv__(
        self: Metric[_P, _A, _N], other: Metric[_P, _B, _N]
    ) -> Metric[_P, tuple[_A, _B], _N]: ...
    @overload
    def __truediv__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]: ...
    def __truediv__(self, other: object) -> object:
        return self._arithmetic(operator.truediv, other)

    def __radd__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]:
        return self._with_constant(operator.add, other, constant_first=True)

    def __rsub__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]:
        return self._with_constant(operator.sub, other, constant_first=True)

    def __rmul__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]:
        return self._with_constant(operator.mul, other, constant_first=True)

    def __rtruediv__(self: Metric[_P, _A, _N], other: float) -> Metric[_P, _A, _N]:
        return self._with_constant(operator.truediv, other, constant_first=True)

    def _arithmetic(self, op: _Operator, other: object) -> object:
        from ._combinators import Both, Zipped  # here: the combinators subclass Metric

        if isinstance(other, Metric):
            return Zipped(self, other).map(Both(op))
        return self._with_constant(op, other, constant_first=False)

    def _with_constant(
        self: Metric[_P, _A, _N], op: _Operator, constant: object, constant_first: bool
    ) -> Metric[_P, _A, _N]:
        from ._combinators import WithConstant  # here: the combinators subclass Metric

        if not isinstance(constant, int | float) or isinstance(constant, bool):
            raise TypeError(
                f"a metric combines only with another metric or a number, got "
                f"{type(constant).__name__}."
            )
        return self.map(WithConstant(op, constant, constant_first))
