"""Attaching, removing and calling handlers and taps; emission and termination rules."""

from __future__ import annotations

import attrs

from foldloop import (
    Completed,
    EpochCompleted,
    EpochStarted,
    EpochTerminated,
    Event,
    GetBatchCompleted,
    IterationCompleted,
    IterationStarted,
    Loop,
    Slot,
    Started,
    State,
    Terminated,
    every,
    on,
    once,
)

Trace = list[str]


def _loop() -> Loop[int, int]:
    return Loop(lambda state, batch: state.replace(value=state.value + batch))


def _names(loop: Loop[int, int], data: list[int], **kwargs: int) -> Trace:
    return [type(e).__name__ for e, _ in loop.scan(0, data, **kwargs)]


def test_handlers_take_state_and_event_or_state_and_extra_arguments() -> None:
    loop = _loop()
    seen: list[object] = []

    def with_event(state: State[int], event: Event, tag: str, *, scale: int) -> State[int]:
        seen.append((type(event).__name__, tag, scale))
        return state

    def without_event(state: State[int], bump: int) -> State[int]:
        return state.replace(value=state.value + bump)

    loop.attach(Completed, with_event, "done", scale=3)
    loop.attach(EpochCompleted, without_event, 100)
    assert loop.run(0, [1, 2]).value == 103
    assert seen == [("Completed", "done", 3)]


def test_handlers_run_in_attach_order_and_before_every_tap() -> None:
    loop = _loop()
    order: list[str] = []
    slot = Slot("computed", 0)

    def put(state: State[int], name: str, value: int) -> State[int]:
        order.append(name)
        return state.put(slot, value)

    loop.tap(EpochCompleted, lambda state: order.append(f"tap sees {state.get(slot)}"))
    loop.attach(EpochCompleted, put, "first", 1)
    loop.attach(EpochCompleted, put, "second", 2)
    loop.run(0, [1])
    assert order == ["first", "second", "tap sees 2"]


def test_taps_may_take_nothing_and_their_results_are_ignored() -> None:
    loop = _loop()
    calls: list[str] = []

    def bare() -> int:
        calls.append("no args")
        return 42

    loop.tap(Started, bare)
    loop.tap(Started, lambda state, event: calls.append(type(event).__name__))
    assert loop.run(0, [1]).value == 1
    assert calls == ["no args", "Started"]


def test_decorator_returns_the_function_unchanged() -> None:
    loop = _loop()

    @loop.on(on(IterationCompleted, every(2)), 10)
    def bump(state: State[int], by: int) -> State[int]:
        return state.replace(value=state.value + by)

    assert bump(State(value=1), 5).value == 6  # still a plain function: test it by calling it
    assert loop.run(0, [0, 0, 0, 0]).value == 20


def test_a_handle_removes_its_attachment_and_is_a_context_manager() -> None:
    loop = _loop()
    seen: list[int] = []
    with loop.tap(IterationCompleted, lambda state: seen.append(state.iteration)) as handle:
        loop.run(0, [1, 2])
        assert loop.has(handle)
    assert not handle.active and not loop.has(handle)
    loop.run(0, [1, 2])
    assert seen == [1, 2]
    handle.remove()  # a second removal is harmless


def test_detach_by_function_and_by_trigger() -> None:
    loop = _loop()

    def h(state: State[int]) -> State[int]:
        return state.replace(value=state.value + 1000)

    loop.attach(on(Started) | on(Completed), h)
    assert loop.has(h) and loop.has(h, Started)
    loop.detach(h, Started)
    assert not loop.has(h, Started) and loop.has(h, Completed)
    assert loop.run(0, [1]).value == 1001
    loop.detach(h)
    assert not loop.has(h)


def test_or_of_triggers_fires_once_per_event_even_when_both_filters_pass() -> None:
    loop = _loop()
    fired: list[int] = []
    trigger = on(IterationCompleted, every(2)) | on(IterationCompleted, every(3))
    loop.tap(trigger, lambda state: fired.append(state.iteration))
    loop.run(0, list(range(12)))
    assert fired == [2, 3, 4, 6, 8, 9, 10, 12]  # 6 and 12 once each (Ignite: twice)


def test_a_bare_kind_and_a_trigger_combine() -> None:
    loop = _loop()
    fired: list[str] = []
    # `Started | on(...)` works too at run time, but mypy reads `type | x` as a type union.
    loop.tap(on(Started) | Completed, lambda state, event: fired.append(type(event).__name__))
    loop.run(0, [1])
    assert fired == ["Started", "Completed"]


