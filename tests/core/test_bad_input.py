"""Bad input is refused before any work, with a message that says what and how to fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from foldloop import (
    EpochStarted,
    Event,
    HandlerReturnError,
    IterationCompleted,
    Loop,
    RunError,
    Started,
    State,
    TerminateEpochRefused,
    every,
    on,
)


def _counting_loop() -> tuple[Loop[int, int], list[str]]:
    calls: list[str] = []
    loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))
    loop.tap(Started, lambda: calls.append("started"))
    return loop, calls


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_epochs": -1}, ValueError, r"max_epochs must be >= 1 or None, got -1"),
        ({"max_epochs": 0}, ValueError, r"max_epochs must be >= 1 or None, got 0"),
        ({"max_iters": 0}, ValueError, r"max_iters must be >= 1"),
        ({"epoch_length": 0}, ValueError, r"epoch_length must be >= 1 or None, got 0"),
        ({"epoch_length": -2}, ValueError, r"epoch_length must be >= 1"),
        ({"max_epochs": 2, "max_iters": 5}, ValueError, r"cannot both be given"),
        ({"max_epochs": 1.5}, TypeError, r"max_epochs must be an int"),
    ],
)
def test_bad_limits_are_refused_before_anything_fires(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    loop, calls = _counting_loop()
    with pytest.raises(error, match=message):
        loop.run(0, [1, 2], **kwargs)
    assert calls == []


def test_empty_data_without_epoch_length_is_refused() -> None:
    loop, calls = _counting_loop()
    with pytest.raises(ValueError, match=r"data is empty \(len\(data\) == 0\).*epoch_length=N"):
        loop.run(0, [])
    assert calls == []


def test_no_data_needs_an_epoch_length() -> None:
    loop: Loop[int, None] = Loop(lambda state, batch: state)
    with pytest.raises(ValueError, match="data=None needs epoch_length"):
        loop.run(0, None)


def test_data_must_be_iterable() -> None:
    loop, calls = _counting_loop()
    with pytest.raises(TypeError, match="data must be iterable"):
        loop.run(0, 42)  # type: ignore[arg-type]  # the point is a wrong type
    assert calls == []


def test_an_empty_iterator_of_unknown_length_fails_with_the_state() -> None:
    loop, _ = _counting_loop()
    with pytest.raises(RunError, match="yielded no batch") as caught:
        loop.run(0, iter([]))
    assert caught.value.state.epoch == 1


def test_a_smaller_max_epochs_than_the_state_reached_is_refused() -> None:
    loop, _ = _counting_loop()
    done = loop.run(0, [1], max_epochs=3)
    with pytest.raises(ValueError, match=r"max_epochs=2 is below the state's epoch 3"):
        loop.run(done, [1], max_epochs=2)


def test_another_epoch_length_for_a_running_state_is_refused() -> None:
    loop, _ = _counting_loop()
    done = loop.run(0, [1, 2], max_epochs=1)
    with pytest.raises(ValueError, match="epoch_length=5 differs from the state's 2"):
        loop.run(done, [1, 2], max_epochs=2, epoch_length=5)


@pytest.mark.parametrize("returned", [None, 3, "state"])
def test_a_handler_that_returns_no_state_is_named(returned: object) -> None:
    def sloppy(state: State[int]) -> State[int]:
        return returned  # type: ignore[return-value]  # the point is a wrong return

    loop, _ = _counting_loop()
    loop.attach(IterationCompleted, sloppy)
    with pytest.raises(RunError) as caught:
        loop.run(0, [1, 2])
    cause = caught.value.__cause__
    assert isinstance(cause, HandlerReturnError)
    assert "handler 'test_a_handler_that_returns_no_state_is_named.<locals>.sloppy'" in str(cause)
    assert "on IterationCompleted" in str(cause) and repr(returned) in str(cause)
    assert caught.value.state.iteration == 1
    assert caught.value.state.count(IterationCompleted) == 0  # the failed event rolled back


def test_a_step_that_returns_no_state_is_named() -> None:
    loop: Loop[int, int] = Loop(lambda state, batch: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(RunError, match=r"the step '.*<lambda>' returned None") as caught:
        loop.run(0, [1])
    assert isinstance(caught.value.__cause__, HandlerReturnError)


def test_a_handler_whose_arity_cannot_fit_is_refused_at_attach() -> None:
    def three(state: State[int], event: Event, extra: int, more: int) -> State[int]:
        return state

    loop, _ = _counting_loop()
    with pytest.raises(TypeError, match=r"three\(state: .*cannot be called as"):
        loop.attach(IterationCompleted, three)  # type: ignore[call-overload]  # wrong arity
    with pytest.raises(TypeError, match=r"with extra arguments 1, 2, 3, 4"):
        loop.attach(IterationCompleted, three, 1, 2, 3, 4)  # type: ignore[call-overload]


def test_a_tap_whose_arity_cannot_fit_is_refused_at_attach() -> None:
    loop, _ = _counting_loop()
    with pytest.raises(TypeError, match=r"\(state, event, \*args\) or \(state, \*args\) or"):
        loop.tap(Started, lambda a, b, c, d: None)  # type: ignore[call-overload]


@pytest.mark.parametrize("trigger", [int, "IterationCompleted", IterationCompleted(), None])
def test_a_trigger_that_is_not_an_event_kind_is_refused(trigger: object) -> None:
    loop, _ = _counting_loop()
    with pytest.raises(TypeError, match=r"a trigger needs an event kind"):
        loop.attach(trigger, lambda state: state)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"a trigger needs an event kind"):
        on(trigger)  # type: ignore[arg-type]  # the point is a wrong type


def test_a_filter_given_as_an_extra_argument_is_refused_with_the_fix() -> None:
    loop, _ = _counting_loop()
    with pytest.raises(TypeError, match=r"loop.attach\(on\(IterationCompleted, every\(2\)\), fn\)"):
        loop.attach(IterationCompleted, lambda state, n: state, every(2))


def test_a_non_filter_as_filter_is_refused() -> None:
    with pytest.raises(TypeError, match="takes a filter such as every"):
        on(IterationCompleted, 3)  # type: ignore[arg-type]  # the point is a wrong type


def test_a_step_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="Loop takes a step function"):
        Loop(3)  # type: ignore[arg-type]  # the point is a wrong type


def test_emitting_a_non_event_is_refused() -> None:
    with pytest.raises(TypeError, match=r"subclass of foldloop\.Event"):
        State(value=0).emit("done")  # type: ignore[arg-type]  # the point is a wrong type


def test_terminate_epoch_where_there_is_no_epoch_is_refused_and_nothing_lost() -> None:
    loop, _ = _counting_loop()
    loop.attach(EpochStarted, lambda state: state.terminate_epoch())
    with pytest.raises(RunError) as caught:
        loop.run(0, [1, 2])
    assert isinstance(caught.value.__cause__, TerminateEpochRefused)
    assert "request it from an iteration-level event" in str(caught.value.__cause__)
    assert caught.value.state.epoch == 1
    assert not caught.value.state.terminate_epoch_requested


def test_detaching_what_is_not_attached_is_refused() -> None:
    loop, _ = _counting_loop()
    with pytest.raises(ValueError, match="is not attached to this loop"):
        loop.detach(print)


def test_a_slot_with_nothing_and_no_default_says_how_to_fix() -> None:
    from foldloop import Slot

    with pytest.raises(KeyError, match="put a value first or give the slot a default"):
        State(value=0).get(Slot[int]("best"))


def test_run_errors_name_what_failed() -> None:
    def boom(state: State[int]) -> State[int]:
        raise ZeroDivisionError("no")

    loop, _ = _counting_loop()
    loop.attach(on(IterationCompleted, every(2)), boom)
    with pytest.raises(
        RunError,
        match=r"handler '.*boom' on IterationCompleted failed at "
        r"epoch 1, iteration 2: ZeroDivisionError: no",
    ) as caught:
        loop.run(0, [1, 2, 3])
    assert caught.value.event == IterationCompleted()
    assert caught.value.origin.startswith("handler")


def test_a_union_of_bare_kinds_is_refused_with_the_spelling_that_works() -> None:
    loop, _ = _counting_loop()
    with pytest.raises(TypeError, match=r"write on\(Started\) \| on\(EpochStarted\)"):
        loop.attach(Started | EpochStarted, lambda state: state)  # type: ignore[call-overload]


def _mid_epoch_of_unknown_length(iterations: int) -> State[int]:
    """The state after ``iterations`` iterations of an epoch whose unsized data has not ended."""
    loop, _ = _counting_loop()
    for event, state in loop.scan(0, iter(range(10))):
        if isinstance(event, IterationCompleted) and state.iteration == iterations:
            assert state.epoch_length is None
            return state
    raise AssertionError("unreachable: the data has 10 batches")


@pytest.mark.parametrize(
    ("data", "epoch_length", "source"),
    [([1, 2, 3], None, "len\\(data\\) gives"), (iter(range(9)), 2, "epoch_length gives")],
)
def test_a_length_shorter_than_the_epoch_so_far_is_refused(
    data: Iterable[int], epoch_length: int | None, source: str
) -> None:
    loop, calls = _counting_loop()
    state = _mid_epoch_of_unknown_length(iterations=4)
    with pytest.raises(ValueError, match=f"at iteration 4 of epoch 1, past the .* {source}"):
        loop.run(state, data, epoch_length=epoch_length)
    assert calls == []
