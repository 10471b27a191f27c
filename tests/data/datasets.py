"""Small map-style datasets for the data tests."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Counting(Dataset[int]):
    """Items ``0 .. n-1`` (item ``i`` is ``i``), recording every index read, in order."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.read: list[int] = []

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> int:
        self.read.append(index)
        return index


class WorkerSeeds:
    """Item ``i`` is ``(i, the loading process's torch.initial_seed())``: a worker's seed."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[int, int]:
        return index, torch.initial_seed()


def ids(batches: object) -> list[list[int]]:
    """The item ids of each batch (a batch of ``Counting`` items is a tensor)."""
    assert isinstance(batches, list)
    return [batch.tolist() for batch in batches]
