"""Turning a run shape into a real loop and data, to run it against the reference model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from foldloop.core import Event, Loop, RunError, State, on, once

from ._shapes import Action, Request, RunShape


class ShapeFailure(Exception):
    """Raised by a shape's handler or step where its requests say ``"raise"``."""


def _act(state: State[int], action: Action, where: str) -> State[int]:
    if action == "raise":
        raise ShapeFailure(where)
    if action == "terminate":
        return state.terminate()
    return state.terminate_epoch()


def _handler(request: Request) -> Callable[[State[int], Event], State[int]]:
    def handler(state: State[int], event: Event) -> State[int]:
        return _act(state, request.action, f"{type(event).__name__} #{request.count}")

    return handler


def shape_loop(shape: RunShape) -> Loop[int, object]:
    """A loop whose step counts its calls in the value and whose handlers make the requests.

    >>> shape_loop(RunShape(data_length=2)).run(0, shape_data(RunShape(data_length=2))).value
    2
    """
    step_requests = [r for r in shape.requests if r.kind is None]

    def step(state: State[int], batch: object) -> State[int]:
        state = state.replace(value=state.value + 1)
        for request in step_requests:
            if request.count == state.iteration:
                state = _act(state, request.action, f"step {state.iteration}")
        return state

    loop: Loop[int, object] = Loop(step)
    for request in shape.requests:
        if request.kind is not None:
            loop.attach(on(request.kind, once(request.count)), _handler(request))
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


def scan_shape(shape: RunShape) -> tuple[tuple[type[Event], ...], bool, State[int]]:
    """The kinds ``scan`` fires for ``shape``, whether it failed, and the last state.

    >>> kinds, failed, last = scan_shape(RunShape(data_length=2, max_epochs=1))
    >>> len(kinds), failed, last.iteration
    (12, False, 2)
    """
    kinds: list[type[Event]] = []
    last: State[int] = State(value=0)
    try:
        for event, state in shape_loop(shape).scan(
            0,
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


def run_shape(shape: RunShape) -> tuple[bool, State[int]]:
    """Whether ``run`` failed for ``shape``, and the state it returned (or carried).

    >>> run_shape(RunShape(data_length=2, max_epochs=3))[1].iteration
    6
    """
    try:
        final = shape_loop(shape).run(
            0,
            shape_data(shape),
            max_epochs=shape.max_epochs,
            epoch_length=shape.epoch_length,
            max_iters=shape.max_iters,
        )
    except RunError as error:
        return True, error.state
    return False, final
