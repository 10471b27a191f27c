"""States keep the user's value type through every method; slots are typed keys."""

from collections.abc import Mapping
from typing import assert_type

from foldloop import Event, IterationCompleted, Slot, State


class Signal(Event):
    pass


state = State(value=1)
assert_type(state, State[int])
assert_type(state.value, int)
assert_type(state.replace(value=2), State[int])
assert_type(state.emit(Signal()).terminate().terminate_epoch(), State[int])
assert_type(state.count(IterationCompleted), int)
assert_type(state.counts, Mapping[type[Event], int])
assert_type(state.pending, tuple[Event, ...])

best = Slot("best", 0.0)
assert_type(best, Slot[float])
assert_type(state.get(Slot[float]("x", 0.0)), float)
assert_type(state.get(best), float)
assert_type(state.put(best, 0.5), State[int])
assert_type(state.put(best, 1), State[int])  # an int is a float to the type system
names: Slot[tuple[str, ...]] = Slot("names")
assert_type(state.put(names, ("a", "b")).get(names), tuple[str, ...])
assert_type(State(value="text").replace(value="more"), State[str])
