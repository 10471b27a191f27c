"""Hypothesis strategies for metric inputs: lists of batches that belong to one evaluation.

Every strategy draws a list of batches sharing one layout (one number of classes, one
trailing shape), so that the batches can be folded into one accumulator. Class scores are
permutations of ``0 .. C-1`` per row, so the arg-max and the top-k are never tied.
"""

from __future__ import annotations

from typing import TypeAlias

import torch
from hypothesis import strategies as st
from torch import Tensor

Pair: TypeAlias = tuple[Tensor, Tensor]

MAX_BATCHES = 5
MAX_BATCH = 6


def _batches(batch: st.SearchStrategy[Pair]) -> st.SearchStrategy[list[Pair]]:
    return st.lists(batch, max_size=MAX_BATCHES)


def _ints(values: list[int], shape: tuple[int, ...]) -> Tensor:
    return torch.tensor(values, dtype=torch.int64).reshape(shape)


@st.composite
def _zero_one(draw: st.DrawFn, shape: tuple[int, ...]) -> Tensor:
    count = 1
    for size in shape:
        count *= size
    return _ints(draw(st.lists(st.integers(0, 1), min_size=count, max_size=count)), shape)


@st.composite
def _binary_batch(draw: st.DrawFn, tail: tuple[int, ...]) -> Pair:
    shape = (draw(st.integers(0, MAX_BATCH)), *tail)
    return draw(_zero_one(shape)), draw(_zero_one(shape))


def binary_batches(tails: tuple[tuple[int, ...], ...] = ((),)) -> st.SearchStrategy[list[Pair]]:
    """Batches of 0/1 predictions and 0/1 targets of shape ``(n, *tail)``."""
    return st.sampled_from(tails).flatmap(lambda tail: _batches(_binary_batch(tail)))


@st.composite
def _multiclass_batch(draw: st.DrawFn, classes: int) -> Pair:
    size = draw(st.integers(0, MAX_BATCH))
    rows = draw(st.lists(st.permutations(range(classes)), min_size=size, max_size=size))
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=size, max_size=size))
    scores = torch.tensor(rows, dtype=torch.float32).reshape(size, classes)
    return scores, _ints(labels, (size,))


def multiclass_batches(min_classes: int = 2, max_classes: int = 4) -> st.SearchStrategy[list[Pair]]:
    """Batches of ``(n, C)`` class scores and ``(n,)`` labels, one ``C`` for all batches."""
    classes = st.integers(min_classes, max_classes)
    return classes.flatmap(lambda c: _batches(_multiclass_batch(c)))


@st.composite
def _multilabel_batch(draw: st.DrawFn, labels: int) -> Pair:
    shape = (draw(st.integers(0, MAX_BATCH)), labels)
    return draw(_zero_one(shape)), draw(_zero_one(shape))


def multilabel_batches(max_labels: int = 4) -> st.SearchStrategy[list[Pair]]:
    """Batches of ``(n, C)`` 0/1 predictions and targets, one ``C`` (at least 2) for all."""
    return st.integers(2, max_labels).flatmap(lambda c: _batches(_multilabel_batch(c)))


_values = st.floats(-100, 100, allow_nan=False, width=32)


@st.composite
def _regression_batch(draw: st.DrawFn) -> Pair:
    size = draw(st.integers(0, MAX_BATCH))
    pred = draw(st.lists(_values, min_size=size, max_size=size))
    target = draw(st.lists(_values, min_size=size, max_size=size))
    return torch.tensor(pred, dtype=torch.float64), torch.tensor(target, dtype=torch.float64)


def regression_batches() -> st.SearchStrategy[list[Pair]]:
    """Batches of ``(n,)`` float64 predictions and targets."""
    return _batches(_regression_batch())


def _scalar() -> st.SearchStrategy[Tensor | float]:
    return st.one_of(
        _values,
        _values.map(lambda v: torch.tensor(v)),
        st.lists(_values, max_size=MAX_BATCH).map(lambda vs: torch.tensor(vs, dtype=torch.float64)),
    )


def scalar_outputs(single: bool = False) -> st.SearchStrategy[list[Tensor | float]]:
    """Numbers, 0-d tensors and (unless ``single``) 1-d tensors of values."""
    one: st.SearchStrategy[Tensor | float] = (
        st.one_of(_values, _values.map(lambda v: torch.tensor(v))) if single else _scalar()
    )
    return st.lists(one, max_size=MAX_BATCHES)


def nll(y_pred: Tensor, y: Tensor) -> Tensor:
    """Cross-entropy of class scores, the loss the ``Loss`` tests use.

    (``torch.nn.functional.cross_entropy`` is the same number, but on two busy cores its
    intra-op threads made it ~1000x slower per tiny batch than this.)
    """
    return torch.nn.functional.nll_loss(torch.log_softmax(y_pred, dim=1), y)
