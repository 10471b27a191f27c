"""``@loop.tap(trigger)`` and the refusals that point IO-only handlers at ``tap``."""

from __future__ import annotations

import pytest

from foldloop import EpochCompleted, IterationCompleted, Loop, RunError, State, every, on


def test_tap_decorator_attaches_and_gives_the_function_back() -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
    seen: list[int] = []

    @loop.tap(on(IterationCompleted, every(2)))
    def record(state: State[int]) -> None:
        seen.append(state.value)

    @loop.tap(EpochCompleted)
    def bare() -> None:
        seen.append(-1)

    assert loop.has(record) and loop.has(bare)
    record(State(value=7))  # still the plain function
    assert loop.run(0, [1, 2, 3, 4]).value == 10
    assert seen == [7, 3, 10, -1]


def test_tap_decorator_refuses_extra_arguments() -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s)
    with pytest.raises(TypeError, match=r"loop.tap\(trigger, fn, \*args\)"):
        loop.tap(EpochCompleted, None, 3)  # type: ignore[call-overload]  # the refusal tested


def test_a_handler_that_takes_no_state_is_told_to_be_a_tap() -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s)

    def show() -> None:
        print("x")

    with pytest.raises(
        TypeError, match=r"make it a tap with loop\.tap\(on\(EpochCompleted\), show\)"
    ):
        loop.attach(EpochCompleted, show)  # type: ignore[call-overload]  # the refusal tested
    with pytest.raises(TypeError, match=r"@loop\.tap\(on\(EpochCompleted\)\)"):
        loop.on(EpochCompleted)(lambda: None)  # type: ignore[arg-type, misc]  # the refusal tested


def test_a_handler_that_returns_none_is_told_to_be_a_tap() -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s)

    def report(state: State[int]) -> None:
        pass

    loop.attach(EpochCompleted, report)  # type: ignore[call-overload]  # the refusal tested
    with pytest.raises(RunError) as caught:
        loop.run(0, [1])
    message = str(caught.value.__cause__)
    assert "returned None" in message
    assert "loop.tap(EpochCompleted, report) or @loop.tap(EpochCompleted)" in message
