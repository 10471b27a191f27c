"""The digits job's training alone, per step: ``bench.py``'s step rows without the evaluation.

    python benchmarks/step_training.py            # ~2 minutes
    python benchmarks/step_training.py --quick    # a smoke run, numbers meaningless

``bench.py``'s digits rows time an epoch of training plus an evaluation of the test split, so
their ratios mix the training step's cost with the evaluator's. This script times the training
loops alone, with the same runners (``step.plain_train``, ``step.foldloop_train``: the plain
loop with ``torch.optim.AdamW(fused=True)`` / ``SGD(momentum=0.9, fused=True)``, and
``supervised_trainer`` + ``adamw`` / ``sgd(momentum=0.9)``, pure and with ``donate=True``), on
one epoch of the digits example's train batches drawn once into a list (both sides read the same
list, so the data loading is not timed either). Each repetition starts from a fresh model and
optimizer; the repetitions are interleaved in rotating order, and the table gives the minimum
per step of each side, their ratio and the median of the paired ratios, as ``bench.py`` does.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import step
import torch
from _util import reps_and_epochs, table
from bench import interleaved, ratio_row

from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.train import Optimizer

OPTIMIZERS: dict[str, tuple[step.TorchOptimizer, Callable[[], Optimizer]]] = {
    "AdamW": (step.torch_adamw, step.foldloop_adamw),
    "SGD momentum 0.9": (step.torch_sgd, step.foldloop_sgd),
}


def main() -> None:
    reps, epochs = reps_and_epochs(__doc__, 20, 3, "runner")
    torch.set_num_threads(1)
    train, _ = digits_loaders(step.SEED)
    batches = [(x, y) for x, y in train]  # one epoch, drawn once
    runs: dict[str, Callable[[], float]] = {}
    for name, (torch_opt, foldloop_opt) in OPTIMIZERS.items():
        runs[f"torch {name}"] = _plain(torch_opt, batches, epochs)
        runs[f"foldloop {name}"] = _foldloop(foldloop_opt, False, batches, epochs)
        runs[f"foldloop {name}, donate"] = _foldloop(foldloop_opt, True, batches, epochs)
    gc.collect()
    gc.freeze()  # the imports' objects: out of the gc.collect() before each repetition
    seconds = interleaved(runs, reps, warmup=1, what="training")
    per_step = 1e6 / (epochs * len(batches))
    rows = [
        ratio_row(
            f"Training, digits job, {name}{', donate=True' if donate else ''} (per step)",
            f"torch {name} loop",
            seconds[f"foldloop {name}{', donate' if donate else ''}"],
            seconds[f"torch {name}"],
            per_step,
            "us",
            1.05,
            "<= 1.05x",
        )
        for name in OPTIMIZERS
        for donate in (False, True)
    ]
    print(
        f"# step_training.py: {epochs} epochs of {len(batches)} batches per repetition, {reps} reps"
    )
    print(
        table(
            [[r.comparison, r.ours, r.theirs, r.ratio, r.paired, r.met] for r in rows],
            ["comparison", "foldloop (min)", "plain (min)", "ratio", "paired (median)", "<= 1.05x"],
        )
    )


def _plain(
    make_opt: step.TorchOptimizer, batches: list[step.Batch], epochs: int
) -> Callable[[], float]:
    def run() -> float:
        model = mlp(step.SEED)
        seconds: float = step.plain_train(model, make_opt(model), batches, epochs)
        return seconds

    return run


def _foldloop(
    make_opt: Callable[[], Optimizer], donate: bool, batches: list[step.Batch], epochs: int
) -> Callable[[], float]:
    def run() -> float:
        seconds: float = step.foldloop_train(mlp(step.SEED), make_opt(), donate, batches, epochs)
        return seconds

    return run


if __name__ == "__main__":
    main()
