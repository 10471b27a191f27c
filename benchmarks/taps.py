"""The taps' runners (``bench.py``'s taps rows).

``digits_job(tapped)``: the digits job (``foldloop.examples.digits``' model and loaders, AdamW,
an evaluation after each epoch) with the taps named in ``tapped`` (``TAPS``: a progress bar
rendering into a StringIO, so not a terminal but not disabled; a JSON Lines logger, every 10
iterations and every epoch, into a temporary file; a profiler), or none.
``trivial_loop(had_profiler)``: a loop with a trivial step and six handlers, over which a
profiler was attached and detached, or never.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path

import torch.nn.functional as F
from step import SEED, foldloop_adamw  # type: ignore[import-not-found]  # beside this file

from foldloop import EpochCompleted, IterationCompleted, Loop, State, every, on
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.examples.digits_scores import evaluate
from foldloop.handlers import JsonLines, Profiler, ProgressBar
from foldloop.train import TrainState, init_train_state, supervised_evaluator, supervised_trainer

Runner = Callable[[int], float]  # epochs (or repetitions) -> seconds
TAPS = ("progress bar", "JSON Lines", "profiler")  # attached in this order (the profiler last)


def digits_job(tapped: Collection[str]) -> Runner:
    def run(epochs: int) -> float:
        train, test = digits_loaders(SEED)
        model = mlp(SEED)
        optimizer = foldloop_adamw()
        trainer = supervised_trainer(model, optimizer, F.cross_entropy)
        evaluator = supervised_evaluator(model)
        trainer.tap(EpochCompleted, lambda s: evaluate(evaluator, s.value, test))
        with tempfile.TemporaryDirectory() as folder:
            attach_taps(trainer, Path(folder), tapped)
            t0 = time.perf_counter()
            trainer.run(init_train_state(model, optimizer, SEED), train, max_epochs=epochs)
            return time.perf_counter() - t0

    return run


def attach_taps(trainer: Loop[TrainState, object], folder: Path, tapped: Collection[str]) -> None:
    loss = {"loss": lambda s: s.value.output}
    if "progress bar" in tapped:
        ProgressBar(loss, file=io.StringIO(), disable=False).attach(trainer)
    if "JSON Lines" in tapped:
        log: JsonLines[TrainState] = JsonLines(folder / "log.jsonl", loss)
        log.attach(trainer, on(IterationCompleted, every(10)) | on(EpochCompleted))
    if "profiler" in tapped:
        Profiler().attach(trainer)


def trivial_loop(had_profiler: bool, iterations: int) -> Callable[[], float]:
    loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
    for k in (1, 2, 5, 10, 50, 100):
        loop.attach(on(IterationCompleted, every(k)), _keep)
    if had_profiler:
        Profiler().attach(loop).remove()
    data = [1] * iterations

    def run() -> float:
        t0 = time.perf_counter()
        loop.run(0, data)
        return time.perf_counter() - t0

    return run


def _keep(state: State[int]) -> State[int]:
    return state
