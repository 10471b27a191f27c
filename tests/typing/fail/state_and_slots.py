"""A state keeps its value type; a slot holds values of its own type only."""

from foldloop import Event, IterationCompleted, Slot, State

state = State(value=1)
best: Slot[float] = Slot("best", 0.0)

state.replace(value="x")  # E: arg-type
state.replace(1)  # E: call-arg
state.put(Slot[float]("x", 0.0), "text")  # E: misc
state.put(best, "text")  # E: misc
name: str = state.get(best)  # E: assignment
text: State[str] = state.replace(value=2)  # E: assignment
state.emit(3)  # E: arg-type
state.emit(IterationCompleted)  # E: arg-type
state.count(int)  # E: arg-type
state.count(Event())  # E: arg-type
wrong_default: Slot[int] = Slot("n", "zero")  # E: arg-type
state.value = 2  # E: misc
