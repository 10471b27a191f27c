"""The order law: any run shape's event stream, and what its handlers record, equal the
reference model's (handlers attached with any filter expression)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given

from foldloop import DataWarning, Event, IterationCompleted
from foldloop.testing import BUILT_IN_KINDS, make_state

from .shapes import (
    REQUEST_KINDS,
    Action,
    Atom,
    Expr,
    Request,
    RunShape,
    exprs,
    holds,
    reference_outcome,
    run_shape,
    run_shapes,
    scan_shape,
    to_filter,
)


@given(run_shapes())
def test_scan_fires_the_reference_models_events(shape: RunShape) -> None:
    expected = reference_outcome(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        kinds, failed, last = scan_shape(shape)
    assert [k.__name__ for k in kinds] == [k.__name__ for k in expected.kinds]
    assert failed == expected.failed
    assert last.iteration == expected.iterations
    assert last.value == expected.trace


@given(run_shapes())
def test_run_ends_in_the_same_state_as_scan(shape: RunShape) -> None:
    # run() takes the fast lane where nothing is due; scan() never does: both must agree.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        _, scan_failed, scan_last = scan_shape(shape)
        run_failed, run_last = run_shape(shape)
    assert run_failed == scan_failed
    assert run_last == scan_last


@pytest.mark.parametrize("action", ["emit", "terminate", "terminate_epoch"])
@pytest.mark.parametrize("kind", REQUEST_KINDS, ids=lambda kind: kind.__name__)
def test_a_request_at_any_kind_takes_effect_in_run_as_in_scan_and_the_model(
    kind: type[Event], action: Action
) -> None:
    # Each pair, pinned: the generated shapes reach some of them only now and then. run() keeps
    # the position in locals and builds the step's state without a queue or a request: one
    # left over from an iteration-level event would be lost there, and this test fails on it.
    every_kind = tuple(Request(k, Atom("always"), "record") for k in BUILT_IN_KINDS)
    requests = (*every_kind, Request(kind, Atom("once", (2,)), action))
    shape = RunShape(data_length=3, epoch_length=2, max_epochs=3, requests=requests)
    expected = reference_outcome(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        kinds, scan_failed, scan_last = scan_shape(shape)
        run_failed, run_last = run_shape(shape)
    assert [k.__name__ for k in kinds] == [k.__name__ for k in expected.kinds]
    assert (scan_failed, scan_last.value) == (expected.failed, expected.trace)
    assert (run_failed, run_last) == (scan_failed, scan_last)


@given(run_shapes(failures=False))
def test_counts_are_occurrences_of_each_kind(shape: RunShape) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        kinds, _, last = scan_shape(shape)
    for kind in set(kinds):
        assert last.count(kind) == kinds.count(kind)


@given(exprs())
def test_filters_pass_where_the_models_reading_of_their_expression_says(expr: Expr) -> None:
    # The model decides triggers with its own interpreter; the loop runs foldloop's filters.
    f, event = to_filter(expr), IterationCompleted()
    for n in range(1, 40):
        state = make_state((), iteration=n)
        assert f.passes(n, state, event) == holds(expr, n), (expr, n)
