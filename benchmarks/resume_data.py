"""Resume runners (``bench.py``'s data rows): the time a run takes to resume at batch ``k`` of a
pass, i.e. to open the data there and draw, step and count one batch.

  seeded  ``foldloop.data.SeededBatches`` over the data set, made anew (as after a restart):
          the loop asks it for pass 0 from batch ``k``; nothing before ``k`` is loaded
  plain   a plain ``DataLoader`` over the same data set, unshuffled (shuffled, a mid-pass resume
          would warn): the loop draws and discards its first ``k`` batches

Each runner resumes, ``calls`` times, a state stopped after ``k`` iterations of a pass, with
``max_iters=k + 1`` (one more iteration), and returns the seconds it took.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from foldloop import Loop, State
from foldloop.data import SeededBatches

Batch = list[Tensor]
Runner = Callable[[], float]
BATCH_SIZE = 32


def dataset(items: int) -> TensorDataset:
    """``items`` rows of 16 features and a label."""
    generator = torch.Generator().manual_seed(0)
    return TensorDataset(torch.randn(items, 16, generator=generator), torch.arange(items))


def _step(state: State[int], batch: Batch) -> State[int]:
    return state.replace(value=state.value + len(batch[1]))


def stopped_at(k: int, batches: int) -> State[int]:
    """A state stopped after ``k`` iterations of the first pass of ``batches`` batches."""
    loop: Loop[int, object] = Loop(lambda state, batch: state)
    if k == 0:
        return State(value=0, epoch_length=batches)
    return loop.run(0, range(batches), max_iters=k)


def resumer(data: TensorDataset, k: int, calls: int, seeded: bool) -> Runner:
    """A runner resuming at batch ``k`` of a pass, ``calls`` times."""
    loop: Loop[int, Batch] = Loop(_step)
    plain: DataLoader[tuple[Tensor, ...]] = DataLoader(data, batch_size=BATCH_SIZE)
    stopped = stopped_at(k, len(plain))

    def source() -> Iterable[Batch]:
        if seeded:
            return SeededBatches[Batch](data, BATCH_SIZE, seed=0)
        return plain

    items = min(BATCH_SIZE, len(data) - k * BATCH_SIZE)  # in batch k

    def run() -> float:
        t0 = time.perf_counter()
        for _ in range(calls):
            final = loop.run(stopped, source(), max_iters=k + 1)
        elapsed = time.perf_counter() - t0
        assert final.iteration == k + 1 and final.value == items, "not resumed at batch k"
        return elapsed

    return run
