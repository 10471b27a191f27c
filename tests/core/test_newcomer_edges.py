"""The sharp edges a newcomer from Ignite hit (issue 14): each one refused before any work,
with a message that says what to write instead, or made to work as a user expects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from foldloop import (
    DataExhausted,
    Event,
    HandlerReturnError,
    IterationCompleted,
    Loop,
    RunError,
    Slot,
    Started,
    State,
    before,
    on,
    where,
)


def _watched() -> tuple[Loop[int, Any], list[str]]:
    """A loop that adds its batches, and the names of the events it fired (nothing fired
    means the refusal came before any work)."""
    fired: list[str] = []
    loop: Loop[int, Any] = Loop(lambda state, batch: state)
    loop.tap(Started, lambda: fired.append("Started"))
    return loop, fired


def _generator() -> Iterator[int]:
    yield 1
    yield 2


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (
            _generator,
            {"max_epochs": 2},
            r"one-shot iterator \(generator\) of unknown length.*epoch_length=N",
        ),
        (list, {"epoch_length": 2}, r"the data is empty \(len\(data\) == 0\)"),
        (lambda: {"x": 1}, {}, r"dict: iterating it gives its keys only.*list\(d.items\(\)\)"),
        (lambda: "text", {}, r"str: iterating it gives one character.*\[text\]"),
        (lambda: b"ab", {}, "bytes: iterating it gives one character"),
        (lambda: {1, 2}, {}, r"set, whose order is not fixed.*sorted\(s\)"),
        (lambda: np.array(3), {}, r"0-d ndarray \(one number\).*pass \[x\]"),
        (lambda: torch.tensor(3), {}, r"0-d Tensor \(one number\).*pass \[x\]"),
    ],
    ids=["generator-2-epochs", "empty-list", "dict", "str", "bytes", "set", "0d-numpy", "0d-torch"],
)
def test_data_that_cannot_be_a_sequence_of_batches_is_refused_before_any_event(
    data: Any, kwargs: dict[str, int], message: str
) -> None:
    loop, fired = _watched()
    with pytest.raises((TypeError, ValueError), match=message):
        loop.run(0, data(), **kwargs)
    assert fired == []


def test_a_generator_with_epoch_length_still_spans_epochs() -> None:
    loop, _ = _watched()
    final = loop.run(0, iter(range(6)), max_epochs=3, epoch_length=2)
    assert (final.epoch, final.iteration) == (3, 6)


def test_run_without_the_initial_state_names_the_foldloop_spelling() -> None:
    loop, fired = _watched()
    written = re.escape("loop.run(initial, data, max_epochs=2)")
    with pytest.raises(TypeError, match=f"takes the initial state.*{written}"):
        loop.run([1, 2], max_epochs=2)  # type: ignore[call-overload]  # Ignite's habit
    assert fired == []


def test_two_slots_of_one_name_cannot_give_a_text_slot_a_number() -> None:
    count, label = Slot("x", 0), Slot("x", "none")
    state = State(value=None).put(count, 5)
    with pytest.raises(TypeError, match=r"two slots named 'x' share one key.*its own name"):
        state.get(label)
    with pytest.raises(TypeError, match="two slots named 'x'"):
        state.put(label, 7)  # type: ignore[misc]  # the mistake mypy also catches
    assert state.get(Slot("x", 0.5)) == 5  # numbers of either type share a slot


def test_a_tap_returning_a_changed_state_fails_instead_of_being_dropped() -> None:
    class Noticed(Event):
        pass

    loop, _ = _watched()
    loop.tap(Started, lambda state: state.emit(Noticed()))
    with pytest.raises(RunError) as raised:
        loop.run(0, [1])
    assert isinstance(raised.value.__cause__, HandlerReturnError)
    assert "returned a changed state" in str(raised.value.__cause__)
    assert "loop.attach(trigger, fn)" in str(raised.value.__cause__)


def test_a_tap_may_return_the_state_it_was_given() -> None:
    loop, _ = _watched()
    loop.tap(Started, lambda state: state)
    assert loop.run(0, [1]).iteration == 1


@pytest.mark.parametrize("n", [0, 1])
def test_before_zero_or_one_would_never_pass_and_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match=rf"before\({n}\) never passes.*once\(1\) or never"):
        before(n)


def test_a_default_parameter_would_receive_the_event_so_it_is_refused() -> None:
    def scale(state: State[int], factor: int = 2) -> State[int]:
        return state.replace(value=state.value * factor)

    loop, _ = _watched()
    with pytest.raises(TypeError, match="the event replacing the default of factor=2") as raised:
        loop.attach(Started, scale)
    assert "def scale(state, event, factor=2)" in str(raised.value)
    loop.attach(Started, scale, 3)  # given, factor is no longer a default
    assert loop.run(1, [1]).value == 3


def test_a_where_predicate_that_cannot_take_state_and_event_is_refused_when_built() -> None:
    with pytest.raises(TypeError, match=r"predicate\(state, event\).*lambda state, event"):
        where(lambda state: True)  # type: ignore[arg-type, misc]  # the mistake refused


def test_the_unclear_and_silent_ones_now_say_what_to_write() -> None:
    state = State(value=0)
    with pytest.raises(TypeError, match=r"state.get\(\) takes a Slot.*state.get\(BEST\)"):
        state.get("best")  # type: ignore[arg-type]  # a name, not a slot
    with pytest.raises(TypeError, match=r"state.put\(\) takes a Slot"):
        state.put("best", 1.0)  # type: ignore[arg-type]  # the same
    with pytest.raises(TypeError, match=r"count\(\) takes an event kind.*got 'IterationCompleted'"):
        state.count("IterationCompleted")  # type: ignore[arg-type]  # a name, not the class
    with pytest.raises(TypeError, match="fired by the loop"):
        state.emit(IterationCompleted())
    with pytest.raises(TypeError, match="Event is the base of all kinds"):
        state.emit(Event())
    with pytest.raises(TypeError, match=r"Event is the base of them all.*on\(EpochCompleted\)"):
        _watched()[0].attach(Event, lambda state: state)
    with pytest.raises(TypeError, match=r"Slot\(name, default\) takes a non-empty str"):
        Slot(3, 0)  # type: ignore[arg-type]  # the name is the checkpoint key


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epoch": -5}, "epoch must be >= 0, got -5"),
        ({"iteration": -3}, "iteration must be >= 0, got -3"),
        ({"max_epochs": -1}, "max_epochs must be >= 1 or None, got -1"),
        ({"epoch_length": 0}, "epoch_length must be >= 1 or None, got 0"),
        ({"max_iters": -1}, "max_iters must be >= 1 or None, got -1"),
    ],
)
def test_a_state_cannot_be_built_at_a_negative_position(
    kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        State(value=0, **kwargs)  # type: ignore[arg-type]  # mypy cannot match the keys


@pytest.mark.parametrize("kwargs", [{"epoch_length": 0}, {"max_iters": -1}])
def test_run_refuses_empty_limits_before_any_event(kwargs: dict[str, int]) -> None:
    loop, fired = _watched()
    with pytest.raises(ValueError, match=">= 1 or None"):
        loop.run(0, [1, 2], **kwargs)
    assert fired == []


def test_put_never_writes_into_a_dict_the_caller_holds() -> None:
    slot = Slot("s", 0)
    first = State(value=0).put(slot, 1)
    second = first.put(slot, 2)
    assert (first.get(slot), second.get(slot)) == (1, 2)


class Shards:
    """The issue's data: its second pass cannot be opened."""

    def __init__(self) -> None:
        self.opened = 0

    def __len__(self) -> int:
        return 3

    def __iter__(self) -> Iterator[int]:
        self.opened += 1
        if self.opened == 2:
            raise OSError("cannot open shard")
        return iter([1, 2, 3])


