"""Train an MLP on scikit-learn's digits, evaluating on a held-out fifth after every epoch.

    python -m foldloop.examples.digits

Every piece of foldloop is in sight: a pure trainer loop built from an ``nn.Module``, a pure
optimizer, handlers that keep what they remember in typed slots of the state, an evaluator
run from a handler, and taps that print. The module passed to the trainer is never changed;
the trained weights are in the final state (``load_into`` puts them into a module).
"""

import time
from collections.abc import Callable, Iterable

import attrs
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from foldloop import EpochCompleted, EpochStarted, IterationCompleted, Loop, Slot, Started, State
from foldloop.metrics import Accuracy, Loss
from foldloop.metrics import evaluate as evaluate_metrics
from foldloop.train import (
    Batch,
    TrainState,
    adamw,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)

SEED = 0
EPOCHS = 10


@attrs.frozen
class Scores:
    """Accuracy and mean cross-entropy over a data set.

    Example:
        >>> Scores(accuracy=0.5, loss=1.25)
        Scores(accuracy=0.5, loss=1.25)
    """

    accuracy: float
    loss: float


TRAIN_LOSS: Slot[tuple[float, int]] = Slot("train_loss", (0.0, 0))  # sum and count this epoch
TEST_SCORES: Slot[Scores] = Slot("test_scores")


def digits_loaders(seed: int, batch_size: int = 32) -> tuple[Iterable[Batch], Iterable[Batch]]:
    """Train and test batches: pixels / 16, a stratified 80/20 split, train shuffled by ``seed``.

    Example:
        >>> train, test = digits_loaders(seed=0)
        >>> x, y = next(iter(test))
        >>> tuple(x.shape), y.dtype
        ((32, 64), torch.int64)
    """
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=seed, stratify=digits.target
    )

    def dataset(x: object, y: object) -> TensorDataset:
        return TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y))

    shuffle = torch.Generator().manual_seed(seed)
    train = DataLoader(dataset(x_train, y_train), batch_size, shuffle=True, generator=shuffle)
    return train, DataLoader(dataset(x_test, y_test), batch_size)


def mlp(seed: int) -> nn.Module:
    """A 64-128-128-10 ReLU network whose initial weights are drawn from ``seed``.

    Example:
        >>> sum(p.numel() for p in mlp(seed=0).parameters())
        26122
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
        )


def evaluate(
    evaluator: Loop[TrainState, Batch], trained: TrainState, data: Iterable[Batch]
) -> Scores:
    """Accuracy and mean loss of ``trained``'s weights, from the evaluator's ``(y_pred, y)``.

    The metrics are folds over the evaluator's outputs (``foldloop.metrics``), attached for
    this one evaluation.

    Example:
        >>> model = mlp(seed=0)
        >>> untrained = init_train_state(model, adamw())
        >>> scores = evaluate(supervised_evaluator(model), untrained, digits_loaders(0)[1])
        >>> scores.accuracy < 0.5
        True
    """
    values = evaluate_metrics(
        evaluator,
        trained,
        data,
        output_of=lambda value: value.output,
        accuracy=Accuracy(),
        loss=Loss(F.cross_entropy),
    )
    return Scores(accuracy=float(values["accuracy"]), loss=float(values["loss"]))


def reset_train_loss(state: State[TrainState]) -> State[TrainState]:
    """Start the epoch's running loss from nothing (a handler on ``EpochStarted``).

    Example:
        >>> state = State(value=TrainState({}, {}, ())).put(TRAIN_LOSS, (3.5, 7))
        >>> reset_train_loss(state).get(TRAIN_LOSS)
        (0.0, 0)
    """
    return state.put(TRAIN_LOSS, (0.0, 0))


def add_train_loss(state: State[TrainState]) -> State[TrainState]:
    """Add the step's loss to the epoch's running loss (a handler on ``IterationCompleted``).

    Example:
        >>> add_train_loss(State(value=TrainState({}, {}, (), output=0.25))).get(TRAIN_LOSS)
        (0.25, 1)
    """
    total, count = state.get(TRAIN_LOSS)
    return state.put(TRAIN_LOSS, (total + state.value.output, count + 1))


def record_test_scores(
    state: State[TrainState], evaluator: Loop[TrainState, Batch], test: Iterable[Batch]
) -> State[TrainState]:
    """Evaluate the current weights and keep the scores (a handler on ``EpochCompleted``).

    Example:
        >>> model, (_, test) = mlp(seed=0), digits_loaders(seed=0)
        >>> state = State(value=init_train_state(model, adamw()))
        >>> evaluator = supervised_evaluator(model)
        >>> record_test_scores(state, evaluator, test).get(TEST_SCORES).accuracy < 0.5
        True
    """
    return state.put(TEST_SCORES, evaluate(evaluator, state.value, test))


def table_row(state: State[TrainState]) -> str:
    """One line of the per-epoch table.

    Example:
        >>> state = State(value=TrainState({}, {}, ()), epoch=3).put(TRAIN_LOSS, (1.0, 4))
        >>> table_row(state.put(TEST_SCORES, Scores(accuracy=0.9, loss=0.3)))
        '    3      0.2500     0.3000    0.9000'
    """
    total, count = state.get(TRAIN_LOSS)
    scores = state.get(TEST_SCORES)
    train_loss = total / count
    return f"{state.epoch:>5}  {train_loss:>10.4f}  {scores.loss:>9.4f}  {scores.accuracy:>8.4f}"


def train(
    epochs: int = EPOCHS, seed: int = SEED, log: Callable[[str], object] = print
) -> State[TrainState]:
    """Train the MLP with AdamW, logging a row of train loss and test scores per epoch.

    The trainer donates each state to the next step (``donate=True``): no handler keeps an
    earlier state, so the weights and AdamW's moments are updated in place.

    Example:
        >>> final = train(epochs=1, log=lambda line: None)
        >>> final.epoch, final.value.step, final.get(TEST_SCORES).accuracy > 0.8
        (1, 45, True)
    """
    train_data, test_data = digits_loaders(seed)
    model = mlp(seed)
    optimizer = adamw(lr=1e-3)
    # donate: the job keeps no earlier state, so each step updates the weights in place.
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, donate=True)
    evaluator = supervised_evaluator(model)

    trainer.attach(EpochStarted, reset_train_loss)
    trainer.attach(IterationCompleted, add_train_loss)
    trainer.attach(EpochCompleted, record_test_scores, evaluator, test_data)
    trainer.tap(Started, lambda: log("epoch  train loss  test loss  test acc"))
    trainer.tap(EpochCompleted, lambda state: log(table_row(state)))
    return trainer.run(init_train_state(model, optimizer, seed), train_data, max_epochs=epochs)


def main() -> None:
    """Run the job and print the table (``python -m foldloop.examples.digits``).

    One torch thread: the model is so small that intra-op threads cost more than they buy.

    Example (not run as a doctest: it prints wall time and sets torch's thread count for the
    process; ``tests/train/test_train_digits_example.py`` runs the job and checks its table):
        >>> main()  # doctest: +SKIP
        epoch  train loss  test loss  test acc
            1      1.9690     1.3823    0.8500
        ...
           10      0.0839     0.1425    0.9611
        test accuracy 0.9611 after 10 epochs in 1.3 s
    """
    torch.set_num_threads(1)
    start = time.perf_counter()
    final = train()
    accuracy = final.get(TEST_SCORES).accuracy
    seconds = time.perf_counter() - start
    print(f"test accuracy {accuracy:.4f} after {final.epoch} epochs in {seconds:.1f} s")


if __name__ == "__main__":
    main()
