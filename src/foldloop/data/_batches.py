"""``SeededBatches``: batches of a map-style dataset in an order that is a function of
``(seed, pass)``, that start at any batch of any pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, cast

import torch
from torch.utils.data import DataLoader, Dataset

from foldloop.core._position import require_count  # the core's check of a count

from . import _checks as check
from ._dataset import MapDataset
from ._sampler import BatchesFrom, Uneven
from ._seeds import pass_seed, worker_seed

B_co = TypeVar("B_co", covariant=True)  # a source only gives batches out
I = TypeVar("I")  # noqa: E741  (an item of the dataset)


class SeededBatches(Generic[B_co]):
    """Batches of ``dataset`` whose order is a function of ``(seed, pass)``, that start at any
    batch of any pass: :class:`foldloop.ResumableData`, so a run resumed mid-pass gets exactly
    the batches the uninterrupted run would have, and loads none of those it already had.

    Pass ``p`` visits the items in the order
    ``torch.randperm(len(dataset), generator=torch.Generator().manual_seed(pass_seed(seed, p)))``
    (in index order with ``shuffle=False``), cut into batches of ``batch_size`` (the last one
    smaller, or dropped with ``drop_last=True``). They are loaded by a torch ``DataLoader`` given
    a batch sampler that starts at the batch asked for, so ``num_workers``, ``collate_fn`` (the
    default: torch's ``default_collate``), ``pin_memory``, ``timeout`` and ``worker_init_fn``
    work as they do there. Each pass's ``DataLoader`` draws its workers' base seed from a
    generator seeded by ``(seed, pass)``, never from torch's global generator.

    A loop asks for pass ``p`` from batch ``k`` with :meth:`iter_from`; ``iter(source)`` is
    pass 0 from its start, every time (for use outside a loop: iterate pass ``p`` with
    ``source.iter_from(p, 0)``). ``len(source)`` is the number of batches in a pass, so a run
    over it has epochs of one pass by default. ``len(dataset)`` is read once, here.

    Not reproduced after a mid-pass resume: random numbers the dataset itself draws while
    loading (a random augmentation); derive them from the item's index and the pass instead.

    The batch type ``B_co`` is what ``collate_fn`` returns; with the default collate function,
    name it where the source is made (``SeededBatches[list[Tensor]](...)`` over a
    ``TensorDataset``) or let the loop it is given to take it.

    Raises:
        TypeError: an argument has the wrong type (the dataset is not map-style, the seed
            is not an int, ...).
        ValueError: an argument is out of range (``batch_size < 1``, an empty dataset, a
            negative seed, no batch at all with ``drop_last=True``, ...).

    Example:
        >>> from torch.utils.data import TensorDataset
        >>> source: SeededBatches[list[torch.Tensor]] = SeededBatches(
        ...     TensorDataset(torch.arange(10)), batch_size=4, seed=0
        ... )
        >>> len(source), source.order(0)
        (3, [3, 9, 1, 0, 4, 5, 2, 8, 6, 7])
        >>> [batch[0].tolist() for batch in source.iter_from(0, 1)]  # pass 0 from batch 1
        [[4, 5, 2, 8], [6, 7]]
        >>> source.order(1)  # pass 1: an order of its own
        [4, 6, 7, 9, 3, 8, 1, 0, 5, 2]
        >>> source
        SeededBatches(<TensorDataset of 10>, batch_size=4, seed=0, shuffle=True, 3 batches per pass)
    """

    __slots__ = (
        "_count",
        "_dataset",
        "_loader",
        "_n",
        "_seed",
        "_shard",
        "_shuffle",
        "_size",
        "_uneven",
    )

    def __init__(
        self,
        dataset: MapDataset[I],
        batch_size: int,
        *,
        seed: int,
        shuffle: bool = True,
        drop_last: bool = False,
        collate_fn: Callable[[list[I]], B_co] | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], object] | None = None,
    ) -> None:
        self._n = check.dataset_length(dataset)
        self._size = check.positive_int("batch_size", batch_size, "the number of items per batch")
        self._seed = check.seed_of(seed)
        self._shuffle = check.flag("shuffle", shuffle)
        self._count = check.batches_per_pass(
            self._n, batch_size, check.flag("drop_last", drop_last)
        )
        check.optional_callable("collate_fn", collate_fn, "(list of items) -> batch")
        check.optional_callable("worker_init_fn", worker_init_fn, "(worker id) -> None")
        self._dataset = dataset
        # What every pass's DataLoader is given besides the dataset and the batch sampler.
        self._loader: dict[str, object] = {
            "num_workers": check.workers(num_workers),
            "collate_fn": collate_fn,
            "pin_memory": check.flag("pin_memory", pin_memory),
            "timeout": check.seconds(timeout),
            "worker_init_fn": worker_init_fn,
        }
        self._shard = (0, 1)  # (rank, world size): the whole of every batch
        self._uneven: Uneven = "pad"

    def sharded(self, rank: int, world_size: int, *, uneven: Uneven = "pad") -> SeededBatches[B_co]:
        """This source as rank ``rank`` of ``world_size`` processes sees it: the same global
        order and global batches, each batch cut into ``world_size`` equal contiguous slices of
        which this rank gets slice ``rank``; the slices of all ranks, in rank order, are the
        global batch. A batch that ``world_size`` does not divide is first padded with items
        from the start of the pass's order (``uneven="pad"``, as ``DistributedSampler`` pads)
        or cut to a multiple of ``world_size`` (``uneven="drop"``; a last batch smaller than
        ``world_size`` is dropped whole), or cut as it is into slices whose sizes differ by at
        most one (``uneven="split"``: no item added or lost; weight each rank's loss by its
        item count for the exact global mean). Every rank has the same number of batches, and
        resumes at the same global position with :meth:`iter_from`.
        (``foldloop.distributed.shard`` calls this with the process group's rank and size.)

        Raises:
            ValueError: ``rank`` is not in ``range(world_size)``, ``batch_size`` is smaller
                than ``world_size``, ``uneven`` is not ``"pad"``, ``"drop"`` or ``"split"``, or
                (``"split"``) the last batch has fewer items than ``world_size``.

        Example:
            >>> source: SeededBatches[torch.Tensor] = SeededBatches(
            ...     list(range(7)), 4, seed=0, shuffle=False
            ... )
            >>> [[b.tolist() for b in source.sharded(rank, 2)] for rank in (0, 1)]
            [[[0, 1], [4, 5]], [[2, 3], [6, 0]]]
            >>> [b.tolist() for b in source.sharded(1, 2, uneven="drop")]
            [[2, 3], [5]]
            >>> [[b.tolist() for b in source.sharded(r, 2, uneven="split")] for r in (0, 1)]
            [[[0, 1], [4, 5]], [[2, 3], [6]]]
        """
        world = check.positive_int("world_size", world_size, "the number of processes")
        if require_count("rank", rank) >= world:
            raise ValueError(f"rank must be an int in range({world}), got {rank!r}")
        if self._size < world:
            raise ValueError(
                f"batch_size {self._size} is smaller than world_size {world}: "
                "some ranks would get no items"
            )
        if uneven not in ("pad", "drop", "split"):
            raise ValueError(f'uneven must be "pad", "drop" or "split", got {uneven!r}')
        copy: SeededBatches[B_co] = object.__new__(SeededBatches)
        for name in self.__slots__:
            object.__setattr__(copy, name, getattr(self, name))
        copy._shard, copy._uneven = (rank, world), uneven
        last = self._n - (self._count - 1) * self._size
        if uneven == "drop" and last < world:
            copy._count = self._count - 1
            if copy._count == 0:
                raise ValueError(f"no batch of at least {world} items is left with drop")
        if uneven == "split" and last < world:
            raise ValueError(
                f"the last batch has {last} items, fewer than world_size {world}: with split "
                'some ranks would get none; use drop_last=True, or uneven="pad" or "drop"'
            )
        return copy

    @property
    def dataset(self) -> MapDataset[object]:
        """The map-style dataset the batches are drawn from (as ``DataLoader.dataset``).

        Example:
            >>> SeededBatches(list(range(10)), 4, seed=0).dataset
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        return self._dataset

    def __len__(self) -> int:
        """The number of batches in a pass.

        Example:
            >>> len(SeededBatches(list(range(10)), 4, seed=0, drop_last=True))
            2
        """
        return self._count

    def __iter__(self) -> Iterator[B_co]:
        """Pass 0 from its first batch (every time: a loop asks for later passes by number).

        Example:
            >>> source: SeededBatches[torch.Tensor] = SeededBatches(list(range(4)), 2, seed=1)
            >>> [b.tolist() for b in source] == [b.tolist() for b in source.iter_from(0, 0)]
            True
        """
        return self.iter_from(0, 0)

    def iter_from(self, pass_index: int, drawn: int) -> Iterator[B_co]:
        """The batches of pass ``pass_index`` after its first ``drawn`` (none when ``drawn`` is
        ``len(self)`` or more). No item of a batch before ``drawn`` is loaded.

        Raises:
            TypeError, ValueError: ``pass_index`` or ``drawn`` is not an int >= 0.

        Example:
            >>> source: SeededBatches[torch.Tensor] = SeededBatches(
            ...     list(range(6)), 2, seed=0, shuffle=False
            ... )
            >>> [b.tolist() for b in source.iter_from(3, 1)], list(source.iter_from(0, 3))
            ([[2, 3], [4, 5]], [])
        """
        pass_index, start = require_count("pass_index", pass_index), require_count("drawn", drawn)
        if start >= self._count:
            return iter(())
        sampler = BatchesFrom(
            self._order(pass_index),
            self._size,
            self._count,
            start,
            shard=self._shard,
            uneven=self._uneven,
        )
        loader: DataLoader[object] = DataLoader(
            # Any map-style dataset works in a DataLoader; its stubs ask for a torch Dataset.
            cast(Dataset[object], self._dataset),
            batch_sampler=sampler,
            generator=torch.Generator().manual_seed(worker_seed(self._seed, pass_index)),
            **cast(dict[str, Any], self._loader),  # Any: each option's type, checked in __init__
        )
        # A batch is what collate_fn made (its type B_co); DataLoader's stubs say Any.
        return cast(Iterator[B_co], iter(loader))

    def order(self, pass_index: int) -> list[int]:
        """The dataset's indices in the order pass ``pass_index`` visits them (before they are
        cut into batches, and the last ones dropped with ``drop_last=True``).

        Example:
            >>> source: SeededBatches[torch.Tensor] = SeededBatches(list(range(5)), 2, seed=7)
            >>> sorted(source.order(3)) == list(range(5)), source.order(3) == source.order(3)
            (True, True)
        """
        indices: list[int] = self._order(require_count("pass_index", pass_index)).tolist()
        return indices

    def _order(self, pass_index: int) -> torch.Tensor:
        if not self._shuffle:
            return torch.arange(self._n)
        generator = torch.Generator().manual_seed(pass_seed(self._seed, pass_index))
        return torch.randperm(self._n, generator=generator)

    def __repr__(self) -> str:
        return (
            f"SeededBatches(<{type(self._dataset).__name__} of {self._n}>, "
            f"batch_size={self._size}, seed={self._seed}, shuffle={self._shuffle}, "
            f"{len(self)} batches per pass{self._shard_note()})"
        )

    def _shard_note(self) -> str:
        rank, world = self._shard
        return "" if world == 1 else f", rank {rank} of {world}, uneven={self._uneven!r}"
