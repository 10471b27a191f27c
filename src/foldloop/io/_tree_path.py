"""Where in a state's tree the encoder or decoder is, for the paths its messages name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from foldloop.tree import PATH_SEPARATOR


class TreePath:
    """The path from the state's top to the leaf or node being handled (``value.params.0``).

    Example:
        >>> here = TreePath()
        >>> with here.at("value"), here.at(0):
        ...     here.where
        'value.0'
    """

    def __init__(self) -> None:
        self._path: list[str] = []

    @property
    def where(self) -> str:
        """The path of the leaf or node being handled (empty at the top)."""
        return PATH_SEPARATOR.join(self._path)

    @contextmanager
    def at(self, entry: object) -> Iterator[None]:
        """Handle the child ``entry`` of the current node inside this block."""
        self._path.append(str(entry))
        try:
            yield
        finally:
            self._path.pop()
