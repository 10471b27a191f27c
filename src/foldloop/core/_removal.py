"""What an attachment's receipt shares: used as a context manager, it is removed at the end."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class RemovedOnExit:
    """A base for what ``remove()`` takes out of a loop (a handle, a group of handles):
    ``with`` it, and it is removed when the block ends, however the block ends.

    Example:
        >>> class Receipt(RemovedOnExit):
        ...     def remove(self) -> None:
        ...         print("removed")
        >>> with Receipt():
        ...     pass
        removed
    """

    __slots__ = ()

    def remove(self) -> None:
        """Take this out of its loop; each subclass says what that means."""
        raise NotImplementedError  # every receipt removes its own attachments

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()
