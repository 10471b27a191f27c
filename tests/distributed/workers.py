"""What each process of the distributed tests runs (module level, so spawned ranks import it)."""

import os
import time
from pathlib import Path

import attrs
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from foldloop import EpochCompleted, IterationCompleted, Loop, RunError, State
from foldloop.data import SeededBatches
from foldloop.distributed import (
    Across,
    RankFailed,
    average_gradients,
    broadcast_buffers,
    broadcast_state,
    failures_reported,
    merge_across,
    rank,
    shard,
    world_size,
)
from foldloop.examples.digits import OPTIMIZER, trainer_loop
from foldloop.examples.digits_data import digits_loaders, mlp
from foldloop.examples.digits_scores import TEST_SCORES, Scores
from foldloop.handlers import Checkpoints, JsonLines
from foldloop.io import resume
from foldloop.metrics import Accuracy, ConfusionMatrix, evaluate
from foldloop.train import (
    Batch,
    TrainState,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)

GLOBAL_BATCH = 64
SPLIT_BATCH = 37  # odd: 2 ranks take 19 and 18 items of each batch, 16 and 15 of the last, 31
STOP_AT = 13  # the iteration a stopped run is cut at, mid-epoch


def _digits() -> tuple[TensorDataset, TensorDataset]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=0, stratify=digits.target
    )

    def dataset(x: object, y: object) -> TensorDataset:
        return TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y))

    return dataset(x_train, y_train), dataset(x_test, y_test)


