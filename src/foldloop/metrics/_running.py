"""The exponential moving average of an output or of another metric's value per batch."""

from __future__ import annotations

from typing import Any, Generic, NamedTuple, TypeVar, final, overload

import attrs
import torch
from torch import Tensor

from ._errors import NoDataError
from ._inputs import Scalar, scalar
from ._metric import Metric

Out = TypeVar("Out", contravariant=True)


class Ema(NamedTuple):
    """An exponential moving average as an affine map of what came before it.

    ``samples`` values were seen (an ``int``), the first being ``first``; the average is
    ``decay * first + total`` with ``decay = alpha ** samples`` and ``total`` the weighted sum of
    all values (float64 0-d tensors, as is ``first``).

    Example:
        >>> from foldloop.metrics import RunningAverage
        >>> RunningAverage().init().decay
        tensor(1., dtype=torch.float64)
    """

    samples: int
    first: Tensor
    decay: Tensor
    total: Tensor


def _no_ema() -> Ema:
    zero = torch.zeros((), dtype=torch.float64)
    return Ema(0, zero, torch.ones((), dtype=torch.float64), zero)


def _then(earlier: Ema, later: Ema) -> Ema:
    """The average over ``earlier``'s values followed by ``later``'s."""
    return Ema(
        earlier.samples + later.samples,
        earlier.first if earlier.samples > 0 else later.first,
        earlier.decay * later.decay,
        earlier.total * later.decay + later.total,
    )


def _in_unit_interval(instance: object, attribute: attrs.Attribute[float], alpha: float) -> None:
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"RunningAverage needs 0 < alpha <= 1, got {alpha!r}.")


@final
@attrs.frozen(init=False)
class RunningAverage(Metric[Out, Ema, float], Generic[Out]):
    """The exponential moving average ``v <- alpha * v + (1 - alpha) * x`` of one value per update.

    ``x`` is the output itself (a number or one-element tensor), or, with ``src``, the value
    ``src`` computes on that one output alone (Ignite resets ``src`` every iteration too); an
    output on which ``src`` has no value (an empty batch) is skipped. The first value starts the
    average, as in Ignite.

    Unlike the other metrics, a running average depends on order: ``merge(a, b)`` means "the
    updates of ``a``, then those of ``b``". It is associative with ``init()`` as identity, so
    ``compute(merge(fold(xs), fold(ys))) == compute(fold(xs + ys))`` still holds for any split
    of an ordered stream, but ``merge`` is not commutative and merging accumulators of
    different processes does not give a meaningful average over them.

    Args:
        alpha: the weight of the past, ``0 < alpha <= 1``.
        src: a metric whose per-batch value is averaged; ``None`` averages the output.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy, RunningAverage
        >>> smooth = RunningAverage(alpha=0.5)
        >>> smooth.compute(smooth.fold([1.0, 3.0, torch.tensor(5.0)]))
        3.5
        >>> smooth_acc = RunningAverage(alpha=0.5, src=Accuracy())
        >>> batches = [(torch.tensor([1, 1]), torch.tensor([1, 1])),
        ...            (torch.tensor([1, 1]), torch.tensor([0, 0]))]
        >>> smooth_acc.compute(smooth_acc.fold(batches))
        0.5
    """

    alpha: float = attrs.field(validator=_in_unit_interval)
    # Any: the source's accumulator never leaves ``update``, so its type does not matter here.
    src: Metric[Out, Any, float] | None

    @overload
    def __init__(
        self: RunningAverage[Scalar], *, alpha: float = 0.98, src: None = None
    ) -> None: ...
    @overload
    def __init__(self, *, alpha: float = 0.98, src: Metric[Out, Any, float]) -> None: ...
    def __init__(self, *, alpha: float = 0.98, src: Metric[Out, Any, float] | None = None) -> None:
        self.__attrs_init__(alpha, src)

    def init(self) -> Ema:
        return _no_ema()

    def update(self, acc: Ema, output: Out) -> Ema:
        try:
            value = scalar(self._value(output), type(self).__name__)
        except NoDataError:
            return acc  # src has no value on this output (an empty batch): nothing to average
        decay = torch.tensor(self.alpha, dtype=torch.float64)
        return _then(acc, Ema(1, value, decay, (1.0 - self.alpha) * value))

    def merge(self, left: Ema, right: Ema) -> Ema:
        return _then(left, right)

    def compute(self, acc: Ema) -> float:
        if acc.samples == 0:
            raise NoDataError(type(self).__name__)
        return float((acc.decay * acc.first + acc.total).item())

    def _value(self, output: Out) -> object:
        if self.src is None:
            return output  # a Scalar, by the overloads of __init__ (checked by ``scalar``)
        return self.src.compute(self.src.update(self.src.init(), output))
