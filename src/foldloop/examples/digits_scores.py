"""What the digits job remembers and reports: the epoch's running train loss and the test
scores in slots of the state, the handlers that keep them, and a row of the table."""

from collections.abc import Iterable

import attrs
import torch.nn.functional as F
from torch import Tensor

from foldloop import Loop, Slot, State
from foldloop.metrics import Accuracy, Loss, metrics
from foldloop.metrics import evaluate as evaluate_metrics
from foldloop.train import Batch, TrainState
from foldloop.tree import register_attrs


@register_attrs  # a node of the state's tree, so that checkpoints can hold it
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


# The evaluation's metrics: values (configuration only), built once and shared by every
# evaluation; each run folds them from init() in its own state.
_SCORES = metrics(accuracy=Accuracy(), loss=Loss(F.cross_entropy))


def _output(value: TrainState) -> tuple[Tensor, Tensor]:
    """What the metrics read: the evaluator's ``(y_pred, y)``."""
    output: tuple[Tensor, Tensor] = value.output
    return output


def evaluate(
    evaluator: Loop[TrainState, Batch], trained: TrainState, data: Iterable[Batch]
) -> Scores:
    """Accuracy and mean loss of ``trained``'s weights, from the evaluator's ``(y_pred, y)``.

    The metrics are folds over the evaluator's outputs (``foldloop.metrics``), attached for
    this one evaluation.

    Example:
        >>> from foldloop.examples.digits_data import digits_loaders, mlp
        >>> from foldloop.train import adamw, init_train_state, supervised_evaluator
        >>> model = mlp(seed=0)
        >>> untrained = init_train_state(model, adamw())
        >>> scores = evaluate(supervised_evaluator(model), untrained, digits_loaders(0)[1])
        >>> scores.accuracy < 0.5
        True
    """
    values = evaluate_metrics(evaluator, trained, data, _SCORES, output_of=_output)
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
        >>> from foldloop.examples.digits_data import digits_loaders, mlp
        >>> from foldloop.train import adamw, init_train_state, supervised_evaluator
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


def train_loss(state: State[TrainState]) -> float:
    """The last step's loss.

    Example:
        >>> train_loss(State(TrainState({}, {}, (), output=0.5)))
        0.5
    """
    loss: float = state.value.output
    return loss


def test_loss(state: State[TrainState]) -> float:
    """The last evaluation's mean loss on the test split.

    Example:
        >>> test_loss(State(TrainState({}, {}, ())).put(TEST_SCORES, Scores(0.5, 0.25)))
        0.25
    """
    return state.get(TEST_SCORES).loss
