"""The laws of a metric, checked on given outputs: the fold laws ``Metric`` promises.

Every split of the outputs is tried, so keep them short (a handful of batches); draw them with
hypothesis to check many. Accumulators are compared leaf by leaf (same tree, shapes and dtypes;
floats to ``tolerance``, since merging changes the order of float additions).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

import attrs
from torch import Tensor

from foldloop.metrics import Metric, NoDataError
from foldloop.tree import tree_map

from ._compare import tree_difference

Out = TypeVar("Out")
A = TypeVar("A")
V = TypeVar("V")

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlist = 80, 200, 8


@attrs.frozen
class _Case(Generic[Out, A, V]):
    metric: Metric[Out, A, V]
    outputs: tuple[Out, ...]
    tolerance: float

    def fold(self, start: int, stop: int | None = None) -> A:
        return self.metric.fold(self.outputs[start:stop])

    def cuts(self) -> range:
        return range(len(self.outputs) + 1)

    def value(self, acc: A) -> V | type[NoDataError]:
        try:
            return self.metric.compute(acc)
        except NoDataError:
            return NoDataError

    def same(self, law: str, left: object, right: object, how: str) -> None:
        found = tree_difference(left, right, self.tolerance)
        if found is not None:
            raise AssertionError(
                f"metric law {law!r} fails for {self.metric!r}: {how}; they differ at {found}; "
                f"outputs = {_repr.repr(list(self.outputs))}"
            )


def _identity(case: _Case[Out, A, V]) -> None:
    init = case.metric.init()
    for k in case.cuts():
        acc = case.fold(0, k)
        how = f"merge(init(), acc) != acc for acc = fold(outputs[:{k}])"
        case.same("init() is the identity of merge", case.metric.merge(init, acc), acc, how)
        how = f"merge(acc, init()) != acc for acc = fold(outputs[:{k}])"
        case.same("init() is the identity of merge", case.metric.merge(acc, init), acc, how)


def _associativity(case: _Case[Out, A, V]) -> None:
    merge = case.metric.merge
    for i in case.cuts():
        for j in case.cuts()[i:]:
            a, b, c = case.fold(0, i), case.fold(i, j), case.fold(j)
            how = (
                f"merge(merge(a, b), c) != merge(a, merge(b, c)) for a, b, c = the folds of "
                f"outputs[:{i}], outputs[{i}:{j}], outputs[{j}:]"
            )
            case.same("merge is associative", merge(merge(a, b), c), merge(a, merge(b, c)), how)


def _homomorphism(case: _Case[Out, A, V]) -> None:
    whole = case.fold(0)
    for k in case.cuts():
        merged = case.metric.merge(case.fold(0, k), case.fold(k))
        split = f"merge(fold(outputs[:{k}]), fold(outputs[{k}:]))"
        case.same("fold is a homomorphism onto merge", whole, merged, f"fold(outputs) != {split}")
        how = f"compute(fold(outputs)) != compute({split})"
        case.same(
            "compute(fold(a + b)) == compute(merge(fold(a), fold(b)))",
            case.value(whole),
            case.value(merged),
            how,
        )


def _purity(case: _Case[Out, A, V]) -> None:
    half = len(case.outputs) // 2
    acc, other, rest = case.fold(0, half), case.fold(half), case.outputs[half:]
    before = _copy((acc, other, rest))
    for output in rest:
        case.metric.update(acc, output)
    case.metric.merge(acc, other)
    case.value(acc)
    how = f"update, merge or compute changed an accumulator or an output (split at {half})"
    case.same("update, merge and compute are pure", (acc, other, rest), before, how)


def _order_independence(case: _Case[Out, A, V]) -> None:
    whole = case.value(case.fold(0))
    for name, reordered in _reorderings(case.outputs):
        how = f"compute(fold(outputs)) != compute(fold({name}))"
        case.same(
            "the order of the outputs does not matter",
            whole,
            case.value(case.metric.fold(reordered)),
            how,
        )
    for k in case.cuts():
        a, b = case.fold(0, k), case.fold(k)
        how = f"merge(a, b) != merge(b, a) for a, b = the folds of outputs[:{k}], outputs[{k}:]"
        case.same("merge is commutative", case.metric.merge(a, b), case.metric.merge(b, a), how)


def _reorderings(outputs: tuple[Out, ...]) -> Iterator[tuple[str, tuple[Out, ...]]]:
    yield "reversed(outputs)", outputs[::-1]
    for k in range(1, len(outputs)):
        yield f"outputs[{k}:] + outputs[:{k}]", outputs[k:] + outputs[:k]


def _copy(tree: object) -> object:
    return tree_map(lambda leaf: leaf.clone() if isinstance(leaf, Tensor) else leaf, tree)


def check_metric_laws(
    metric: Metric[Out, A, V],
    outputs: Sequence[Out],
    *,
    ordered: bool = False,
    tolerance: float = 1e-9,
) -> None:
    """Check that ``metric`` obeys the fold laws on ``outputs``, for every split of them.

    The laws: ``init()`` is the identity of ``merge``; ``merge`` is associative; folding is a
    homomorphism onto ``merge`` (``fold(a + b) == merge(fold(a), fold(b))``, and so are the
    computed values); ``update``, ``merge`` and ``compute`` change neither accumulators nor
    outputs; and, unless ``ordered``, reordering the outputs or swapping ``merge``'s
    arguments changes nothing. A ``NoDataError`` from ``compute`` must be matched by one on the
    other side.

    Args:
        metric: the metric to check.
        outputs: step outputs the metric reads; every split is tried, so keep them few.
        ordered: the metric's result depends on the order of the outputs (a running
            average): skip the order laws.
        tolerance: relative and absolute tolerance for floats, since merging reorders sums.

    Raises:
        AssertionError: naming the law, the split where it fails, the difference and the
            outputs.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy
        >>> batches = [(torch.tensor([1, 0]), torch.tensor([1, 1])), (torch.tensor([1]),
        ...     torch.tensor([0])), (torch.tensor([0, 0]), torch.tensor([0, 1]))]
        >>> check_metric_laws(Accuracy(), batches)
    """
    case = _Case(metric, tuple(outputs), tolerance)
    laws: list[Callable[[_Case[Out, A, V]], None]] = [
        _identity,
        _associativity,
        _homomorphism,
        _purity,
    ]
    if not ordered:
        laws.append(_order_independence)
    for law in laws:
        law(case)
