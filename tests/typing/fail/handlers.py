"""Handlers and taps that do not fit the loop's state type, the trigger or their arguments."""

from foldloop import (
    EpochCompleted,
    IterationCompleted,
    Loop,
    Started,
    State,
    every,
    on,
)

loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))


def on_epoch(state: State[int], event: EpochCompleted) -> State[int]:
    return state


def on_iteration(state: State[int], event: IterationCompleted) -> State[int]:
    return state


def add(state: State[int], event: IterationCompleted, k: int) -> State[int]:
    return state.replace(value=state.value + k)


def scale(state: State[int], *, by: int) -> State[int]:
    return state.replace(value=state.value * by)


def returns_none(state: State[int]) -> None:
    return None


def returns_int(state: State[int]) -> int:
    return state.value


def returns_text_state(state: State[int]) -> State[str]:
    return State(value=str(state.value))


def for_text(state: State[str], event: IterationCompleted) -> State[str]:
    return state


# A handler for another event kind.
loop.attach(IterationCompleted, on_epoch)  # E: call-overload
loop.attach(on(IterationCompleted, every(2)), on_epoch)  # E: call-overload
# A handler of one kind on a trigger of two.
loop.attach(on(IterationCompleted) | on(EpochCompleted), on_iteration)  # E: call-overload
# Wrong or missing extra arguments.
loop.attach(IterationCompleted, add, "x")  # E: call-overload
loop.attach(IterationCompleted, add, k="x")  # E: call-overload
loop.attach(IterationCompleted, add)  # E: call-overload
loop.attach(IterationCompleted, add, 1, 2)  # E: call-overload
loop.attach(EpochCompleted, scale, by=1.5)  # E: call-overload
# A filter given as an extra argument instead of in the trigger.
loop.attach(IterationCompleted, on_iteration, every(2))  # E: call-overload
# A handler that does not return the next state.
loop.attach(IterationCompleted, returns_none)  # E: call-overload
loop.attach(IterationCompleted, returns_int)  # E: call-overload
loop.attach(IterationCompleted, returns_text_state)  # E: call-overload
loop.attach(Started, lambda state: None)  # E: call-overload
# A handler for another state type.
loop.attach(IterationCompleted, for_text)  # E: call-overload
# Not an event kind.
loop.attach(int, on_iteration)  # E: call-overload
loop.attach(IterationCompleted(), on_iteration)  # E: call-overload


# The decorator checks the return type too (the error is on the decorator's line).
@loop.on(IterationCompleted)  # E: arg-type
def no_state(state: State[int], event: IterationCompleted) -> None:
    return None


@loop.on(EpochCompleted)  # E: arg-type
def text_state(state: State[str]) -> State[str]:
    return state


# Taps: another state type, another event kind, wrong extra arguments.
def tap_text(state: State[str]) -> None:
    return None


def tap_epoch(state: State[int], event: EpochCompleted) -> None:
    return None


def tap_label(state: State[int], label: str) -> None:
    return None


loop.tap(Started, tap_text)  # E: call-overload
loop.tap(Started, tap_epoch)  # E: call-overload
loop.tap(Started, tap_label, 3)  # E: call-overload
loop.tap(Started, tap_label)  # E: call-overload
loop.tap(int, print)  # E: call-overload


# The decorator form checks the event kind when it has no extra arguments; with extra
# arguments it cannot (use attach for that check).


@loop.on(IterationCompleted)  # E: arg-type
def wrong_kind(state: State[int], event: EpochCompleted) -> State[int]:
    return state


@loop.on(IterationCompleted)  # E: arg-type
def missing_arg(state: State[int], event: IterationCompleted, k: int) -> State[int]:
    return state
