"""foldloop runners for the digits harness (``shared/bench/digits.py --plugin``).

``foldloop`` runs the harness's job (its model, loaders and AdamW settings) with
``supervised_trainer`` and evaluates after every epoch with the example's ``evaluate``; the
trained weights go back into the model with ``load_into`` for the harness's common accuracy.

``torch:wide`` and ``foldloop:wide`` run the same job on a ~10M-parameter MLP
(64-3072-3072-10), where the out-of-place optimizer update dominates; compare them with
each other (``--only torch:wide foldloop:wide``, fewer epochs: one epoch takes seconds).
``torch:sgd``/``foldloop:sgd`` and ``torch:wide-sgd``/``foldloop:wide-sgd`` swap AdamW for SGD
with momentum (lr 0.05, momentum 0.9), in ``torch.optim`` and in foldloop.

    python ../shared/bench/digits.py --plugin benchmarks/digits_foldloop.py --only torch foldloop
    python ../shared/bench/digits.py --plugin benchmarks/digits_foldloop.py \\
        --only torch:wide foldloop:wide --epochs 2 --reps 3

Measured on a 2-core VM (torch 2.13 CPU, one thread, load average about 1; epoch medians vary
by 10-20% from run to run there, so each line gives two runs):

    digits, --only torch foldloop ignite --reps 15:  foldloop 0.75x and 0.97x torch,
        Ignite 1.20x and 1.17x; peak RSS 317 MiB against torch's 385
    wide, --only torch:wide foldloop:wide --epochs 2 --reps 3:  foldloop 0.62x torch's time,
        peak RSS 768 MiB against 612 (1.25x)
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

import digits  # type: ignore[import-not-found]  # the harness module, loaded before plugins
import torch
from torch import nn

from foldloop import EpochCompleted, State
from foldloop.examples.digits import evaluate
from foldloop.train import (
    Optimizer,
    TrainState,
    adamw,
    init_train_state,
    load_into,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)

WIDE = 3072  # 64*3072 + 3072*3072 + 3072*10 weights: 9.66M parameters with the biases


def wide_model(job: digits.Job) -> nn.Module:
    torch.manual_seed(job.seed)
    return nn.Sequential(
        nn.Linear(64, WIDE), nn.ReLU(), nn.Linear(WIDE, WIDE), nn.ReLU(), nn.Linear(WIDE, 10)
    )


SGD_LR, SGD_MOMENTUM = 0.05, 0.9  # the SGD runners' settings (the harness's job uses AdamW)


def run_foldloop(
    job: digits.Job, make_model: Callable[[], nn.Module], optimizer: Optimizer
) -> digits.Result:
    model = make_model()
    trainer = supervised_trainer(model, optimizer, nn.CrossEntropyLoss())
    evaluator = supervised_evaluator(model)
    train, test = job.train_loader(), job.test_loader()
    eval_s: list[float] = []
    accs: list[float] = []

    def evaluate_epoch(state: State[TrainState]) -> None:
        te = time.perf_counter()
        accs.append(evaluate(evaluator, state.value, test).accuracy)
        eval_s.append(time.perf_counter() - te)

    trainer.tap(EpochCompleted, evaluate_epoch)
    t0 = time.perf_counter()
    final = trainer.run(init_train_state(model, optimizer, job.seed), train, max_epochs=job.epochs)
    dt = time.perf_counter() - t0
    load_into(model, final.value)
    return digits.Result(dt, eval_s, accs, model)


def run_torch_variant(job: digits.Job, wide: bool, sgd_momentum: bool) -> digits.Result:
    """The harness's plain loop on a copy of the job, with the wide model and/or SGD."""
    variant = copy.copy(job)
    if wide:
        variant.make_model = lambda: wide_model(job)
    if sgd_momentum:
        variant.make_optimizer = lambda model: torch.optim.SGD(
            model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM
        )
    return digits.run_torch(variant)


def _adamw(job: digits.Job) -> Optimizer:
    return adamw(lr=job.lr)  # torch.optim.AdamW's defaults: betas, eps, weight_decay=1e-2


def _sgd() -> Optimizer:
    return sgd(lr=SGD_LR, momentum=SGD_MOMENTUM)


RUNNERS = {
    "foldloop": lambda job: run_foldloop(job, job.make_model, _adamw(job)),
    "torch:wide": lambda job: run_torch_variant(job, wide=True, sgd_momentum=False),
    "foldloop:wide": lambda job: run_foldloop(job, lambda: wide_model(job), _adamw(job)),
    "torch:sgd": lambda job: run_torch_variant(job, wide=False, sgd_momentum=True),
    "foldloop:sgd": lambda job: run_foldloop(job, job.make_model, _sgd()),
    "torch:wide-sgd": lambda job: run_torch_variant(job, wide=True, sgd_momentum=True),
    "foldloop:wide-sgd": lambda job: run_foldloop(job, lambda: wide_model(job), _sgd()),
}
