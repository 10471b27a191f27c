"""Precision and recall, for binary, multiclass and multilabel input."""

from __future__ import annotations

from typing import Literal, TypeVar, final, overload

import attrs
from torch import Tensor

from ._class_counts import AVERAGES, Averaged, ClassScore, PerClass
from ._classify import MODES, Mode
from ._inputs import one_of

V = TypeVar("V", covariant=True)


@final
@attrs.frozen(init=False)
class Precision(ClassScore[V]):
    """The fraction of predictions of a class that are right: ``TP / (TP + FP)``.

    Input is read as by ``Accuracy`` (binary input counts as the two classes 0 and 1;
    multilabel input, with ``mode="multilabel"``, scores each label as a class). Every class
    ``0 .. C-1`` is scored, also one that never occurs.

    Args:
        average: ``"binary"`` (the default, as scikit-learn): the positive class 1 of binary
            input; ``"macro"``: the mean over classes; ``"micro"``: from counts summed over
            classes; ``"weighted"``: the mean weighted by each class's true occurrences;
            ``None`` or ``False``: a float64 tensor with one value per class.
        mode: ``"binary"``, ``"multiclass"`` or ``"multilabel"``; ``None`` infers it.
        zero_division: the value of a class that was never predicted (0 or 1); it counts in
            every average, as in scikit-learn. Ignite gives 0.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Precision
        >>> batch = (torch.tensor([1, 1, 0, 1]), torch.tensor([1, 0, 0, 1]))
        >>> precision = Precision()
        >>> precision.compute(precision.fold([batch]))
        0.6666666666666666
        >>> per_class = Precision(average=None)
        >>> per_class.compute(per_class.fold([batch]))
        tensor([1.0000, 0.6667], dtype=torch.float64)
    """

    average: Averaged | PerClass = attrs.field(validator=one_of(*AVERAGES))
    mode: Mode | None = attrs.field(validator=one_of(*MODES))
    zero_division: Literal[0, 1] = attrs.field(validator=one_of(0, 1))

    @overload
    def __init__(
        self: Precision[float],
        average: Averaged = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    @overload
    def __init__(
        self: Precision[Tensor],
        average: PerClass,
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    def __init__(
        self,
        average: Averaged | PerClass = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None:
        self.__attrs_init__(average, mode, zero_division)

    def fraction(
        self, true_positives: Tensor, predicted: Tensor, actual: Tensor
    ) -> tuple[Tensor, Tensor]:
        """True positives over predictions."""
        return true_positives, predicted


@final
@attrs.frozen(init=False)
class Recall(ClassScore[V]):
    """The fraction of a class's true occurrences that are found: ``TP / (TP + FN)``.

    Input, ``average``, ``mode`` and ``zero_division`` (here: the value of a class that never
    occurs in ``y``) are as for ``Precision``.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Recall
        >>> scores = torch.tensor([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> recall = Recall(average="macro")
        >>> recall.compute(recall.fold([(scores, torch.tensor([0, 1, 1]))]))
        0.75
    """

    average: Averaged | PerClass = attrs.field(validator=one_of(*AVERAGES))
    mode: Mode | None = attrs.field(validator=one_of(*MODES))
    zero_division: Literal[0, 1] = attrs.field(validator=one_of(0, 1))

    @overload
    def __init__(
        self: Recall[float],
        average: Averaged = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    @overload
    def __init__(
        self: Recall[Tensor],
        average: PerClass,
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None: ...
    def __init__(
        self,
        average: Averaged | PerClass = "binary",
        *,
        mode: Mode | None = None,
        zero_division: Literal[0, 1] = 0,
    ) -> None:
        self.__attrs_init__(average, mode, zero_division)

    def fraction(
        self, true_positives: Tensor, predicted: Tensor, actual: Tensor
    ) -> tuple[Tensor, Tensor]:
        """True positives over true occurrences."""
        return true_positives, actual