@attrs.frozen
class Checkpointed(Event):
    iteration: int


@attrs.frozen
class Logged(Event):
    what: str


def test_emitted_events_fire_after_the_current_events_handlers_and_taps_in_order() -> None:
    loop = _loop()
    trace: list[str] = []
    loop.attach(on(IterationCompleted, every(2)), lambda s: s.emit(Checkpointed(s.iteration)))
    loop.attach(on(IterationCompleted, every(2)), lambda s: s.emit(Logged("second")))
    loop.tap(IterationCompleted, lambda s: trace.append(f"tap IC {s.iteration}"))

    def on_checkpoint(state: State[int], event: Checkpointed) -> State[int]:
        trace.append(f"ckpt {event.iteration}")
        return state.emit(Logged("from ckpt"))

    loop.attach(Checkpointed, on_checkpoint)
    loop.tap(Logged, lambda s, e: trace.append(f"log {e.what}"))
    loop.run(0, [1, 2])
    assert trace == [
        "tap IC 1",
        "tap IC 2",
        "ckpt 2",
        "log second",
        "log from ckpt",  # joined the back of the queue
    ]


def test_custom_events_are_counted_and_filterable_without_registration() -> None:
    loop = _loop()
    loop.attach(IterationCompleted, lambda s: s.emit(Logged("x")))
    fired: list[int] = []
    loop.tap(on(Logged, every(3)), lambda s: fired.append(s.count(Logged)))
    final = loop.run(0, list(range(10)))
    assert fired == [3, 6, 9]
    assert final.count(Logged) == 10


def test_the_step_may_emit_events_that_fire_before_iteration_completed() -> None:
    loop: Loop[int, int] = Loop(lambda s, b: s.emit(Logged(f"step {b}")))
    names: list[str] = [
        type(e).__name__
        for e, _ in loop.scan(0, [7])
        if isinstance(e, (Logged, IterationStarted, IterationCompleted))
    ]
    assert names == ["IterationStarted", "Logged", "IterationCompleted"]


def test_terminate_inside_an_epoch_skips_its_epoch_completed() -> None:
    loop = _loop()
    loop.attach(on(IterationCompleted, once(3)), lambda s: s.terminate())
    trace = _names(loop, [1, 2, 3, 4], max_epochs=2)
    assert trace[-4:] == ["IterationStarted", "IterationCompleted", "Terminated", "Completed"]
    assert "EpochCompleted" not in trace


def test_terminate_wins_over_terminate_epoch() -> None:
    loop = _loop()
    loop.attach(on(IterationCompleted, once(2)), lambda s: s.terminate_epoch().terminate())
    trace = _names(loop, [1, 2, 3], max_epochs=2)
    assert "EpochTerminated" not in trace and trace[-2:] == ["Terminated", "Completed"]


def test_terminate_epoch_cuts_the_epoch_and_restarts_the_data() -> None:
    loop: Loop[list[int], int] = Loop(lambda s, b: s.replace(value=[*s.value, b]))
    loop.attach(on(IterationCompleted, once(2)), lambda s: s.terminate_epoch())
    kinds = [type(e) for e, _ in loop.scan([], [10, 20, 30], max_epochs=2)]
    assert kinds.count(EpochTerminated) == 1 and kinds.count(EpochCompleted) == 2
    assert loop.run([], [10, 20, 30], max_epochs=2).value == [10, 20, 10, 20, 30]


def test_a_terminated_run_picks_up_where_it_stopped_mid_epoch() -> None:
    loop: Loop[list[int], int] = Loop(lambda s, b: s.replace(value=[*s.value, b]))
    stop = loop.attach(on(IterationCompleted, once(2)), lambda s: s.terminate())
    first = loop.run([], [1, 2, 3], max_epochs=2)
    assert first.terminated and first.value == [1, 2] and not first.running
    stop.remove()
    second = loop.run(first, [1, 2, 3])
    assert second.value == [1, 2, 3, 1, 2, 3]
    assert second.count(Started) == 2 and second.count(EpochStarted) == 2
    assert second.count(Terminated) == 1 and not second.terminated


def test_a_larger_max_epochs_extends_a_finished_run() -> None:
    loop = _loop()
    two = loop.run(0, [1, 2], max_epochs=2)
    four = loop.run(two, [1, 2], max_epochs=4)
    assert (four.epoch, four.iteration, four.value) == (4, 8, 12)
    assert four.count(Started) == 2 and four.count(GetBatchCompleted) == 8


def test_a_plain_value_is_a_fresh_state() -> None:
    assert _loop().run(5, [1]).value == 6
