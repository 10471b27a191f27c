"""What each process of the distributed tests runs (module level, so spawned ranks import it)."""

import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from foldloop import IterationCompleted, State
from foldloop.data import SeededBatches
from foldloop.distributed import (
    Across,
    average_gradients,
    broadcast_state,
    merge_across,
    rank,
    shard,
    world_size,
)
from foldloop.examples.digits import OPTIMIZER, mlp
from foldloop.metrics import Accuracy, ConfusionMatrix, evaluate
from foldloop.train import (
    Batch,
    TrainState,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)

GLOBAL_BATCH = 64
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
    final parameters, those of a run stopped at ``STOP_AT`` and resumed, and test metrics."""
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
    return {
        "world": world_size(),
        "evaluated": evaluated,
        "start": start.params,
        "params": whole.value.params,
        "resumed_equal": resumed == whole,
        "stopped_at": stopped.iteration,
        "accuracy": accuracy.compute(acc),
        "confusion": confusion.compute(conf),
    }


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
