"""Stop the run on a NaN or an infinity anywhere in the state's value (or a chosen part)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from numbers import Number
from typing import Any, Generic, TypeVar, overload

import torch

from foldloop.core import Slot, State
from foldloop.tree import tree_flatten_with_paths

T = TypeVar("T")
U = TypeVar("U")


class NonFiniteWarning(RuntimeWarning):
    """What `TerminateOnNonFinite.warn` says: where the run met a non-finite value."""


class TerminateOnNonFinite(Generic[T]):
    """A transition that terminates the run when a number or tensor is NaN or infinite.

    By default it looks at every leaf of ``state.value`` (for a ``TrainState``: the output,
    the parameters, the optimizer's state...); give ``part`` to look at less (``lambda s:
    s.value.output``, Ignite's ``output_transform``). It records, in slots of the state:

    - ``found``: the path of the first non-finite leaf, as ``"value.output"`` or
      ``"value.params.weight"`` (``None`` while everything was finite);
    - ``message``: a sentence saying where and when, for a tap to show (`warn` is one).

    The transition does no IO itself (it is pure); attach ``warn`` as a tap on
    ``Terminated`` to be told, as Ignite's ``TerminateOnNan`` logs a warning.

    Example:
        >>> from foldloop import IterationCompleted, Loop, Terminated
        >>> loop: Loop[float, float] = Loop(lambda s, b: s.replace(value=1.0 / b))
        >>> guard = TerminateOnNonFinite()
        >>> _ = loop.attach(IterationCompleted, guard)
        >>> final = loop.run(0.0, [2.0, 1.0, float("nan"), 4.0])
        >>> final.iteration, final.terminated, final.get(guard.found)
        (3, True, 'value')
        >>> final.get(guard.message)
        'non-finite value nan at value, iteration 3 (epoch 1); the run was terminated'
    """

    @overload
    def __init__(self: TerminateOnNonFinite[object], *, name: str = "nonfinite") -> None: ...

    @overload
    def __init__(
        self: TerminateOnNonFinite[T],
        part: Callable[[State[T]], object],
        *,
        name: str = "nonfinite",
    ) -> None: ...

    def __init__(
        self, part: Callable[[State[T]], object] | None = None, *, name: str = "nonfinite"
    ) -> None:
        if part is not None and not callable(part):
            raise TypeError(
                f"TerminateOnNonFinite: part must be a function of the state, got {part!r}; "
                "for example TerminateOnNonFinite(lambda s: s.value.output)"
            )
        self.part = part
        self.found: Slot[str | None] = Slot(f"{name}/found", None)
        self.message: Slot[str | None] = Slot(f"{name}/message", None)

    def __repr__(self) -> str:
        return "TerminateOnNonFinite()" if self.part is None else "TerminateOnNonFinite(part)"

    @overload
    def __call__(self: TerminateOnNonFinite[object], state: State[U]) -> State[U]: ...

    @overload
    def __call__(self: TerminateOnNonFinite[T], state: State[T]) -> State[T]: ...

    # Any: the overloads above are the types users see; this one serves both.
    def __call__(self, state: State[Any]) -> State[Any]:
        """The state, terminated with ``found`` and ``message`` set if a leaf is not finite.

        Example:
            >>> from foldloop.testing import make_state
            >>> guard = TerminateOnNonFinite()
            >>> after = guard(make_state({"loss": 1.0, "w": [torch.tensor([1.0, math.inf])]}))
            >>> after.get(guard.found), after.terminate_requested
            ('value.w.0', True)
        """
        root, tree = ("value", state.value) if self.part is None else ("part", self.part(state))
        paths, leaves, _ = tree_flatten_with_paths(tree)
        for path, leaf in zip(paths, leaves, strict=True):
            if not _finite(leaf):
                where = f"{root}.{path}" if path else root
                return self._stopped(state, where, leaf)
        return state

    def _stopped(self, state: State[T], where: str, leaf: object) -> State[T]:
        shown = leaf if not isinstance(leaf, torch.Tensor) else "in a tensor"
        message = (
            f"non-finite value {shown} at {where}, iteration {state.iteration} "
            f"(epoch {state.epoch}); the run was terminated"
        )
        return state.put(self.found, where).put(self.message, message).terminate()

    def warn(self, state: State[U]) -> None:
        """A tap: warn (`NonFiniteWarning`) with the recorded message, if there is one.

        Example:
            >>> from foldloop.testing import make_state
            >>> guard = TerminateOnNonFinite()
            >>> guard.warn(make_state(None))  # nothing found: silent
        """
        message = state.get(self.message)
        if message is not None:
            warnings.warn(message, NonFiniteWarning, stacklevel=2)


def _finite(leaf: object) -> bool:
    if isinstance(leaf, torch.Tensor):
        if not (leaf.is_floating_point() or leaf.is_complex()):
            return True
        return bool(torch.isfinite(leaf).all())
    if isinstance(leaf, bool) or not isinstance(leaf, Number):
        return True
    if isinstance(leaf, complex):
        return math.isfinite(leaf.real) and math.isfinite(leaf.imag)
    return math.isfinite(float(leaf))  # type: ignore[arg-type]  # a real Number converts
