"""Profiler: data, step and listener times from an injected clock; detaching restores all."""

from __future__ import annotations

from foldloop import EpochCompleted, IterationCompleted, Loop, State
from foldloop.handlers import Profiler, Timing


class Clock:
    """A clock that the step, the data and the listeners move on by known amounts."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def test_times_come_from_the_clock() -> None:
    clock = Clock()

    def step(state: State[int], batch: int) -> State[int]:
        clock.tick(1.0)
        return state.replace(value=state.value + batch)

    def data() -> list[int]:
        return [1, 2, 3]

    def slow_handler(state: State[int]) -> State[int]:
        clock.tick(0.25)
        return state

    loop: Loop[int, int] = Loop(step)
    loop.attach(IterationCompleted, slow_handler)
    loop.tap(EpochCompleted, lambda: clock.tick(2.0))
    profiler = Profiler(clock)
    with profiler.attach(loop):
        final = loop.run(0, data())
    assert final.value == 6
    results = profiler.results()
    assert results["loop"] == {"data": Timing(0.0, 3), "step": Timing(3.0, 3)}
    assert results["events"] == {
        "IterationCompleted": Timing(0.75, 3),
        "EpochCompleted": Timing(2.0, 1),
    }
    listeners = {name.rsplit(".", 1)[-1]: t for name, t in results["listeners"].items()}
    assert listeners["slow_handler"] == Timing(0.75, 3)
    assert listeners["<lambda>"] == Timing(2.0, 1)
    assert profiler.as_dict()["loop"]["step"] == {"total": 3.0, "count": 3.0, "mean": 1.0}
    assert "slow_handler" in profiler.table()


def test_detaching_restores_every_call() -> None:
    loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))

    def keep(state: State[int]) -> State[int]:
        return state

    handle = loop.attach(IterationCompleted, keep)
    before = [a.call for a in loop._registry.attachments.values()]
    profiler = Profiler()
    handles = profiler.attach(loop)
    assert next(a.call for a in loop._registry.attachments.values()) is not before[0]
    loop.run(0, [1])
    handles.remove()
    handles.remove()  # twice: harmless
    assert [a.call for a in loop._registry.attachments.values()] == before
    assert handle.active and loop.has(keep)
    counted = profiler.results()
    loop.run(0, [1, 2])
    assert profiler.results() == counted  # nothing timed any more
