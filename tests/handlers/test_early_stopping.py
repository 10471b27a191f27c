"""EarlyStopping: Ignite's decisions, its memory in slots (a checkpoint resumes it), refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ignite.engine import Engine, Events
from ignite.handlers import EarlyStopping as IgniteEarlyStopping

from foldloop import EpochCompleted, Loop, RunError, Slot, State
from foldloop.handlers import EarlyStopping
from foldloop.io import load, save
from foldloop.metrics import METRICS
from foldloop.testing import check_handler_is_pure, make_state

scores_st = st.lists(
    st.floats(-10, 10, allow_nan=False).map(lambda x: round(x, 1)), min_size=1, max_size=25
)


def ignite_stop_epoch(
    scores: list[float], patience: int, min_delta: float, cumulative: bool, sign: float
) -> int:
    engine = Engine(lambda engine, batch: None)
    stopper = IgniteEarlyStopping(
        patience, lambda e: sign * scores[e.state.epoch - 1], engine, min_delta, cumulative
    )
    engine.add_event_handler(Events.EPOCH_COMPLETED, stopper)
    engine.run([0], max_epochs=len(scores))
    return engine.state.epoch


def scored_loop(scores: list[float], stopper: EarlyStopping[float]) -> Loop[float, int]:
    loop: Loop[float, int] = Loop(lambda s, b: s.replace(value=scores[s.epoch - 1]))
    loop.attach(EpochCompleted, stopper)
    return loop


@given(
    scores_st,
    st.integers(1, 5),
    st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    st.booleans(),
    st.sampled_from(["max", "min"]),
)
def test_stops_at_ignites_epoch(
    scores: list[float], patience: int, min_delta: float, cumulative: bool, mode: str
) -> None:
    stopper = EarlyStopping(
        lambda s: s.value,
        patience=patience,
        min_delta=min_delta,
        cumulative_delta=cumulative,
        mode="max" if mode == "max" else "min",
    )
    final = scored_loop(scores, stopper).run(0.0, [0], max_epochs=len(scores))
    sign = 1.0 if mode == "max" else -1.0
    assert final.epoch == ignite_stop_epoch(scores, patience, min_delta, cumulative, sign)


def test_resumed_mid_patience_stops_at_the_same_epoch(tmp_path: Path) -> None:
    scores = [1.0, 2.0, 1.5, 1.8, 1.9, 1.0, 0.5]

    def make() -> tuple[Loop[float, int], EarlyStopping[float]]:
        stopper = EarlyStopping(lambda s: s.value, patience=3)
        return scored_loop(scores, stopper), stopper

    loop, stopper = make()
    whole = loop.run(0.0, [0], max_epochs=len(scores))
    assert whole.epoch == 5 and whole.terminated
    loop, stopper = make()
    saved = loop.run(0.0, [0], max_epochs=3)  # one epoch into the wait
    assert saved.get(stopper.wait) == 1
    resumed = load(save(saved, tmp_path / "ckpt"), like=saved)
    loop, stopper = make()
    final = loop.run(resumed, [0], max_epochs=len(scores))
    assert final.epoch == whole.epoch and final.get(stopper.best) == 2.0
    assert final.get(stopper.best_epoch) == 2
    assert final.get(stopper.wait) == whole.get(stopper.wait)
    assert final.get(stopper.best_iteration) == whole.get(stopper.best_iteration)


def test_a_call_on_a_made_state_and_purity() -> None:
    val = Slot("val_loss", 0.0)
    stopper = EarlyStopping(val, patience=2, mode="min", min_delta=0.1)
    state = make_state(None, epoch=4, iteration=40, slots={val: 0.95, stopper.best: 1.0})
    after = stopper(state)
    assert after.get(stopper.wait) == 1 and not after.terminate_requested
    assert after.get(stopper.best) == 0.95  # not cumulative: the best follows the small gain
    better = stopper(state.put(val, 0.5))
    assert better.get(stopper.best) == 0.5 and better.get(stopper.best_iteration) == 40
    check_handler_is_pure(lambda s, e: stopper(s), state, EpochCompleted())


def test_reads_an_attached_metric_by_name() -> None:
    stopper = EarlyStopping("acc", patience=1)
    state = make_state(None).put(METRICS, {"acc": 0.5})
    assert stopper(state).get(stopper.best) == 0.5


def test_a_slot_that_holds_nothing_fails_the_run_naming_it() -> None:
    missing: Slot[float] = Slot("val_acc")
    loop: Loop[float, int] = Loop(lambda s, b: s)
    loop.attach(EpochCompleted, EarlyStopping(missing, patience=2))
    with pytest.raises(RunError) as raised:
        loop.run(0.0, [0])
    assert "'val_acc' holds nothing" in str(raised.value.__cause__)
    assert "Slot('val_acc', default)" in str(raised.value.__cause__)


def test_a_score_that_is_not_a_number_is_refused() -> None:
    def text(state: State[None]) -> object:
        return "high"

    # a score that is not a number: the error tested
    stopper: EarlyStopping[None] = EarlyStopping(text, patience=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a number"):
        stopper(make_state(None))
    with pytest.raises(ValueError, match="nan"):
        EarlyStopping(lambda s: float("nan"), patience=1)(make_state(None))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience": 0}, "patience must be a whole number >= 1"),
        ({"patience": -2}, "patience must be a whole number >= 1"),
        ({"patience": 1, "min_delta": -0.1}, r"min_delta must be a number in \[0.0, inf\]"),
        ({"patience": 1, "mode": "maximum"}, "mode must be one of 'max', 'min'"),
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EarlyStopping(lambda s: 1.0, **kwargs)  # type: ignore[call-overload]  # the errors tested


def test_a_score_of_the_wrong_kind_is_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="score must be a Slot"):
        EarlyStopping(3, patience=1)  # type: ignore[call-overload]  # the error tested


def test_typed_for_the_loop_it_attaches_to() -> None:
    def score(state: State[float]) -> float:
        return state.value

    loop: Loop[float, int] = Loop(lambda s, b: s)
    loop.attach(EpochCompleted, EarlyStopping(score, patience=1))
    loop.attach(EpochCompleted, EarlyStopping(Slot("x", 0.0), patience=1, name="other"))
