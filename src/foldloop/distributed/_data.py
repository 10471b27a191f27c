"""Data sharded by rank out of one global, seeded order."""

from __future__ import annotations

from typing import TypeVar

from foldloop.data import SeededBatches, Uneven

from ._group import rank, world_size

B = TypeVar("B")


def shard(source: SeededBatches[B], *, uneven: Uneven = "pad") -> SeededBatches[B]:
    """``source`` as this process's rank sees it (`SeededBatches.sharded` with the group's rank
    and world size): each global batch of ``source`` is cut into equal contiguous slices, one a
    rank, so that the ranks together see exactly the batches one process sees, and a resumed
    run starts every rank at the same global position. ``batch_size`` is the global batch.
    A batch the world size does not divide is padded from the start of the pass's order
    (``"pad"``, as ``DistributedSampler``) or cut (``"drop"``). In a single process: ``source``.

    Example:
        >>> source: SeededBatches[object] = SeededBatches(list(range(8)), 4, seed=0)
        >>> shard(source) is source
        True
    """
    world = world_size()
    return source if world == 1 else source.sharded(rank(), world, uneven=uneven)
