"""A checkpoint loaded without a template is a State[object]: its value must be checked."""

from foldloop import State
from foldloop.io import load, save

one = State(value=1)
loaded: State[int] = load("ckpt")  # E: assignment
typed: State[str] = load("ckpt", like=one)  # E: arg-type
load("ckpt", one)  # E: call-overload
save(1, "ckpt")  # E: arg-type
save(one, 3)  # E: arg-type