def digits_job(epochs: int) -> dict[str, object]:
    """The digits job on this process's share of each global batch (all of it alone): the
    final parameters, those of a run stopped at ``STOP_AT`` and resumed, and test metrics; and
    the example's trainer on batches the ranks cannot halve. One torch thread, as the example
    runs (intra-op threads on a loaded 2-core machine make it a hundred times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _digits_job(epochs)
    finally:
        torch.set_num_threads(threads)


def _digits_job(epochs: int) -> dict[str, object]:
    train_set, test_set = _digits()
    model = mlp(seed=rank())  # different weights on each rank: the broadcast makes them equal
    start = broadcast_state(init_train_state(model, OPTIMIZER, seed=0))
    # drop_last: 1437 items; a last global batch of 29 would be padded (not one-process data).
    train: SeededBatches[Batch] = shard(
        SeededBatches(train_set, GLOBAL_BATCH, seed=0, drop_last=True)
    )
    trainer = supervised_trainer(model, OPTIMIZER, F.cross_entropy, reduce_grads=average_gradients)
    whole = trainer.run(start, train, max_epochs=epochs)
    stopped = next(
        state
        for event, state in trainer.scan(start, train, max_epochs=epochs)
        if isinstance(event, IterationCompleted) and state.iteration == STOP_AT
    )
    resumed = trainer.run(stopped, train, max_epochs=epochs)
    # Evaluation: 360 test items in global batches of 40, split between the ranks.
    test: SeededBatches[Batch] = shard(SeededBatches(test_set, 40, seed=0, shuffle=False))
    outputs = [(_predict(model, whole, x), y) for x, y in test]
    accuracy, confusion = Accuracy(), ConfusionMatrix(num_classes=10)
    acc = merge_across(accuracy, accuracy.fold(outputs))
    conf = merge_across(confusion, confusion.fold(outputs))
    # The same through evaluate: Across merges each rank's accumulator before computing. The
    # trainer's state is a TrainState[float]; the evaluator replaces its output with (y_pred, y).
    trained: TrainState = whole.value
    evaluated = evaluate(
        supervised_evaluator(model),
        trained,
        test,
        output_of=lambda value: value.output,
        accuracy=Across(Accuracy()),
        confusion=Across(ConfusionMatrix(num_classes=10)),
    )
    split_params, split_scores = _split_job(epochs)
    return {
        "split_params": split_params,
        "split_scores": split_scores,
        "world": world_size(),
        "evaluated": evaluated,
        "start": start.params,
        "params": whole.value.params,
        "resumed_equal": resumed == whole,
        "stopped_at": stopped.iteration,
        "accuracy": accuracy.compute(acc),
        "confusion": confusion.compute(conf),
    }


def _split_job(epochs: int) -> tuple[dict[str, torch.Tensor], Scores]:
    """The example's own trainer (`trainer_loop`) on global batches of `SPLIT_BATCH`, which 2
    ranks cannot halve: ``uneven="split"`` slices and the item-weighted loss."""
    train, test = digits_loaders(0, batch_size=SPLIT_BATCH)
    assert isinstance(train, SeededBatches)
    model = mlp(0)
    trainer = trainer_loop(model, lambda line: None, test, distributed=world_size() > 1)
    start = State(broadcast_state(init_train_state(model, OPTIMIZER, seed=0)))
    final = trainer.run(start, shard(train, uneven="split"), max_epochs=epochs)
    return dict(final.value.params), final.get(TEST_SCORES)


def _predict(model: torch.nn.Module, state: State[TrainState], x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y_pred: torch.Tensor = torch.func.functional_call(model, dict(state.value.params), (x,))
        return y_pred


def die_on_rank_1() -> None:
    """Rank 1 dies without a word; rank 0 waits in an all-reduce for it."""
    if rank() == 1:
        os._exit(3)
    dist.all_reduce(torch.ones(1))


def raise_on_rank_1() -> None:
    """Rank 1 raises; rank 0 waits in an all-reduce for it."""
    if rank() == 1:
        raise ValueError("rank 1 gives up")
    dist.all_reduce(torch.ones(1))


FAILS_AT = 3  # the iteration whose step raises on rank 1


def raise_in_a_step_on_rank_1() -> dict[str, object]:
    """A data-parallel trainer whose loss raises on rank 1 at iteration `FAILS_AT`: rank 1
    records its failure (`failures_reported`) and leaves; rank 0's all-reduce breaks. Each
    rank returns what it saw instead of raising, so that both results come back."""
    torch.set_num_threads(1)
    calls: list[int] = []

    def loss(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        if rank() == 1 and len(calls) == FAILS_AT:
            raise ValueError("rank 1 gives up")
        return F.mse_loss(y_pred, y)

    model = torch.nn.Linear(2, 1)
    trainer = supervised_trainer(model, OPTIMIZER, loss, reduce_grads=average_gradients)
    data = [(torch.ones(4, 2), torch.zeros(4, 1))] * 6
    start = broadcast_state(init_train_state(model, OPTIMIZER))
    began = time.monotonic()
    try:
        with failures_reported():
            trainer.run(start, data)
    except RunError as error:
        cause = error.__cause__
        return {
            "seconds": time.monotonic() - began,
            "message": str(error),
            "cause": cause,
            "failed": cause.rank if isinstance(cause, RankFailed) else None,
            "iteration": error.state.iteration,
        }
    return {}


def taps_and_buffers(folder: str) -> dict[str, object]:
    """A small data-parallel run with a batch-norm model, each rank on data of its own:
    a JSON Lines log and checkpoints declared for rank 0 (the default), a log for every rank
    (``rank=None``), the checkpoint every rank then resumes, and the running statistics with
    and without `broadcast_buffers`."""
    torch.set_num_threads(1)
    here = Path(folder)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    generator = torch.Generator().manual_seed(rank())
    data = [(torch.randn(8, 3, generator=generator), torch.randn(8, 4, generator=generator))] * 3
    start = State(broadcast_state(init_train_state(model, OPTIMIZER)))

    def trainer(synced: bool) -> Loop[TrainState, Batch]:
        loop = supervised_trainer(model, OPTIMIZER, F.mse_loss, reduce_grads=average_gradients)
        if synced:
            loop.attach(IterationCompleted, broadcast_buffers)
        return loop

    synced = trainer(synced=True)
    JsonLines(here / "log.jsonl", {"loss": lambda s: s.value.output}).attach(
        synced, IterationCompleted
    )
    every_rank: JsonLines[TrainState] = JsonLines(here / f"rank-{rank()}.jsonl", rank=None)
    every_rank.attach(synced, IterationCompleted)
    synced.tap(EpochCompleted, Checkpoints(here / "checkpoints"))
    final = synced.run(start, data, max_epochs=2)
    dist.barrier()  # rank 0 has written its last checkpoint
    resumed = resume(here / "checkpoints", like=start)
    return {
        "synced": dict(final.value.buffers),
        "own": dict(trainer(synced=False).run(start, data, max_epochs=2).value.buffers),
        # Rank 0's state at the last EpochCompleted: this rank's final parameters, buffers and
        # optimizer state (its output, the loss of its own slice, is rank 0's there).
        "resumed_equal": resumed is not None
        and attrs.evolve(resumed.value, output=final.value.output) == final.value,
    }
