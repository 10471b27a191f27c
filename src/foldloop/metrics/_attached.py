"""The receipt of attached metrics, and the place in the state where their values land."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Generic, TypeVar, cast, final

from foldloop.core import Handle, Slot, State
from foldloop.core._removal import RemovedOnExit

V = TypeVar("V")

METRICS: Final[Slot[Mapping[str, object]]] = Slot("metrics", {})
"""The values of every metric attached to the loop, by name: ``state.get(METRICS)["acc"]``.

Typed values come from the attachment: ``attached.values(state)``.
"""


@final
class AttachedMetrics(RemovedOnExit, Generic[V]):
    """The receipt of :func:`attach_metrics`: typed values, and removal from the loop.

    Like a :class:`foldloop.Handle`, it is a context manager that removes the metrics on exit.

    Example:
        >>> import torch
        >>> from foldloop import Loop
        >>> from foldloop.metrics import Average, attach_metrics
        >>> loop: Loop[torch.Tensor, float] = Loop(
        ...     lambda state, batch: state.replace(value=torch.tensor(batch)))
        >>> with attach_metrics(loop, {"mean": Average()}, output_of=lambda v: v) as attached:
        ...     final = loop.run(torch.tensor(0.0), [1.0, 2.0, 6.0])
        >>> attached.values(final), attached.active
        ({'mean': 3.0}, False)
    """

    def __init__(
        self, names: tuple[str, ...], handles: tuple[Handle, ...], taken: set[str]
    ) -> None:
        self._names = names
        self._handles = handles
        self._taken = taken

    @property
    def names(self) -> tuple[str, ...]:
        """The names the metrics were attached under.

        Example:
            >>> from foldloop import Loop
            >>> from foldloop.metrics import Average, attach_metrics
            >>> loop: Loop[float, float] = Loop(lambda state, batch: state.replace(value=batch))
            >>> attach_metrics(loop, mean=Average(), output_of=lambda v: v).names
            ('mean',)
        """
        return self._names

    @property
    def active(self) -> bool:
        """Whether the metrics are still attached to their loop.

        Example:
            >>> from foldloop import Loop
            >>> from foldloop.metrics import Average, attach_metrics
            >>> loop: Loop[float, float] = Loop(lambda state, batch: state.replace(value=batch))
            >>> attach_metrics(loop, mean=Average(), output_of=lambda v: v).active
            True
        """
        return all(handle.active for handle in self._handles)

    def values(self, state: State[Any]) -> dict[str, V]:
        """The values these metrics last computed into ``state``, by name.

        Raises:
            KeyError: the state holds no value yet for one of the names (not computed yet).

        Example:
            >>> from foldloop import Loop
            >>> from foldloop.metrics import Average, attach_metrics
            >>> loop: Loop[float, float] = Loop(lambda state, batch: state.replace(value=batch))
            >>> attached = attach_metrics(loop, mean=Average(), output_of=lambda v: v)
            >>> attached.values(loop.run(0.0, [1.0, 2.0]))
            {'mean': 1.5}
        """
        computed = state.get(METRICS)
        missing = [name for name in self._names if name not in computed]
        if missing:
            raise KeyError(
                f"the metrics {missing} have no value in this state yet: values are computed at "
                "the usage's compute event (EpochCompleted by default); read them from a state "
                "after that event, e.g. the state run() returned"
            )
        # compute_metrics wrote a V under each of these names (the names are ours while
        # attached, and only our handlers write them).
        return {name: cast(V, computed[name]) for name in self._names}

    def remove(self) -> None:
        """Remove the metrics' handlers from the loop and free their names; twice is harmless.

        Example:
            >>> from foldloop import Loop
            >>> from foldloop.metrics import METRICS, Average, attach_metrics
            >>> loop: Loop[float, float] = Loop(lambda state, batch: state.replace(value=batch))
            >>> attached = attach_metrics(loop, mean=Average(), output_of=lambda v: v)
            >>> attached.remove(); attached.remove()
            >>> loop.run(0.0, [1.0]).get(METRICS)
            {}
        """
        if self.active:
            for handle in self._handles:
                handle.remove()
            self._taken.difference_update(self._names)

    def __repr__(self) -> str:
        return f"AttachedMetrics({list(self._names)}, active={self.active})"