def test_data_that_cannot_be_opened_again_raises_a_run_error_with_the_progress() -> None:
    loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))
    shards = Shards()
    with pytest.raises(RunError, match="opening the data failed") as raised:
        loop.run(0, shards, max_epochs=3)
    assert isinstance(raised.value.__cause__, OSError)
    assert (raised.value.state.iteration, raised.value.state.value) == (3, 6)
    assert loop.run(raised.value.state, shards).value == 18  # the third opening works


def test_extending_a_finished_run_continues_its_pass_a_documented_difference() -> None:
    exhausted: list[int] = []
    loop: Loop[list[int], int] = Loop(
        lambda state, batch: state.replace(value=[*state.value, batch])
    )
    loop.tap(DataExhausted, lambda state: exhausted.append(state.iteration))
    first = loop.run([], [1, 2], max_epochs=1)
    extended = loop.run(first, [1, 2], max_epochs=2)
    assert exhausted == [2]  # the old pass ends at the first fetch; Ignite starts a new one
    assert extended.value == loop.run([], [1, 2], max_epochs=2).value == [1, 2, 1, 2]
    concepts = (Path(__file__).parents[2] / "docs" / "concepts.md").read_text()
    assert "a larger `max_epochs` on a finished run" in concepts


def test_on_filters_refuse_a_predicate_at_the_trigger_too() -> None:
    with pytest.raises(TypeError, match="cannot take those two arguments"):
        on(IterationCompleted, where(lambda: True))  # type: ignore[arg-type, misc]
