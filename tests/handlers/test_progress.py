"""ProgressBar: a bar per epoch or per run, closed however the run ends, quiet when asked."""

from __future__ import annotations

import io
from typing import assert_type

import pytest

from foldloop import Loop, RunError, State
from foldloop.handlers import ProgressBar


def adding_loop(fail_at: int | None = None) -> Loop[float, float]:
    def step(state: State[float], batch: float) -> State[float]:
        if state.iteration == fail_at:
            raise RuntimeError("boom")
        return state.replace(value=state.value + batch)

    return Loop(step)


def test_one_bar_per_epoch_with_values() -> None:
    out = io.StringIO()
    bar = ProgressBar({"total": lambda s: s.value}, file=out, disable=False, mininterval=0)
    loop = adding_loop()
    with bar.attach(loop):
        loop.run(0.0, [1.0, 2.0, 3.0], max_epochs=2)
    text = out.getvalue()
    assert "train epoch 1/2" in text and "train epoch 2/2" in text
    assert "3/3" in text and "total=12" in text
    assert bar._bar is None


def test_one_bar_per_run() -> None:
    out = io.StringIO()
    loop = adding_loop()
    bar: ProgressBar[float] = ProgressBar(per="run", file=out, disable=False, mininterval=0)
    with bar.attach(loop):
        loop.run(0.0, [1.0, 2.0], max_epochs=3)
    assert "6/6" in out.getvalue() and "epoch" not in out.getvalue()


def test_the_bar_closes_on_failure_and_reopens_when_resumed() -> None:
    out = io.StringIO()
    bar: ProgressBar[float] = ProgressBar(file=out, disable=False, mininterval=0)
    with bar.attach(failing := adding_loop(fail_at=2)), pytest.raises(RunError) as caught:
        failing.run(0.0, [1.0, 1.0, 1.0])
    assert bar._bar is None
    with bar.attach(loop := adding_loop()):
        loop.run(caught.value.state, [1.0, 1.0, 1.0])
    assert "3/3" in out.getvalue() and bar._bar is None


def test_disabled_bars_print_nothing() -> None:
    out = io.StringIO()
    loop = adding_loop()
    quiet: ProgressBar[float] = ProgressBar(file=out, disable=True)
    with quiet.attach(loop):
        loop.run(0.0, [1.0])
    default: ProgressBar[float] = ProgressBar(file=out)
    with default.attach(loop):  # not a terminal: quiet by default
        loop.run(0.0, [1.0])
    assert out.getvalue() == ""


def test_per_must_be_epoch_or_run() -> None:
    with pytest.raises(ValueError, match="per must be 'epoch' or 'run'"):
        ProgressBar(per="batch")  # type: ignore[call-overload]  # the refusal tested


def test_a_bar_without_values_attaches_to_any_loop_without_an_annotation() -> None:
    # Type-checked by the project's mypy run: a bar that reads nothing of the state is a
    # ProgressBar[object], and its attach takes a loop of any value type.
    loop: Loop[float, int] = Loop(lambda state, batch: state)
    bar = ProgressBar(disable=True)
    assert_type(bar, ProgressBar[object])
    with bar.attach(loop) as handles:
        assert len(handles) == 7
