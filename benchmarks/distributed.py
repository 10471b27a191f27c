"""Samples/s of the digits job (AdamW, global batch 64) on 1 process, on 2 gloo processes with
``foldloop.distributed``, and on 2 processes with plain torch DDP, as a table.

    PYTHONPATH=src python benchmarks/distributed.py [--epochs N]

On a 2-core machine no speedup is expected: the table shows what the collectives cost, and
foldloop's one bucketed all-reduce against DDP's (the ratio of the 2-process rows).
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from foldloop.data import SeededBatches
from foldloop.distributed import (
    average_gradients,
    broadcast_state,
    rank,
    run_parallel,
    shard,
    world_size,
)
from foldloop.examples.digits import OPTIMIZER
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.train import Batch, init_train_state, supervised_trainer

GLOBAL_BATCH = 64


def _train_data() -> SeededBatches[Batch]:
    train, _ = digits_loaders(seed=0)
    assert isinstance(train, SeededBatches)
    return shard(SeededBatches(train.dataset, GLOBAL_BATCH, seed=0, drop_last=True))


def _barrier() -> None:
    if world_size() > 1:
        dist.barrier()


def foldloop_job(epochs: int) -> tuple[float, int]:
    """Seconds of the run and the samples all ranks together trained on."""
    torch.set_num_threads(1)
    data, model = _train_data(), mlp(seed=0)
    start = broadcast_state(init_train_state(model, OPTIMIZER))
    trainer = supervised_trainer(model, OPTIMIZER, F.cross_entropy, reduce_grads=average_gradients)
    trainer.run(start, data, max_epochs=1)  # warm-up
    _barrier()
    began = time.perf_counter()
    trainer.run(start, data, max_epochs=epochs)
    _barrier()
    return time.perf_counter() - began, epochs * len(data) * GLOBAL_BATCH


def ddp_job(epochs: int) -> tuple[float, int]:
    """The same with ``DistributedDataParallel`` and ``torch.optim.AdamW`` (lr 1e-3)."""
    torch.set_num_threads(1)
    data, model = _train_data(), DistributedDataParallel(mlp(seed=0))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

    def one_pass(p: int) -> None:
        for x, y in data.iter_from(p, 0):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

    one_pass(0)  # warm-up
    _barrier()
    began = time.perf_counter()
    for p in range(epochs):
        one_pass(p)
    _barrier()
    return time.perf_counter() - began, epochs * len(data) * GLOBAL_BATCH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    epochs = parser.parse_args().epochs
    rows = [
        ("foldloop, 1 process", [foldloop_job(epochs)]),
        ("foldloop.distributed, 2 gloo processes", run_parallel(foldloop_job, 2, epochs)),
        ("torch DDP, 2 gloo processes", run_parallel(ddp_job, 2, epochs)),
    ]
    print(f"digits job, AdamW, global batch {GLOBAL_BATCH}, {epochs} epochs, 1 thread a process")
    print(f"{'runner':<42}{'samples/s':>12}")
    rates = {}
    for name, results in rows:
        seconds = max(s for s, _ in results)
        rates[name] = results[0][1] / seconds
        print(f"{name:<42}{rates[name]:>12.0f}")
    ratio = rates["torch DDP, 2 gloo processes"] / rates["foldloop.distributed, 2 gloo processes"]
    print(f"foldloop.distributed time / DDP time: {ratio:.2f}x")
    assert rank() == 0


if __name__ == "__main__":
    main()
