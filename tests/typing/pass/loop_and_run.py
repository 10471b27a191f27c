"""A loop's types follow its step: run and scan return states of the step's state type."""

from collections.abc import Iterator
from typing import assert_type

from foldloop import Event, Loop, State, Step


def add(state: State[int], batch: int) -> State[int]:
    return state.replace(value=state.value + batch)


loop = Loop(add)
assert_type(loop, Loop[int, int])
assert_type(loop.run(0, [1, 2, 3]), State[int])
assert_type(loop.run(State(value=0), [1], max_epochs=2, epoch_length=1), State[int])
assert_type(loop.scan(0, [1, 2]), Iterator[tuple[Event, State[int]]])

# A lambda step takes its types from the annotation of the loop.
summed: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + batch))
assert_type(summed.run(0, range(3)), State[int])

# A step alias names the shape.
typed_step: Step[int, int] = add
assert_type(Loop(typed_step), Loop[int, int])

# Loops are contravariant in the batch: a loop on ints runs on bools.
on_bools: Loop[int, bool] = loop
assert_type(on_bools.run(0, [True, False]), State[int])


# Without data (an epoch_length instead), the loop's batch type must admit None.
def count(state: State[int], batch: None) -> State[int]:
    return state.replace(value=state.value + 1)


no_data = Loop(count)
assert_type(no_data.run(0, None, epoch_length=3), State[int])
anything: Loop[str, object] = Loop(lambda state, batch: state.replace(value=repr(batch)))
assert_type(anything.run("", None, epoch_length=1), State[str])
assert_type(anything.run("", ["any", 1, None]), State[str])
