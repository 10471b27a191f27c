"""The batch sampler that starts a pass at a given batch, optionally one rank's share of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import torch
from torch.utils.data import Sampler

Uneven = Literal["pad", "drop", "split"]
"""What a sharded source does with a global batch whose size the world size does not divide:
``"pad"`` repeats items from the start of the pass's order (as ``DistributedSampler`` pads),
``"drop"`` leaves out its last items (and a batch smaller than the world size altogether),
``"split"`` keeps every item once and gives the first ranks one item more (29 items on 2
ranks: 15 and 14); a loss weighted by each rank's item count
(``foldloop.distributed.item_weighted``) then makes the global mean exact."""


class BatchesFrom(Sampler[list[int]]):
    """The index batches of one pass's ``order``, from batch ``start`` on: batch ``b`` is
    ``order[b * batch_size : (b + 1) * batch_size]``, for ``b < count``.

    With ``shard=(rank, world_size)`` each batch is first made a multiple of ``world_size``
    long (``uneven``: padded from the start of ``order``, or cut) and then cut into
    ``world_size`` equal contiguous slices, of which this sampler gives slice ``rank``: the
    slices of all ranks, in rank order, are the global batch. With ``uneven="split"`` the
    batch is cut as it is, into slices whose sizes differ by at most one.

    Nothing before batch ``start`` is touched, so a ``DataLoader`` given this sampler loads
    nothing before it.

    Example:
        >>> list(BatchesFrom(torch.arange(7), batch_size=3, count=3, start=1))
        [[3, 4, 5], [6]]
        >>> list(BatchesFrom(torch.arange(7), 3, 3, 1, shard=(1, 2)))  # padded with item 0
        [[5, 0], [0]]
    """

    def __init__(
        self,
        order: torch.Tensor,
        batch_size: int,
        count: int,
        start: int,
        *,
        shard: tuple[int, int] = (0, 1),
        uneven: Uneven = "pad",
    ) -> None:
        self.order = order
        self.batch_size = batch_size
        self.count = count
        self.start = start
        self.shard = shard
        self.uneven = uneven

    def __iter__(self) -> Iterator[list[int]]:
        size = self.batch_size
        rank, world = self.shard
        for b in range(self.start, self.count):
            batch = self.order[b * size : (b + 1) * size]
            if world > 1 and self.uneven == "split":
                batch = torch.tensor_split(batch, world)[rank]
            elif world > 1:
                batch = _even(batch, self.order, world, self.uneven)
                share = len(batch) // world
                batch = batch[rank * share : (rank + 1) * share]
            yield batch.tolist()

    def __len__(self) -> int:
        return max(self.count - self.start, 0)


def _even(batch: torch.Tensor, order: torch.Tensor, world: int, uneven: Uneven) -> torch.Tensor:
    """``batch`` made a multiple of ``world`` long, padded from ``order``'s start or cut."""
    extra = len(batch) % world
    if not extra:
        return batch
    if uneven == "drop":
        return batch[: len(batch) - extra]
    pad = world - extra
    repeats = -(-pad // len(order))  # a tiny dataset may need its order more than once
    return torch.cat([batch, order.repeat(repeats)[:pad]])
