"""A resumable source whose batches do not fit the step, a dataset that is not map-style,
and a source of the default collate function whose batch type is never named."""

import torch
from torch.utils.data import TensorDataset

from foldloop import Loop, State
from foldloop.data import SeededBatches

dataset = TensorDataset(torch.arange(10.0))


def stacked(items: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    return torch.stack([item[0] for item in items])


def step(state: State[int], batch: int) -> State[int]:
    return state


loop = Loop(step)
loop.run(0, SeededBatches(dataset, 4, seed=0, collate_fn=stacked))  # E: arg-type
unnamed = SeededBatches(dataset, 4, seed=0)  # E: var-annotated
SeededBatches(iter([1, 2]), 1, seed=0)  # E: arg-type
SeededBatches(dataset, 4, seed="0")  # E: arg-type
