"""Handlers: (state, event, *args) or (state, *args), typed against the loop and the trigger."""

from collections.abc import Callable
from typing import TypeVar, assert_type

from foldloop import (
    EpochCompleted,
    Event,
    Handle,
    Handler,
    IterationCompleted,
    Loop,
    Started,
    State,
    every,
    on,
)

T = TypeVar("T")

loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))


def double(state: State[int], event: IterationCompleted) -> State[int]:
    return state.replace(value=state.value * 2)


def add(state: State[int], event: IterationCompleted, k: int) -> State[int]:
    return state.replace(value=state.value + k)


def scale(state: State[int], k: int, *, by: int = 1) -> State[int]:
    return state.replace(value=state.value * k * by)


def bump(state: State[int]) -> State[int]:
    return state.replace(value=state.value + 1)


def on_any(state: State[int], event: Event) -> State[int]:
    return state


def on_both(state: State[int], event: IterationCompleted | EpochCompleted) -> State[int]:
    return state


def stop(state: State[T]) -> State[T]:
    return state.terminate()


assert_type(loop.attach(IterationCompleted, double), Handle)
assert_type(loop.attach(on(IterationCompleted, every(2)), double), Handle)
loop.attach(IterationCompleted, add, 5)
loop.attach(IterationCompleted, add, k=5)
loop.attach(EpochCompleted, scale, 2)
loop.attach(EpochCompleted, scale, 2, by=3)
loop.attach(Started, bump)
loop.attach(Started, lambda state: state.replace(value=0))
loop.attach(Started, lambda state, k: state.replace(value=k), 7)
# A handler of a wider event type fits any trigger; a union trigger needs a handler of the union.
loop.attach(IterationCompleted, on_any)
loop.attach(on(IterationCompleted) | on(EpochCompleted), on_any)
loop.attach(on(IterationCompleted) | on(EpochCompleted), on_both)
loop.attach(on(IterationCompleted) | EpochCompleted, on_both)
# A generic handler fits every loop.
loop.attach(on(EpochCompleted, every(10)), stop)
named: Handler[int, IterationCompleted] = double
loop.attach(IterationCompleted, named)


# The decorator returns the function unchanged.
@loop.on(on(IterationCompleted, every(2)))
def halve(state: State[int], event: IterationCompleted) -> State[int]:
    return state.replace(value=state.value // 2)


@loop.on(IterationCompleted, 5)
def add_five(state: State[int], event: IterationCompleted, k: int) -> State[int]:
    return state.replace(value=state.value + k)


@loop.on(EpochCompleted)
def count_epochs(state: State[int]) -> State[int]:
    return state.replace(value=state.value + 1)


assert_type(halve, Callable[[State[int], IterationCompleted], State[int]])
# The extra parameters keep their names; the leading (state, event) become positional-only.
assert_type(add_five(State(value=4), IterationCompleted(), k=1), State[int])
assert_type(count_epochs, Callable[[State[int]], State[int]])
assert_type(halve(State(value=4), IterationCompleted()), State[int])
assert_type(add_five(State(value=4), IterationCompleted(), 1), State[int])
assert_type(count_epochs(State(value=0)), State[int])
assert_type(loop.run(0, [1, 2]), State[int])

# KNOWN GAP (not asserted): the decorated function keeps its type except the names of its
# leading parameters, which ``Concatenate`` makes positional-only:
#
#     count_epochs(state=State(value=0))  # mypy: call-arg, Unexpected keyword argument "state"
