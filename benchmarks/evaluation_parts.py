"""Where ``bench.py``'s evaluation row (digits test split, batch 32) spends its time, per batch.

    python benchmarks/evaluation_parts.py            # a few seconds
    python benchmarks/evaluation_parts.py --quick    # a smoke run, numbers meaningless

The test split's batches are drawn once into a list (no data loading is timed), repeated four
times per pass. Each runner is one pass over them; the passes are interleaved in rotating order,
and the table gives the minimum per batch and its difference from the plain loop's:

  plain, model only        ``model(x)`` under ``torch.no_grad()``
  plain                    ``evaluation.plain_evaluate``'s loop: the model, then the loss and
                           the count of correct predictions read with ``.item()``
  plain + 7.5 us Python    the same with a pure-Python function of its own cost in between:
                           how much more Python costs when it runs between torch's kernels
  Loop, model call         a ``Loop`` whose step calls the model itself (no template, no
                           ``TrainState``): the loop's own share, under ``torch.no_grad()``
  foldloop, model only     ``supervised_evaluator(model)`` run on the batches, no metric
  foldloop, plain metrics  the same, with a tap doing the plain loop's arithmetic
  foldloop, metrics        ``foldloop.metrics.evaluate`` with ``Accuracy`` + ``Loss`` (what
                           ``bench.py`` times, less the data loading)

A second table gives what one evaluation costs beyond its batches: ``plain`` and ``foldloop,
metrics`` on a single batch, timed after a ``gc.collect()`` (as every pass above and in
``bench.py`` is) and warm (the best of five in a row).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import step
import torch
import torch.nn.functional as F
from _util import table
from bench import interleaved
from torch import Tensor

from foldloop import IterationCompleted, Loop, State
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.metrics import Accuracy, Loss, metrics
from foldloop.metrics import evaluate as evaluate_metrics
from foldloop.train import TrainState, buffers_of, params_of, supervised_evaluator

Batch = tuple[Tensor, Tensor]


def _python(steps: int = 300) -> int:
    """Pure-Python work of a few microseconds (its own cost is measured and shown)."""
    total = 0
    for i in range(steps):
        total += i
    return total


def _metrics_of(y_pred: Tensor, y: Tensor) -> tuple[float, int]:
    """The plain loop's arithmetic: the batch's summed loss and number of correct predictions."""
    return F.cross_entropy(y_pred, y).item() * len(y), int((y_pred.argmax(1) == y).sum().item())


def _timed(run: Callable[[], object]) -> Callable[[], float]:
    def timed() -> float:
        t0 = time.perf_counter()
        run()
        return time.perf_counter() - t0

    return timed


def runners(batches: list[Batch]) -> dict[str, Callable[[], object]]:
    model = mlp(step.SEED).eval()
    trained = TrainState(params_of(model), buffers_of(model), ())
    scores = metrics(accuracy=Accuracy(), loss=Loss(F.cross_entropy))

    def plain_model_only() -> None:
        with torch.no_grad():
            for x, _ in batches:
                model(x)

    def plain(with_python: bool) -> Callable[[], None]:
        def run() -> None:
            with torch.no_grad():
                for x, y in batches:
                    y_pred = model(x)
                    if with_python:
                        _python()
                    _metrics_of(y_pred, y)

        return run

    def call_model(state: State[Tensor], batch: Batch) -> State[Tensor]:
        return state.replace(value=model(batch[0]))

    bare_loop: Loop[Tensor, Batch] = Loop(call_model)

    def loop_model_call() -> None:
        with torch.no_grad():
            bare_loop.run(torch.zeros(0), batches)

    evaluator = supervised_evaluator(model)
    tapped = supervised_evaluator(model)
    tapped.tap(IterationCompleted, lambda state: _metrics_of(*state.value.output))
    measured = supervised_evaluator(model)
    return {
        "plain, model only": plain_model_only,
        "plain": plain(False),
        "plain + 7.5 us Python": plain(True),
        "Python alone": lambda: [_python() for _ in batches],
        "Loop, model call": loop_model_call,
        "foldloop, model only": lambda: evaluator.run(State(value=trained), batches),
        "foldloop, plain metrics": lambda: tapped.run(State(value=trained), batches),
        "foldloop, metrics": lambda: evaluate_metrics(
            measured, trained, batches, scores, output_of=lambda value: value.output
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="a smoke run: 2 repetitions")
    ap.add_argument("--reps", type=int, default=40, help="timed passes of each runner")
    args = ap.parse_args()
    reps = 2 if args.quick else args.reps
    torch.set_num_threads(1)
    _, test = digits_loaders(step.SEED)
    batches: list[Batch] = [(x, y) for x, y in test] * 4  # drawn once: no data loading timed
    runs = {name: _timed(run) for name, run in runners(batches).items()}
    gc.collect()
    gc.freeze()
    seconds = interleaved(runs, reps, warmup=1, what="evaluation parts")
    per_batch = {name: min(s) * 1e6 / len(batches) for name, s in seconds.items()}
    rows = [
        [name, f"{us:.1f}", "-" if name == "Python alone" else f"{us - per_batch['plain']:+.1f}"]
        for name, us in per_batch.items()
    ]
    print(f"# evaluation_parts.py: {len(batches)} batches of 32 per pass, {reps} passes, min")
    print(table(rows, ["runner", "us per batch (min)", "vs plain"]))
    _fixed_cost(batches[0], reps)


_ONE_BATCH = ("plain", "foldloop, metrics")  # the runners timed on one batch


def _fixed_cost(batch: Batch, reps: int) -> None:
    """What an evaluation costs beyond its batches: both runners on one batch, the time
    after ``gc.collect()`` (each timed pass follows one, as in ``bench.py``) and warm."""
    both = {name: run for name, run in runners([batch]).items() if name in _ONE_BATCH}
    times = {name: _timed(run) for name, run in both.items()}
    cold = interleaved(times, reps, warmup=1, what="one batch, after gc.collect()")
    warm = interleaved(
        {name: lambda timed=timed: min(timed() for _ in range(5)) for name, timed in times.items()},
        reps,
        warmup=1,
        what="one batch, warm",
    )
    rows = [[name, f"{min(cold[name]) * 1e6:.1f}", f"{min(warm[name]) * 1e6:.1f}"] for name in both]
    print(f"# one evaluation of one batch, {reps} repetitions, min")
    print(table(rows, ["runner", "us after gc.collect()", "us warm (best of 5 in a row)"]))


if __name__ == "__main__":
    main()
