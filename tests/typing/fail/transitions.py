"""Transitions attached to a loop of another state type are caught."""

from foldloop import EpochCompleted, Loop, State
from foldloop.handlers import EarlyStopping, ReduceLROnPlateau


def text_score(state: State[str]) -> float:
    return float(len(state.value))


loop: Loop[float, int] = Loop(lambda state, batch: state)
loop.attach(EpochCompleted, EarlyStopping(text_score, patience=1))  # E: call-overload
loop.attach(EpochCompleted, ReduceLROnPlateau("loss"))  # E: call-overload
EarlyStopping(text_score, patience="3")  # E: call-overload
