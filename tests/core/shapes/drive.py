"""Turning a run shape into a real loop and data, to run it against the reference model.

The requests' triggers become real foldloop filters here (:func:`to_filter`); the step decides
its own requests with the model's interpreter, since a step is not filtered by the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from foldloop.core import (
    Event,
    Filter,
    Loop,
    RunError,
    State,
    after,
    always,
    before,
    every,
    never,
    on,
    once,
    where,
)

from .expr import And, Atom, Expr, Not, Or, holds
from .shapes import Action, Request, RunShape, Signal, Trace


class ShapeFailure(Exception):
    """Raised by a shape's handler or step where its requests say ``"raise"``."""


def _count_is(m: int, r: int) -> Filter[Event]:
    def predicate(state: State[Trace], event: Event) -> bool:
        return state.count(type(event)) % m == r

    return where(predicate)


def _atom_filter(atom: Atom) -> Filter[Event]:
    args = atom.args
    built: dict[str, Callable[[], Filter[Event]]] = {
        "every": lambda: every(args[0]),
        "once": lambda: once(*args),
        "before": lambda: before(args[0]),
        "after": lambda: after(args[0]),
        "always": lambda: always,
        "never": lambda: never,
        "where": lambda: _count_is(args[0], args[1]),
    }
    return built[atom.name]()


def to_filter(expr: Expr) -> Filter[Event]:
    """The foldloop filter that ``expr`` describes.

    >>> to_filter(Or(Atom("every", (50,)), Not(Atom("once", (1,)))))
    (every(50) | ~once(1))
    """
    if isinstance(expr, Or):
        return to_filter(expr.left) | to_filter(expr.right)
    if isinstance(expr, And):
        return to_filter(expr.left) & to_filter(expr.right)
    if isinstance(expr, Not):
        return ~to_filter(expr.inner)
    return _atom_filter(expr)


def _act(state: State[Trace], action: Action, at: str) -> State[Trace]:
    if action == "raise":
        raise ShapeFailure(at)
    if action == "emit":
        return state.emit(Signal())
    if action == "terminate":
        return state.terminate()
    return state.terminate_epoch()


def _handler(request: Request) -> Callable[[State[Trace], Event], State[Trace]]:
    def handler(state: State[Trace], event: Event) -> State[Trace]:
        count = state.count(type(event))
        if request.action == "record":
            return state.replace(value=(*state.value, (type(event).__name__, count)))
        return _act(state, request.action, f"{type(event).__name__} #{count}")

    return handler


def shape_loop(shape: RunShape, *, record_batches: bool = False) -> Loop[Trace, object]:
    """A loop whose step records its iterations (and, with ``record_batches``, the int batch it
    was given), whose handlers make the requests, and which records every :class:`Signal`.

    >>> shape_loop(RunShape(data_length=2)).run((), shape_data(RunShape(data_length=2))).value
    (('step', 1), ('step', 2))
    >>> loop = shape_loop(RunShape(data_length=2), record_batches=True)
    >>> loop.run((), [7, 8]).value
    (('step', 1), ('batch', 7), ('step', 2), ('batch', 8))
    """
    step_requests = [r for r in shape.requests if r.kind is None]

    def step(state: State[Trace], batch: object) -> State[Trace]:
        state = state.replace(value=(*state.value, ("step", state.iteration)))
        if record_batches:
            assert isinstance(batch, int)
            state = state.replace(value=(*state.value, ("batch", batch)))
        for request in step_requests:
            if holds(request.when, state.iteration):
                state = _act(state, request.action, f"step {state.iteration}")
        return state

    loop: Loop[Trace, object] = Loop(step)
    for request in shape.requests:
        if request.kind is not None:
            loop.attach(on(request.kind, to_filter(request.when)), _handler(request))
    loop.attach(Signal, _handler(Request(Signal, Atom("always"), "record")))
    return loop


class _Unsized:
    """A re-iterable without ``len``: its length is discovered at its end."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))


def shape_data(shape: RunShape) -> Iterable[object] | None:
    """The shape's data: a list, an unsized re-iterable, a one-shot iterator, or None.

    >>> shape_data(RunShape(data_length=3))
    [0, 1, 2]
    """
    if shape.data_length is None:
        return None
    if shape.one_shot:
        return iter(range(shape.data_length))
    if shape.sized:
        return list(range(shape.data_length))
    return _Unsized(shape.data_length)


def scan_shape(shape: RunShape) -> tuple[tuple[type[Event], ...], bool, State[Trace]]:
    """The kinds ``scan`` fires for ``shape``, whether it failed, and the last state.

    >>> kinds, failed, last = scan_shape(RunShape(data_length=2, max_epochs=1))
    >>> len(kinds), failed, last.iteration
    (12, False, 2)
    """
    kinds: list[type[Event]] = []
    last: State[Trace] = State(value=())
    try:
        for event, state in shape_loop(shape).scan(
            (),
            shape_data(shape),
            max_epochs=shape.max_epochs,
            epoch_length=shape.epoch_length,
            max_iters=shape.max_iters,
        ):
            kinds.append(type(event))
            last = state
    except RunError as error:
        return tuple(kinds), True, error.state
    return tuple(kinds), False, last


def run_shape(shape: RunShape) -> tuple[bool, State[Trace]]:
    """Whether ``run`` failed for ``shape``, and the state it returned (or carried).

    >>> run_shape(RunShape(data_length=2, max_epochs=3))[1].iteration
    6
    """
    try:
        final = shape_loop(shape).run(
            (),
            shape_data(shape),
            max_epochs=shape.max_epochs,
            epoch_length=shape.epoch_length,
            max_iters=shape.max_iters,
        )
    except RunError as error:
        return True, error.state
    return False, final
