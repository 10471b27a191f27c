"""A resumable source's batch type: what its collate function returns, or what it is named;
it is data for any loop whose step takes that batch, and ResumableData of it."""

from typing import assert_type

import torch
from torch.utils.data import TensorDataset

from foldloop import Loop, ResumableData, State
from foldloop.data import MapDataset, SeededBatches

dataset = TensorDataset(torch.arange(10.0), torch.arange(10))


def stacked(items: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    return torch.stack([item[0] for item in items])


# A collate function gives the batch type.
by_collate = SeededBatches(dataset, 4, seed=0, collate_fn=stacked)
assert_type(by_collate, SeededBatches[torch.Tensor])
resumable: ResumableData[torch.Tensor] = by_collate
summed = SeededBatches([1, 2, 3], 2, seed=0, collate_fn=sum)
assert_type(summed, SeededBatches[int])

# With the default collate function, the batch type is named where the source is made...
named: SeededBatches[list[torch.Tensor]] = SeededBatches(dataset, 4, seed=0)


def step(state: State[float], batch: list[torch.Tensor]) -> State[float]:
    return state.replace(value=state.value + float(batch[0].sum()))


loop = Loop(step)
assert_type(loop.run(0.0, named), State[float])
# ... or taken from the loop it is given to.
assert_type(loop.run(0.0, SeededBatches(dataset, 4, seed=1, shuffle=False)), State[float])

items: MapDataset[str] = ["a", "b", "c"]
