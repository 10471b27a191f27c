"""The GPU check of ``foldloop.distributed`` (not part of CI: run it where a GPU is lent).

    PYTHONPATH=src python benchmarks/gpu_distributed_check.py

An nccl process group of size 1 on 127.0.0.1, the digits MLP's state broadcast and trained on
CUDA tensors with ``reduce_grads=average_gradients`` (whose all-reduce runs in a group of one)
and the item-weighted loss (its count all-reduce too, a factor of exactly 1 here), compared
with the same run without the group: equal parameters, and a merged metric.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
import torch.nn.functional as F

from foldloop.distributed import (
    average_gradients,
    broadcast_state,
    free_port,
    init_from_env,
    item_weighted,
    merge_across,
)
from foldloop.examples.digits import OPTIMIZER
from foldloop.examples.digits_data import mlp
from foldloop.metrics import Accuracy
from foldloop.train import init_train_state, supervised_trainer


def main() -> None:
    assert torch.cuda.is_available(), "no CUDA device"
    os.environ.update(
        RANK="0",
        LOCAL_RANK="0",
        WORLD_SIZE="1",
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(free_port()),
    )
    # init_from_env does nothing for WORLD_SIZE=1: join a group of one by hand.
    dist.init_process_group("nccl", rank=0, world_size=1)
    assert init_from_env() is False  # already in a group (of one): nothing more to join
    cuda = torch.device("cuda", 0)
    torch.manual_seed(0)
    data = [
        (torch.randn(64, 64, device=cuda), torch.randint(0, 10, (64,), device=cuda))
        for _ in range(20)
    ]
    model = mlp(seed=0).to(cuda)

    loss = item_weighted(F.cross_entropy)
    grouped = supervised_trainer(model, OPTIMIZER, loss, reduce_grads=average_gradients)
    final = grouped.run(broadcast_state(init_train_state(model, OPTIMIZER)), data, max_epochs=2)
    plain = supervised_trainer(model, OPTIMIZER, F.cross_entropy).run(
        init_train_state(model, OPTIMIZER), data, max_epochs=2
    )
    for name, p in plain.value.params.items():
        assert p.is_cuda and torch.equal(final.value.params[name], p), name
    x, y = data[0]
    with torch.no_grad():
        y_pred = torch.func.functional_call(model, dict(final.value.params), (x,))
    acc = merge_across(Accuracy(), Accuracy().fold([(y_pred, y)]))
    print("nccl group of 1, CUDA step: equal parameters; accuracy", Accuracy().compute(acc))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
