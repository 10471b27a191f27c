"""The digits job's training runners (``bench.py``'s step rows on the digits job).

The digits example's job (``foldloop.examples.digits``: its ``mlp(0)``, 64-128-128-10, and its
loaders, batch 32, 1437 train / 360 test samples), trained for some epochs with an evaluation
(accuracy + loss on the test split) after each: ``evaluation.plain_evaluate`` for the plain
runner, the example's own ``evaluate`` on a ``supervised_evaluator`` for foldloop's. The training
loops are ``step.py``'s. A runner builds what it needs, times only the run and returns the
seconds and the last test accuracy.
"""

from __future__ import annotations

from collections.abc import Callable

from evaluation import plain_evaluate  # type: ignore[import-not-found]  # beside this file
from step import SEED, TorchOptimizer, foldloop_train, plain_train  # type: ignore[import-not-found]

from foldloop import State
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.examples.digits_scores import evaluate
from foldloop.train import Optimizer, TrainState, supervised_evaluator

DigitsRunner = Callable[[int], tuple[float, float]]  # epochs -> (seconds, last test accuracy)


def digits_plain(make_opt: TorchOptimizer) -> DigitsRunner:
    def run(epochs: int) -> tuple[float, float]:
        train, test = digits_loaders(SEED)
        model = mlp(SEED)
        opt = make_opt(model)
        accs: list[float] = []
        seconds = plain_train(
            model, opt, train, epochs, lambda: accs.append(plain_evaluate(model, test)[0])
        )
        return seconds, accs[-1]

    return run


def digits_foldloop(make_opt: Callable[[], Optimizer], donate: bool) -> DigitsRunner:
    def run(epochs: int) -> tuple[float, float]:
        train, test = digits_loaders(SEED)
        model = mlp(SEED)
        evaluator = supervised_evaluator(model)
        accs: list[float] = []

        def after_epoch(state: State[TrainState]) -> None:
            accs.append(evaluate(evaluator, state.value, test).accuracy)

        seconds = foldloop_train(model, make_opt(), donate, train, epochs, after_epoch)
        return seconds, accs[-1]

    return run
