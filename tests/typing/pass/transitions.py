"""The transitions type for the loop they attach to: precise handler types, no Any."""

from typing import assert_type

from foldloop import EpochCompleted, IterationCompleted, Loop, Slot, State, every, on
from foldloop.handlers import EarlyStopping, ReduceLROnPlateau, TerminateOnNonFinite, TimeLimit
from foldloop.train import TrainState

loop: Loop[float, int] = Loop(lambda state, batch: state)


def score(state: State[float]) -> float:
    return state.value


stopper = EarlyStopping(score, patience=3)
assert_type(stopper, EarlyStopping[float])
assert_type(stopper(State(value=1.0)), State[float])
assert_type(stopper.best, Slot[float | None])
by_slot = EarlyStopping(Slot("val", 0.0), patience=3, name="by_slot")
assert_type(by_slot, EarlyStopping[object])
assert_type(by_slot(State(value="any")), State[str])
loop.attach(on(EpochCompleted) | on(IterationCompleted, every(100)), stopper)
loop.attach(EpochCompleted, by_slot)
loop.attach(EpochCompleted, EarlyStopping(lambda s: -s.value, patience=2, name="inline"))

guard = TerminateOnNonFinite()
assert_type(guard(State(value=2)), State[int])
assert_type(guard.found, Slot[str | None])
loop.attach(IterationCompleted, guard)
loop.tap(EpochCompleted, guard.warn)

limit = TimeLimit(60.0)
assert_type(limit(State(value=b"")), State[bytes])
assert_type(limit.stopped, Slot[tuple[int, float] | None])
loop.attach(IterationCompleted, limit)

trainer: Loop[TrainState, int] = Loop(lambda state, batch: state)
trainer.attach(EpochCompleted, ReduceLROnPlateau("val_loss"))
