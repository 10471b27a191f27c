"""Evaluation runners (``bench.py``'s evaluation rows): accuracy + mean cross-entropy over a
data set, by a plain torch loop and by foldloop's evaluator with its ``Accuracy`` + ``Loss``.

  plain     ``model.eval()``, ``torch.no_grad()``, then per batch ``model(x)``, the batch's
            loss and number of correct predictions read with ``.item()`` into Python sums
  foldloop  the digits example's own evaluation: ``foldloop.examples.digits_scores.evaluate`` on a
            ``supervised_evaluator(model)`` (eval mode fixed once on a private copy of the
            module), which attaches ``Accuracy`` + ``Loss(cross_entropy)`` for the one
            evaluation and folds the evaluator's ``(y_pred, y)`` into them
  ignite    Ignite 0.5's ``create_supervised_evaluator(model, metrics={Accuracy, Loss})``, run
            on the data (for contrast: what the same evaluation costs in the library foldloop
            rebuilds)

Each is built once per model (``make_*``) and returns ``(accuracy, mean loss)`` when called
with the data; the same answers from all three are checked by ``bench.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from foldloop.examples.digits_scores import evaluate
from foldloop.train import TrainState, buffers_of, params_of, supervised_evaluator

Batch = tuple[Tensor, Tensor]
Scores = tuple[float, float]  # accuracy, mean loss
Evaluate = Callable[[Iterable[Batch]], Scores]


def plain_evaluate(model: nn.Module, data: Iterable[Batch]) -> Scores:
    """Accuracy and mean loss of ``model`` over ``data`` (the same batches foldloop's sees)."""
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, y in data:
            out = model(x)
            loss_sum += F.cross_entropy(out, y).item() * len(y)
            correct += int((out.argmax(1) == y).sum().item())
            total += len(y)
    return correct / total, loss_sum / total


def make_plain(model: nn.Module) -> Evaluate:
    return lambda data: plain_evaluate(model, data)


def make_foldloop(model: nn.Module) -> Evaluate:
    evaluator = supervised_evaluator(model)
    trained = TrainState(params_of(model), buffers_of(model), ())

    def run(data: Iterable[Batch]) -> Scores:
        scores = evaluate(evaluator, trained, data)
        return scores.accuracy, scores.loss

    return run


def make_ignite(model: nn.Module) -> Evaluate:
    # Imported here: Ignite is the reference, needed by this runner alone.
    from ignite.engine import create_supervised_evaluator
    from ignite.metrics import Accuracy, Loss

    metrics = {"accuracy": Accuracy(), "loss": Loss(F.cross_entropy)}
    evaluator = create_supervised_evaluator(model, metrics=metrics)

    def run(data: Iterable[Batch]) -> Scores:
        scores = evaluator.run(data).metrics
        return scores["accuracy"], scores["loss"]

    return run
