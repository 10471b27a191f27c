"""Steps of the wrong shape, and runs on the wrong initial value or data."""

from foldloop import Loop, State


def one_argument(state: State[int]) -> State[int]:
    return state


def returns_value(state: State[int], batch: int) -> int:
    return state.value + batch


def takes_text(state: State[int], batch: str) -> State[int]:
    return state


def add(state: State[int], batch: int) -> State[int]:
    return state.replace(value=state.value + batch)


a: Loop[int, int] = Loop(one_argument)  # E: arg-type
b: Loop[int, int] = Loop(returns_value)  # E: arg-type
c: Loop[int, int] = Loop(takes_text)  # E: arg-type
d: Loop[str, int] = Loop(add)  # E: arg-type
e: Loop[int, int] = Loop(lambda state, batch: state.replace(value="x"))  # E: arg-type
f: Loop[int, int] = Loop(lambda state, batch: batch)  # E: arg-type, return-value
g: Loop[int, int] = Loop(3)  # E: arg-type

loop = Loop(add)
words: list[str] = ["a"]
loop.run("x", [1])  # E: arg-type
loop.run(State(value="x"), [1])  # E: arg-type
loop.run(0, words)  # E: arg-type
loop.run(0, None, epoch_length=1)  # E: arg-type
loop.run(0, [1], max_epochs="2")  # E: arg-type
text: State[str] = loop.run(0, [1])  # E: assignment
on_objects: Loop[int, object] = loop  # E: assignment
