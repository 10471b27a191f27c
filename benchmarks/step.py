"""Training-step runners (``bench.py``'s step rows): foldloop's ``supervised_trainer`` against
the fastest plain torch loop a user could write, on the same data, model and initial weights.
The digits job's runners are in ``digits.py``; the wide job's are here, and so is the memory
measurement, which ``bench.py`` runs as ``python benchmarks/step.py RUNNER STEPS`` in a fresh
process per runner (this module imports only torch and foldloop, to start quickly).

Both sides do the same work per step: forward, cross-entropy, gradients, the optimizer update,
and ``loss.item()`` (foldloop's default ``output_transform`` stores the loss as a float in the
state at every step, so the plain loop reads it too). The plain loop uses torch's fused
optimizers (``torch.optim.AdamW(fused=True)``, ``torch.optim.SGD(momentum=0.9, fused=True)``),
``zero_grad(set_to_none=True)`` and sets ``model.train()`` / ``model.eval()`` once per phase.
foldloop's step is pure: it calls the module on the state's tensors and makes the new
parameters and optimizer state out of place. The donating runners (where ``supervised_trainer``
has the ``donate`` keyword) build the trainer with ``donate=True``, so each step updates the
given state's tensors in place, and start from ``init_train_state(..., donate=True)`` (where it
has that keyword), so the state takes the model's own parameters instead of copies: what a user
who wants the plain loop's memory writes. Then, like the plain loop, the model holds the
trained parameters; the pure runners copy them and leave the model as it was.

The wide job: a 9.66M-parameter MLP 64-3072-3072-10, some steps on fixed random batches of 64
(``torch.randn`` features, ``torch.randint`` labels, seed 0), AdamW, no evaluation. Its runners
take the built model and the batches and time only the run (for foldloop ``init_train_state`` is
in the timed part: without donation it copies the parameters, where torch's optimizer makes its
state in the first step).
"""

from __future__ import annotations

import gc
import inspect
import json
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import torch
from _util import peak_rss_mib, reset_peak_rss, rss_mib  # type: ignore[import-not-found]
from torch import Tensor, nn
from torch.nn import functional as F

from foldloop import EpochCompleted, State
from foldloop.train import (
    Optimizer,
    TrainState,
    adamw,
    init_train_state,
    sgd,
    supervised_trainer,
)

SEED = 0
LR = 1e-3  # AdamW, as the digits example (torch's defaults otherwise, weight_decay 1e-2)
SGD_LR, SGD_MOMENTUM = 0.05, 0.9
WIDE = 3072  # 64*3072 + 3072*3072 + 3072*10 weights: 9.66M parameters with the biases
WIDE_BATCH = 64

# Whether this foldloop's supervised_trainer takes `donate`, and whether init_train_state does
# (the state then takes the model's own parameters, not copies), read from their signatures.
HAS_DONATE = "donate" in inspect.signature(supervised_trainer).parameters
INIT_DONATES = "donate" in inspect.signature(init_train_state).parameters

Batch = tuple[Tensor, Tensor]
TorchOptimizer = Callable[[nn.Module], torch.optim.Optimizer]


def torch_adamw(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.AdamW(model.parameters(), lr=LR, fused=True)


def torch_sgd(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM, fused=True)


def foldloop_adamw() -> Optimizer:
    return adamw(lr=LR)


def foldloop_sgd() -> Optimizer:
    return sgd(lr=SGD_LR, momentum=SGD_MOMENTUM)


# -- the plain loop -----------------------------------------------------------------------------


def plain_train(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    train: Iterable[Batch],
    epochs: int,
    after_epoch: Callable[[], None] = lambda: None,
) -> float:
    """The plain loop; the seconds it took."""
    t0 = time.perf_counter()
    for _epoch in range(epochs):
        model.train()
        for x, y in train:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            _output = loss.item()  # what foldloop's default output_transform does every step
        after_epoch()
    return time.perf_counter() - t0


def foldloop_train(
    model: nn.Module,
    optimizer: Optimizer,
    donate: bool,
    train: Iterable[Batch],
    epochs: int,
    after_epoch: Callable[[State[TrainState]], None] = lambda state: None,
) -> float:
    """foldloop's trainer (with ``donate=True`` when ``donate``); the seconds the run took."""
    extra: dict[str, Any] = {"donate": True} if donate else {}
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, **extra)
    trainer.tap(EpochCompleted, after_epoch)
    start_extra = extra if donate and INIT_DONATES else {}
    t0 = time.perf_counter()
    start = init_train_state(model, optimizer, SEED, **start_extra)
    trainer.run(start, train, max_epochs=epochs)
    return time.perf_counter() - t0


# -- the wide job -------------------------------------------------------------------------------

WideRunner = Callable[[nn.Module, list[Batch]], float]  # (model, batches) -> seconds


def wide_model() -> nn.Module:
    torch.manual_seed(SEED)
    return nn.Sequential(
        nn.Linear(64, WIDE), nn.ReLU(), nn.Linear(WIDE, WIDE), nn.ReLU(), nn.Linear(WIDE, 10)
    )


def wide_batches(steps: int) -> list[Batch]:
    g = torch.Generator().manual_seed(SEED)
    return [
        (torch.randn(WIDE_BATCH, 64, generator=g), torch.randint(0, 10, (WIDE_BATCH,), generator=g))
        for _ in range(steps)
    ]


def wide_plain(model: nn.Module, batches: list[Batch]) -> float:
    return plain_train(model, torch_adamw(model), batches, epochs=1)


def wide_foldloop(donate: bool) -> WideRunner:
    return lambda model, batches: foldloop_train(model, foldloop_adamw(), donate, batches, 1)


WIDE_RUNNERS: dict[str, WideRunner] = {
    "torch AdamW(fused)": wide_plain,
    "foldloop adamw": wide_foldloop(donate=False),
}
if HAS_DONATE:
    WIDE_RUNNERS["foldloop adamw, donate"] = wide_foldloop(donate=True)


def memory_child(name: str, steps: int) -> None:
    """The wide job's ``name`` runner for ``steps`` steps, in this (fresh) process; print JSON:
    the RSS after the model and batches are built, and the peak RSS after that (VmHWM, reset
    once they are built, so the imports' transient peak does not count).

    The runner first runs once on a tiny model, so that what it imports on first use (the
    first fused torch optimizer imports ``torch._dynamo``: ~70 MiB) is in the baseline, not
    in the training's memory."""
    torch.set_num_threads(1)
    tiny = nn.Sequential(nn.Linear(64, 8), nn.ReLU(), nn.Linear(8, 10))
    WIDE_RUNNERS[name](tiny, wide_batches(1))
    model = wide_model()
    batches = wide_batches(steps)
    gc.collect()
    baseline = rss_mib()
    reset_peak_rss()
    WIDE_RUNNERS[name](model, batches)
    print(json.dumps({"baseline_mib": baseline, "peak_mib": peak_rss_mib()}))


if __name__ == "__main__":
    memory_child(sys.argv[1], int(sys.argv[2]))
