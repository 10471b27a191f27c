"""The batch sampler that starts a pass at a given batch."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class BatchesFrom(Sampler[list[int]]):
    """The index batches of one pass's ``order``, from batch ``start`` on: batch ``b`` is
    ``order[b * batch_size : (b + 1) * batch_size]``, for ``b < count``.

    Nothing before batch ``start`` is touched, so a ``DataLoader`` given this sampler loads
    nothing before it.

    Example:
        >>> list(BatchesFrom(torch.arange(7), batch_size=3, count=3, start=1))
        [[3, 4, 5], [6]]
    """

    def __init__(self, order: torch.Tensor, batch_size: int, count: int, start: int) -> None:
        self.order = order
        self.batch_size = batch_size
        self.count = count
        self.start = start

    def __iter__(self) -> Iterator[list[int]]:
        size = self.batch_size
        for b in range(self.start, self.count):
            yield self.order[b * size : (b + 1) * size].tolist()

    def __len__(self) -> int:
        return max(self.count - self.start, 0)
