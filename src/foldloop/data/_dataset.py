"""What a resumable batch source reads from: a map-style dataset."""

from __future__ import annotations

from typing import Protocol, TypeVar

I_co = TypeVar("I_co", covariant=True)


class MapDataset(Protocol[I_co]):
    """A dataset of ``len(dataset)`` items read by index: ``dataset[i]`` for ``0 <= i < len``.

    A torch ``TensorDataset``, a ``Dataset`` subclass with ``__len__``, a list, a tuple.

    Example:
        >>> items: MapDataset[str] = ["a", "b"]
        >>> len(items), items[1]
        (2, 'b')
    """

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> I_co: ...
