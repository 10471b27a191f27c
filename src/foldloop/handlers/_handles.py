"""``Handles``: the receipts of a tap set's attachments, removed together."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from foldloop.core._removal import RemovedOnExit


class Removable(Protocol):
    """Something attached that can be removed: a :class:`~foldloop.Handle`, a :class:`Restore`."""

    def remove(self) -> None: ...


class Restore:
    """A removable undo: ``remove()`` calls ``undo`` (which must be idempotent).

    Example:
        >>> Restore(lambda: print("undone")).remove()
        undone
    """

    def __init__(self, undo: Callable[[], None]) -> None:
        self._undo = undo

    def remove(self) -> None:
        """Undo.

        Example:
            >>> Restore(lambda: None).remove()
        """
        self._undo()


class Handles(RemovedOnExit, Sequence[Removable]):
    """Several :class:`~foldloop.Handle` s (or other removables): ``remove()`` them all, or
    use them as a context manager.

    Example:
        >>> from foldloop import Completed, Loop, Started
        >>> loop = Loop(lambda state, batch: state)
        >>> with Handles([loop.tap(Started, print), loop.tap(Completed, print)]) as handles:
        ...     len(handles), loop.has(print)
        (2, True)
        >>> loop.has(print)
        False
    """

    def __init__(self, handles: Sequence[Removable]) -> None:
        self._handles = tuple(handles)

    def remove(self) -> None:
        """Remove every attachment; removing twice is harmless.

        Example:
            >>> from foldloop import Loop, Started
            >>> loop = Loop(lambda state, batch: state)
            >>> handles = Handles([loop.tap(Started, print)])
            >>> handles.remove(); handles.remove()
            >>> loop.has(print)
            False
        """
        for handle in self._handles:
            handle.remove()

    def __getitem__(self, index: int) -> Removable:  # type: ignore[override]  # no slices needed
        return self._handles[index]

    def __len__(self) -> int:
        return len(self._handles)

    def __iter__(self) -> Iterator[Removable]:
        return iter(self._handles)
