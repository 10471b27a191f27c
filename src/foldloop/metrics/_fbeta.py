"""F-beta: the weighted harmonic mean of precision and recall."""

from __future__ import annotations

import math
from typing import Literal, TypeVar, final, overload

import attrs
from torch import Tensor

from ._class_counts import AVERAGES, Averaged, ClassScore, PerClass
from ._classify import MODES, Mode
from ._inputs import one_of

V = TypeVar("V", covariant=True)


def _positive_finite(instance: object, attribute: attrs.Attribute[float], beta: float) -> None:
    if not (math.isfinite(beta) and beta > 0):
        raise ValueError(
            f"Fbeta needs a finite beta > 0, got {beta!r}; beta=1 gives F1, beta < 1 favours "
            "precision and beta > 1 recall."
        )


@final
@attrs.frozen(init=False)
class Fbeta(ClassScore[V]):
    """``(1 + beta²) * P * R / (beta² * P + R)``, computed per class from counts.

    Per class this is ``(1 + beta²) TP / ((1 + beta²) TP + beta² FN + FP)``; a class with no
    true positive, false positive or false negative at all gets ``zero_division``. Input,
    ``average``, ``mode`` and ``zero_division`` are otherwise as for ``Precision``; "macro"
    averages the per-class F-beta (as scikit-learn), "micro" uses the summed counts.

    Args:
        beta: the weight of recall relative to precision; finite and > 0.
        average: as for ``Precision``.
        mode: as for ``Precision``.
        zero_division: as for ``Precision``.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Fbeta
        >>> f1 = Fbeta(1.0)
        >>> f1.compute(f1.fold([(torch.tensor([1, 1, 0, 0]), torch.tensor([1, 0, 1, 0]))]))
        0.5
    """

    beta: float = attrs.field(validator=_positive_finite)
    average: Averaged | PerClass = attrs.field(validator=one_of(*AVERAGES))
    mode: Mode | None = attrs.field(validator=one_of(*MODES))
    zero_division: Literal[0, 1] = attrs.field(validator=one_of(0, 1))

    @overload
    def __init__(
        self: Fbeta[float],
        beta: float,
        average: Averaged = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    @overload
    def __init__(
        self: Fbeta[Tensor],
        beta: float,
        average: PerClass,
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    def __init__(
        self,
        beta: float,
        average: Averaged | PerClass = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None:
        self.__attrs_init__(beta, average, mode, zero_division)

    def fraction(
        self, true_positives: Tensor, predicted: Tensor, actual: Tensor
    ) -> tuple[Tensor, Tensor]:
        """``(1 + beta²) TP`` over ``beta² (TP + FN) + (TP + FP)``."""
        weight = self.beta**2
        return (1 + weight) * true_positives, weight * actual + predicted
