"""Data that can start at any batch of any pass, and data that cannot repeat its order.

A run that stops mid-pass and goes on later needs the rest of that pass: the batches the
uninterrupted run would have drawn next. Data that offers :class:`ResumableData` is asked for
exactly those; other data is iterated afresh and the batches already drawn are skipped, which is
right only when every iteration gives the same order (:func:`order_varies` names the data
known not to).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable

B_co = TypeVar("B_co", covariant=True)

# Torch samplers whose order is new on every iteration, by class name: the core imports no torch.
_SHUFFLING_SAMPLERS = frozenset({"RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler"})


@runtime_checkable
class ResumableData(Iterable[B_co], Protocol[B_co]):
    """Data whose batches can start anywhere: at batch ``drawn`` of pass ``pass_index``.

    A *pass* is one iteration over the data from its first batch; pass 0 is a run's first.
    The loop opens every pass, and every resumed one, with :meth:`iter_from`; so the order of a
    pass must be a function of ``pass_index`` (a seeded shuffle, say), the same each time it is
    asked for. ``iter(data)`` is for use outside a loop.

    :class:`foldloop.data.SeededBatches` implements it over a map-style dataset.

    Example:
        >>> class Rotations:
        ...     '''Pass p gives 0..3 rotated by p.'''
        ...     def __iter__(self) -> Iterator[int]:
        ...         return self.iter_from(0, 0)
        ...     def iter_from(self, pass_index: int, drawn: int) -> Iterator[int]:
        ...         order = [(pass_index + i) % 4 for i in range(4)]
        ...         return iter(order[drawn:])
        >>> isinstance(Rotations(), ResumableData), list(Rotations().iter_from(1, 2))
        (True, [3, 0])
    """

    def iter_from(self, pass_index: int, drawn: int) -> Iterator[B_co]:
        """The batches of pass ``pass_index`` after its first ``drawn`` (none when ``drawn``
        is at or past the pass's end). Nothing before batch ``drawn`` needs to be loaded."""
        ...


def order_varies(data: object, iterator: object) -> str | None:
    """Why a fresh iteration of ``data`` (``iterator``: the one just made) may not repeat the
    order of the last one, in words; None when nothing says so.

    The rule, read from the objects alone (no torch import):

    - a one-shot iterator: ``iter(data) is data``;
    - a torch ``DataLoader`` whose sampler shuffles: ``data.sampler``, ``data.batch_sampler``
      or ``data.batch_sampler.sampler`` is an instance of a class named ``RandomSampler``,
      ``SubsetRandomSampler`` or ``WeightedRandomSampler`` (subclasses included), or has a
      ``shuffle`` attribute that is ``True`` (a ``DistributedSampler(shuffle=True)``).

    Example:
        >>> class RandomSampler: ...
        >>> class Loader:
        ...     sampler = RandomSampler()
        ...     def __iter__(self) -> Iterator[int]:
        ...         return iter([])
        >>> order_varies(Loader(), iter(Loader()))
        'a DataLoader whose sampler shuffles (RandomSampler)'
        >>> numbers = iter([1, 2])
        >>> order_varies(numbers, iter(numbers)), order_varies([1, 2], iter([1, 2]))
        ('a one-shot iterator', None)
    """
    if iterator is data:
        return "a one-shot iterator"
    batches = getattr(data, "batch_sampler", None)  # None where absent: it never shuffles
    for sampler in (getattr(data, "sampler", None), batches, getattr(batches, "sampler", None)):
        names = {kind.__name__ for kind in type(sampler).__mro__}
        shuffles = names & _SHUFFLING_SAMPLERS
        if shuffles or getattr(sampler, "shuffle", False) is True:
            kind = min(shuffles) if shuffles else f"{type(sampler).__name__} with shuffle=True"
            return f"a DataLoader whose sampler shuffles ({kind})"
    return None
