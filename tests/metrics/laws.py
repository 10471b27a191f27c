"""The laws every metric obeys, as functions that check one metric on drawn data.

A ``LawCase`` pairs a metric with a strategy for lists of its step outputs; each law draws what
it needs from hypothesis' ``data`` and asserts. ``test_laws.py`` applies every law to every case.
Accumulators are compared leaf by leaf (same tree, shapes and dtypes; floats to a tight
tolerance, since merging changes the order of float additions); values likewise, and a
``NoDataError`` on one side must be matched by one on the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import optree
import torch
from hypothesis import strategies as st
from optree import PyTree
from torch import Tensor

from foldloop.metrics import Metric, NoDataError

TOLERANCE = 1e-9

# Any: a case may hold any metric, whatever its output, accumulator and value types.
AnyMetric = Metric[Any, Any, Any]


@attrs.frozen
class LawCase:
    """A metric, a strategy for lists of its outputs, and whether output order matters."""

    name: str
    metric: AnyMetric
    outputs: st.SearchStrategy[Sequence[object]]
    ordered: bool = False

    def __str__(self) -> str:
        return self.name


Law = Callable[[LawCase, st.DataObject], None]


def assert_same_acc(left: PyTree[object], right: PyTree[object]) -> None:
    """Two accumulators are the same tree with close leaves of equal shape and dtype."""
    left_leaves, left_tree = optree.tree_flatten(left)
    right_leaves, right_tree = optree.tree_flatten(right)
    assert left_tree == right_tree
    for a, b in zip(left_leaves, right_leaves, strict=True):
        torch.testing.assert_close(a, b, rtol=TOLERANCE, atol=TOLERANCE)


def outcome(metric: AnyMetric, acc: object) -> object:
    """The computed value, or the ``NoDataError`` class when there is too little data."""
    try:
        return metric.compute(acc)
    except NoDataError:
        return NoDataError


def assert_same_value(left: object, right: object, tolerance: float = TOLERANCE) -> None:
    """Two values (numbers, tensors, dicts of them, or ``NoDataError``) agree."""
    if isinstance(left, Tensor) and isinstance(right, Tensor):
        torch.testing.assert_close(left, right, rtol=tolerance, atol=tolerance, equal_nan=True)
    elif isinstance(left, Mapping) and isinstance(right, Mapping):
        assert left.keys() == right.keys()
        for key in left:
            assert_same_value(left[key], right[key], tolerance)
    elif isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance), (left, right)
    else:
        assert left == right, (left, right)


def _split(data: st.DataObject, outputs: Sequence[object]) -> tuple[list[object], list[object]]:
    cut = data.draw(st.integers(0, len(outputs)), label="cut")
    return list(outputs[:cut]), list(outputs[cut:])


def identity(case: LawCase, data: st.DataObject) -> None:
    """``init()`` is a left and right identity of ``merge``."""
    metric = case.metric
    acc = metric.fold(data.draw(case.outputs))
    assert_same_acc(metric.merge(metric.init(), acc), acc)
    assert_same_acc(metric.merge(acc, metric.init()), acc)


def associativity(case: LawCase, data: st.DataObject) -> None:
    """``merge(merge(a, b), c) == merge(a, merge(b, c))``."""
    metric = case.metric
    first, rest = _split(data, data.draw(case.outputs))
    second, third = _split(data, rest)
    a, b, c = (metric.fold(part) for part in (first, second, third))
    assert_same_acc(metric.merge(metric.merge(a, b), c), metric.merge(a, metric.merge(b, c)))


def homomorphism(case: LawCase, data: st.DataObject) -> None:
    """Folding all outputs equals merging the folds of any split of them."""
    metric = case.metric
    outputs = data.draw(case.outputs)
    head, tail = _split(data, outputs)
    whole, merged = metric.fold(outputs), metric.merge(metric.fold(head), metric.fold(tail))
    assert_same_acc(whole, merged)
    assert_same_value(outcome(metric, whole), outcome(metric, merged))


def order_independence(case: LawCase, data: st.DataObject) -> None:
    """Shuffling the outputs, or swapping merge's arguments, changes nothing."""
    metric = case.metric
    outputs = data.draw(case.outputs)
    shuffled = data.draw(st.permutations(outputs), label="shuffled")
    assert_same_value(outcome(metric, metric.fold(outputs)), outcome(metric, metric.fold(shuffled)))
    head, tail = _split(data, outputs)
    a, b = metric.fold(head), metric.fold(tail)
    assert_same_acc(metric.merge(a, b), metric.merge(b, a))


def purity(case: LawCase, data: st.DataObject) -> None:
    """``update``, ``merge`` and ``compute`` change neither accumulators nor outputs."""
    metric = case.metric
    head, tail = _split(data, data.draw(case.outputs))
    acc, other = metric.fold(head), metric.fold(tail)
    snapshot = _copy((acc, other, tuple(tail)))
    for output in tail:
        metric.update(acc, output)
    metric.merge(acc, other)
    outcome(metric, acc)
    _assert_equal_trees((acc, other, tuple(tail)), snapshot)


# Any: the trees below are accumulators and step outputs of any shape, which optree's PyTree
# type (a union of containers of T) cannot express for T = object.
def _copy(tree: Any) -> PyTree[object]:
    return optree.tree_map(_clone, tree)


def _clone(leaf: object) -> object:
    return leaf.clone() if isinstance(leaf, Tensor) else leaf


def _assert_equal_trees(left: Any, right: PyTree[object]) -> None:
    left_leaves, left_tree = optree.tree_flatten(left)
    right_leaves, right_tree = optree.tree_flatten(right)
    assert left_tree == right_tree
    for a, b in zip(left_leaves, right_leaves, strict=True):
        if isinstance(a, Tensor):
            assert isinstance(b, Tensor) and torch.equal(a, b)
        else:
            assert a == b


LAWS: tuple[Law, ...] = (identity, associativity, homomorphism, purity)
"""The laws of every metric."""

UNORDERED_LAWS: tuple[Law, ...] = (order_independence,)
"""The laws of every metric whose result does not depend on the order of the outputs."""


def laws_for(case: LawCase) -> tuple[Law, ...]:
    """The laws that ``case``'s metric must obey."""
    return LAWS if case.ordered else LAWS + UNORDERED_LAWS
