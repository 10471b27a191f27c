"""The tensor operations of one digits training step, counted: the plain fused loop against
foldloop's step, pure and donated (work counted, not timed: the same on a busy machine).

    python benchmarks/step_ops.py              # AdamW, then SGD with momentum
    python benchmarks/step_ops.py --all        # every operation, not only those that differ

torch's profiler records every ATen operation (and torch.optim's ``step``/``zero_grad`` marks)
over an epoch (45 steps) of each runner (``step.py``'s plain loop; ``supervised_trainer`` from
``init_train_state``, with and without ``donate=True``, as ``step.py`` builds them), after a
warm-up epoch of the same batches, so that no set-up is counted; the table gives each
operation's calls per step, and its last row the Python function calls per step (cProfile,
the loop's and torch.optim's included). With donation, foldloop's step runs the same kernel on
the same tensors as the plain loop; the pure step adds one ``_foreach_clone`` per tree the
kernel updates (parameters and each moment), i.e. a ``clone`` per tensor.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import step
import torch
from _util import table
from torch.nn import functional as F
from torch.profiler import ProfilerActivity, profile

from foldloop import State
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.train import Optimizer, TrainState, init_train_state, supervised_trainer

STEPS = (
    45  # one epoch of the digits train split at batch 32: per-run costs spread as in a real epoch
)


def counts(run: Callable[[], None]) -> dict[str, float]:
    """Calls per step of each ATen operation (and torch.optim mark) while ``run`` runs."""
    run()  # warm-up: first-step work (torch.optim makes its state) is not counted
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run()
    return {
        event.key: event.count / STEPS
        for event in prof.key_averages()
        if event.key.startswith(("aten::", "Optimizer."))
    }


def python_calls(run: Callable[[], None]) -> float:
    """Python function calls per step (cProfile's count, builtins included) while ``run`` runs."""
    profiler = cProfile.Profile()
    profiler.runcall(run)
    calls: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]  # untyped
    return calls / STEPS


def plain(make: step.TorchOptimizer, batches: list[step.Batch]) -> Callable[[], None]:
    model = mlp(step.SEED)
    opt = make(model)

    def run() -> None:
        step.plain_train(model, opt, batches, epochs=1)

    return run


def foldloop(
    make: Callable[[], Optimizer], donate: bool, batches: list[step.Batch]
) -> Callable[[], None]:
    model = mlp(step.SEED)
    trainer = supervised_trainer(model, make(), F.cross_entropy, donate=donate)
    states: list[TrainState[float] | State[TrainState[float]]] = [
        init_train_state(model, make(), step.SEED, donate=donate)
    ]

    def run() -> None:  # one more epoch of the same run: no set-up counted
        last = states[-1]
        epochs = last.epoch + 1 if isinstance(last, State) else 1
        states[-1] = trainer.run(last, batches, max_epochs=epochs)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--all", action="store_true", help="list every operation")
    args = ap.parse_args()
    torch.set_num_threads(1)
    train, _ = digits_loaders(step.SEED)
    batches = [(x, y) for x, y in train][:STEPS]
    pairs = {
        "AdamW": (step.torch_adamw, step.foldloop_adamw),
        "SGD momentum 0.9": (step.torch_sgd, step.foldloop_sgd),
    }
    for name, (torch_opt, foldloop_opt) in pairs.items():
        runners = {
            "plain fused": plain(torch_opt, batches),
            "foldloop": foldloop(foldloop_opt, False, batches),
            "foldloop donate": foldloop(foldloop_opt, True, batches),
        }
        runs = {runner: counts(run) for runner, run in runners.items()}
        python = ["Python calls (cProfile)", *(f"{python_calls(r):.1f}" for r in runners.values())]
        ops = sorted(set().union(*runs.values()))
        rows = [
            [op, *(f"{found.get(op, 0):g}" for found in runs.values())]
            for op in ops
            if args.all or len({found.get(op, 0) for found in runs.values()}) > 1
        ]
        total = [
            "ATen calls, nested included",
            *(f"{_aten_total(found):g}" for found in runs.values()),
        ]
        print(f"\n{name}: calls per step ({STEPS} steps counted)")
        print(table([*rows, total, python], ["operation", *runs]))


def _aten_total(found: dict[str, float]) -> float:
    return sum(n for op, n in found.items() if op.startswith("aten::"))


if __name__ == "__main__":
    main()
