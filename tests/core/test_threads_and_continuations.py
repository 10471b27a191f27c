"""Bugs a differential fuzz and a thread probe found in the two-loop core, each pinned here.

- ``run`` and ``scan`` must agree on a terminated run continued, also when ``terminate()`` came
  at the last batch of an epoch (the old fast lane fired ``IterationCompleted`` once more).
- Attaching from several threads loses nothing, and a run while another thread attaches
  neither fails nor sees a half-built table.
- A scan stopped right after ``Completed``, before the events its handlers emitted fired, is
  still running: ``run`` on it fires them (the split law found this one).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable

from hypothesis import assume, given

from foldloop import (
    Completed,
    DataWarning,
    Event,
    IterationCompleted,
    Loop,
    RunError,
    Started,
    State,
    on,
    once,
)
from foldloop.metrics import METRICS, Average, attach_metrics

from .shapes import RunShape, Trace, run_shape, run_shapes, shape_data, shape_loop


def test_a_run_terminated_at_an_epochs_last_batch_continues_alike_in_run_and_scan() -> None:
    loop: Loop[list[int], int] = Loop(lambda s, b: s.replace(value=[*s.value, b]))
    loop.attach(on(IterationCompleted, once(2)), State.terminate)
    stopped = loop.run([], [0, 1], max_epochs=2)
    ran = loop.run(stopped, [0, 1])
    scanned = list(loop.scan(stopped, [0, 1]))[-1][1]
    assert ran == scanned
    assert ran.count(IterationCompleted) == scanned.count(IterationCompleted) == 4
    assert ran.value == [0, 1, 0, 1]


@given(run_shapes(failures=False).filter(lambda s: not s.one_shot))
def test_continuing_an_ended_run_gives_the_same_state_with_run_and_scan(shape: RunShape) -> None:
    loop = shape_loop(shape)
    data = shape_data(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        failed, ended = run_shape(shape)
        assume(not failed and ended.terminated)  # a terminated run has more to do
        ran = _outcome(lambda: [loop.run(ended, data)])
        scanned = _outcome(lambda: [state for _, state in loop.scan(ended, data)] or [ended])
    assert ran == scanned  # the same end, or the same failure with the same last good state


def _outcome(states: Callable[[], list[State[Trace]]]) -> tuple[bool, State[Trace]]:
    """Whether continuing failed, and the last state (or the one the failure carries)."""
    try:
        return False, states()[-1]
    except RunError as error:
        return True, error.state


def test_attaching_from_four_threads_loses_no_attachment() -> None:
    loop: Loop[None, int] = Loop(lambda s, b: s)
    handles = []
    lock = threading.Lock()

    def attach_many() -> None:
        mine = [loop.tap(Started, lambda: None) for _ in range(2000)]
        with lock:
            handles.extend(mine)

    threads = [threading.Thread(target=attach_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(handle.active for handle in handles) and len(handles) == 8000
    seen: list[int] = []
    loop.tap(Started, lambda: seen.append(1))
    loop.run(None, [1])
    for handle in handles:
        handle.remove()
    assert not any(handle.active for handle in handles) and seen == [1]


def test_a_run_goes_on_while_another_thread_attaches_and_detaches() -> None:
    loop: Loop[int, int] = Loop(lambda s, b: s.replace(value=s.value + b))
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            loop.tap(IterationCompleted, lambda: None).remove()

    churner = threading.Thread(target=churn)
    churner.start()
    try:
        final = loop.run(0, list(range(100)), max_epochs=30)
    finally:
        stop.set()
        churner.join(timeout=60)
    assert final.value == 30 * sum(range(100)) and not churner.is_alive()


def test_two_threads_running_one_loop_get_what_one_thread_gets() -> None:
    loop: Loop[float, int] = Loop(lambda s, b: s.replace(value=s.value * 0.5 + b))
    loop.attach(on(IterationCompleted, once(7)), lambda s: s.replace(value=-s.value))
    expected = loop.run(0.0, list(range(50)), max_epochs=20)
    results: list[State[float]] = []

    def run() -> None:
        results.append(loop.run(0.0, list(range(50)), max_epochs=20))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [expected, expected]


def test_an_epoch_wise_average_is_the_same_uninterrupted_and_resumed() -> None:
    # The example: Average over [0, 3] was 1.5 uninterrupted and 2.0 after resuming.
    def averaged(stop_at_last_batch: bool) -> object:
        loop: Loop[float, float] = Loop(lambda s, b: s.replace(value=b))
        attach_metrics(loop, avg=Average(), output_of=lambda value: value)
        if stop_at_last_batch:
            loop.attach(on(IterationCompleted, once(2)), State.terminate)
        state = loop.run(0.0, [0.0, 3.0], max_epochs=2)
        if stop_at_last_batch:
            assert state.terminated
            state = loop.run(state, [0.0, 3.0])
        return state.get(METRICS)

    assert averaged(stop_at_last_batch=True) == averaged(stop_at_last_batch=False) == {"avg": 1.5}


class _Signal(Event):
    pass


def test_a_scan_stopped_right_after_completed_fires_what_its_handlers_emitted_when_run_on() -> None:
    # Found by the split law: a scan stopped at Completed, before the event a Completed handler
    # emitted had fired, gave a state that was not running, and run() returned it as it was.
    loop: Loop[int, int] = Loop(lambda state, batch: state)
    loop.attach(Completed, lambda state: state.emit(_Signal()))
    loop.attach(_Signal, lambda state: state.replace(value=state.value + 1))
    whole = loop.run(0, [1, 2])
    stopped = next(state for event, state in loop.scan(0, [1, 2]) if isinstance(event, Completed))
    assert stopped.running and [type(e) for e in stopped.pending] == [_Signal]
    assert whole.value == 1 and not whole.running
    assert loop.run(stopped, [1, 2]) == whole
    assert [type(event) for event, _ in loop.scan(stopped, [1, 2])] == [_Signal]
