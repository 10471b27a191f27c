"""Taps take (state, event, *args), (state, *args) or (*args); a handle is a context manager."""

from typing import assert_type

from foldloop import Completed, EpochCompleted, Event, Handle, IterationCompleted, Loop, State

loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=batch))
seen: list[object] = []


def log(state: State[int], event: EpochCompleted) -> None:
    seen.append((state.value, event))


def log_value(state: State[int], prefix: str) -> int:
    seen.append(f"{prefix}{state.value}")
    return 0


def ping() -> None:
    seen.append("ping")


assert_type(loop.tap(EpochCompleted, log), Handle)
assert_type(loop.tap(EpochCompleted, lambda state, event: seen.append(event)), Handle)
assert_type(loop.tap(Completed, log_value, "final value: "), Handle)
assert_type(loop.tap(Completed, lambda state: seen.append(state.value)), Handle)
assert_type(loop.tap(Completed, ping), Handle)
assert_type(loop.tap(Completed, lambda: seen.append("done")), Handle)
assert_type(loop.tap(Completed, print), Handle)
assert_type(loop.tap(Completed, print, "done", sep=""), Handle)


def any_event(state: State[int], event: Event) -> None:
    seen.append(event)


with loop.tap(IterationCompleted, any_event) as handle:
    assert_type(handle, Handle)
    assert_type(handle.active, bool)
    assert_type(loop.run(0, [1, 2]), State[int])
handle.remove()
assert_type(loop.has(handle), bool)
assert_type(loop.has(ping, Completed), bool)
loop.detach(ping)
loop.detach(log, EpochCompleted)
