"""Steps called from several threads at once give each thread the numbers it gets alone, and
leave the caller's random stream as it was."""

import threading
from collections.abc import Callable

import torch
import torch.nn.functional as F
from supervised_problem import batches, classifier, one_thread

from foldloop import Loop
from foldloop.train import (
    TrainState,
    adamw,
    init_train_state,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)

ITERATIONS = 30  # per run: enough for the threads' steps to interleave many times
Batches = list[tuple[torch.Tensor, torch.Tensor]]


def in_threads(jobs: list[Callable[[], TrainState]]) -> list[TrainState]:
    """Each job's result, the jobs run at once in their own threads (each bounded in time)."""
    results: list[TrainState | BaseException | None] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def work(index: int) -> None:
        start.wait(timeout=30)
        try:
            results[index] = jobs[index]()
        except BaseException as error:  # re-raised in the main thread
            results[index] = error

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [result for result in results if isinstance(result, TrainState)]


def job(
    trainer: Loop[TrainState, tuple[torch.Tensor, torch.Tensor]], start: TrainState, data: Batches
) -> Callable[[], TrainState]:
    return lambda: trainer.run(start, data).value


def test_two_trainers_with_dropout_in_two_threads_get_their_sequential_numbers() -> None:
    models = [classifier(dropout=0.5, seed=seed) for seed in (0, 1)]
    trainers = [supervised_trainer(m, adamw(0.01), F.cross_entropy) for m in models]
    starts = [init_train_state(m, adamw(0.01), seed=s) for m, s in zip(models, (5, 6), strict=True)]
    data = [batches(ITERATIONS, seed=seed) for seed in (1, 2)]
    jobs = [job(t, s, d) for t, s, d in zip(trainers, starts, data, strict=True)]
    with one_thread():
        alone = [run() for run in jobs]
        caller = torch.get_rng_state()
        together = in_threads(jobs)
        assert torch.equal(torch.get_rng_state(), caller)
    assert together == alone


def test_one_trainer_run_from_two_threads_gives_each_run_its_sequential_numbers() -> None:
    model = classifier(dropout=0.5)
    trainer = supervised_trainer(model, sgd(0.1, momentum=0.9), F.cross_entropy)
    evaluator = supervised_evaluator(model)
    starts = [init_train_state(model, sgd(0.1, momentum=0.9), seed=seed) for seed in (1, 2)]
    data = [batches(ITERATIONS, seed=seed) for seed in (3, 4)]
    jobs = [job(trainer, s, d) for s, d in zip(starts, data, strict=True)]
    jobs.append(lambda: evaluator.run(starts[0], data[1]).value)
    with one_thread():
        alone = [run() for run in jobs]
        together = in_threads(jobs)
    assert together[:2] == alone[:2]
    assert torch.equal(together[2].output[0], alone[2].output[0])
