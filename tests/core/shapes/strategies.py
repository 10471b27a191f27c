"""Hypothesis strategies for run shapes: data, limits, and the requests handlers make."""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from foldloop.core import DataExhausted, EpochTerminated, Event
from foldloop.testing import BUILT_IN_KINDS

from .expr import Expr, exprs, once_atoms
from .shapes import Action, Request, RunShape

# Kinds at which a handler may request a stop (requests at Terminated/Completed do nothing).
REQUEST_KINDS: tuple[type[Event], ...] = (*BUILT_IN_KINDS[:7], EpochTerminated, DataExhausted)


_STOPS: tuple[Action, ...] = ("terminate", "terminate_epoch", "raise")


def _trigger(action: Action, max_iters: bool) -> st.SearchStrategy[Expr]:
    if action == "terminate_epoch" and max_iters:
        # terminate_epoch() at every fetch cuts every epoch before its first iteration, and a
        # run to max_iters then never ends (in foldloop, Ignite and the model alike): fire it
        # a bounded number of times.
        return once_atoms()
    # Two thirds of the stop triggers are once(k), so that stops land at any point of a run,
    # not mostly at its first events (where ``always``-like expressions put them).
    return st.one_of(once_atoms(), once_atoms(), exprs())


def _stops(failures: bool, max_iters: bool) -> st.SearchStrategy[Request]:
    kinds = st.one_of(st.none(), st.sampled_from(REQUEST_KINDS))
    return st.sampled_from(_STOPS if failures else _STOPS[:2]).flatmap(
        lambda action: st.builds(Request, kinds, _trigger(action, max_iters), st.just(action))
    )


def _records() -> st.SearchStrategy[Request]:
    return st.builds(Request, st.sampled_from(BUILT_IN_KINDS), exprs(), st.just("record"))


def _emits() -> st.SearchStrategy[Request]:
    kinds = st.one_of(st.none(), st.sampled_from(BUILT_IN_KINDS))
    return st.builds(Request, kinds, exprs(), st.just("emit"))


def requests(failures: bool = True) -> st.SearchStrategy[Request]:
    """One handler's recording, stop request or failure (``kind=None``: the step's).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(requests(failures=False))
    ... def check(request: Request) -> None:
    ...     assert request.action != "raise"
    >>> check()
    """
    return st.one_of(_records(), _stops(failures, max_iters=False))


@st.composite
def run_shapes(
    draw: st.DrawFn, *, failures: bool = True, stops: bool = True, emits: bool = True
) -> RunShape:
    """Run shapes: data length and kind, epoch_length, max_epochs or max_iters, requests.

    Every shape has one to three recording handlers, and up to two handlers (or the step)
    emitting a ``Signal``; ``stops=False`` leaves out the stop requests, ``failures=False``
    only the failures, ``emits=False`` the signals (Ignite fires its own events at once).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(run_shapes())
    ... def check(shape: RunShape) -> None:
    ...     assert shape.max_epochs is None or shape.max_iters is None
    >>> check()
    """
    has_data = draw(st.integers(min_value=0, max_value=4)) > 0
    data_length = draw(st.integers(min_value=1, max_value=6)) if has_data else None
    one_shot = draw(st.booleans()) and data_length is not None
    sized = not one_shot and draw(st.booleans())
    epoch_length = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=8)))
    if data_length is None and epoch_length is None:  # data=None needs an epoch length
        epoch_length = draw(st.integers(min_value=1, max_value=8))
    max_epochs, max_iters = None, None
    if draw(st.booleans()):
        max_iters = draw(st.integers(min_value=1, max_value=20))
    else:
        max_epochs = draw(st.integers(min_value=1, max_value=4))
        if one_shot and epoch_length is None:
            max_epochs = 1  # more epochs of a one-shot iterator of unknown length are refused
    records = draw(st.lists(_records(), min_size=1, max_size=3))
    emitting = draw(st.lists(_emits(), max_size=2)) if emits else []
    bounded = max_iters is not None
    chosen = draw(st.lists(_stops(failures, bounded), max_size=2 if stops else 0))
    return RunShape(
        data_length=data_length,
        one_shot=one_shot,
        sized=sized,
        epoch_length=epoch_length,
        max_epochs=max_epochs,
        max_iters=max_iters,
        requests=tuple(draw(st.permutations(records + emitting + chosen))),
    )


@st.composite
def failing_shapes(draw: st.DrawFn) -> RunShape:
    """Shapes with re-iterable data whose last request is a handler raising early in the run.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(failing_shapes())
    ... def check(shape: RunShape) -> None:
    ...     assert shape.requests[-1].action == "raise" and not shape.one_shot
    >>> check()
    """
    shape = draw(run_shapes(failures=False).filter(lambda s: not s.one_shot))
    kind = draw(st.sampled_from(REQUEST_KINDS))
    count = draw(st.integers(min_value=1, max_value=3))
    return attrs.evolve(shape, requests=(*shape.requests, Request.at(kind, count, "raise")))
