"""TimeLimit: Ignite's rule (elapsed > limit), the decision kept in the state."""

from __future__ import annotations

from pathlib import Path

import pytest

from foldloop import IterationCompleted, Loop, Started, on
from foldloop.handlers import TimeLimit
from foldloop.io import load, save
from foldloop.testing import check_handler_is_pure, make_state


class FakeClock:
    """A clock that advances by ``tick`` seconds at every reading."""

    def __init__(self, start: float, tick: float) -> None:
        self.now, self.tick = start, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def test_stops_when_elapsed_exceeds_the_limit_as_ignite() -> None:
    limit = TimeLimit(3.0, clock=FakeClock(0.0, 1.0))
    loop: Loop[None, int] = Loop(lambda s, b: s)
    loop.attach(on(Started) | on(IterationCompleted), limit)
    final = loop.run(None, range(100))
    # first reading at Started (1.0), then 2, 3, 4 at iterations 1..3: 3.0 is not > 3.0.
    assert final.iteration == 4 and final.terminated
    assert final.get(limit.stopped) == (4, 4.0) and final.get(limit.started) == 1.0


def test_a_resumed_run_keeps_the_decision(tmp_path: Path) -> None:
    limit = TimeLimit(2.0, clock=FakeClock(0.0, 1.0))
    loop: Loop[None, int] = Loop(lambda s, b: s)
    loop.attach(IterationCompleted, limit)
    stopped = loop.run(None, range(10), max_epochs=2)
    resumed = load(save(stopped, tmp_path / "ckpt"), like=stopped)
    final = loop.run(resumed, range(10), max_epochs=2)  # continues; never decides again
    assert final.get(limit.stopped) == stopped.get(limit.stopped) == (4, 3.0)
    assert final.iteration == 20 and not final.terminated


def test_elapsed_counts_from_the_first_reading_across_a_checkpoint(tmp_path: Path) -> None:
    limit = TimeLimit(10.0, clock=lambda: 105.0)
    state = make_state(None, iteration=3, slots={limit.started: 100.0})
    assert not limit(state).terminate_requested
    later = TimeLimit(10.0, clock=lambda: 111.0)
    after = later(load(save(state, tmp_path / "c"), like=state))
    assert after.get(later.stopped) == (3, 11.0) and after.terminate_requested
    check_handler_is_pure(lambda s, e: later(s), state, IterationCompleted())


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), float("nan"), "60"])
def test_a_limit_that_is_not_positive_and_finite_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="limit must be"):
        TimeLimit(bad)  # type: ignore[arg-type]  # the errors tested
