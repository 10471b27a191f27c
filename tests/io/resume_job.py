"""A small training job for the resume tests, run here and as a script in a new process.

A dropout MLP trained with AdamW on shuffled synthetic data (`SeededBatches`, a short last
batch), with the epoch's mean loss attached as a metric: every kind of thing a checkpoint
holds (parameters, optimizer moments, a step count, metric accumulators in slots, a position
mid-epoch) changes as it runs.

    python tests/io/resume_job.py THREADS CHECKPOINT...

loads each checkpoint, runs it to the end and prints the final state's digest, one per line.
"""

from __future__ import annotations

import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from foldloop import Loop, State
from foldloop.data import SeededBatches
from foldloop.io import digest, load
from foldloop.metrics import Average, attach_metrics
from foldloop.train import Batch, TrainState, adamw, init_train_state, supervised_trainer

SEED = 3
EPOCHS = 2


def model() -> nn.Module:
    """The same dropout MLP every time."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))


def data() -> SeededBatches[Batch]:
    """40 samples in batches of 6 (the last of 4), shuffled anew each epoch by the seed."""
    generator = torch.Generator().manual_seed(SEED)
    x = torch.randn(40, 4, generator=generator)
    y = torch.randint(0, 3, (40,), generator=generator)
    return SeededBatches(TensorDataset(x, y), 6, seed=SEED)


def trainer() -> Loop[TrainState, Batch]:
    """The trainer, with the epoch's mean loss attached as a metric."""
    loop = supervised_trainer(model(), adamw(lr=1e-2), F.cross_entropy)
    attach_metrics(loop, loss=Average(), output_of=lambda value: value.output)
    return loop


def initial() -> State[TrainState]:
    """The run's first state."""
    return State(init_train_state(model(), adamw(lr=1e-2), SEED))


def final_digest(state: State[TrainState]) -> str:
    """The digest of the run's final state, from ``state`` on."""
    return digest(trainer().run(state, data(), max_epochs=EPOCHS))


if __name__ == "__main__":
    torch.set_num_threads(int(sys.argv[1]))
    for path in sys.argv[2:]:
        print(final_digest(load(path, like=initial())), flush=True)
