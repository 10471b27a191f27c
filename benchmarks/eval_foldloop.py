"""Evaluation time per epoch on the digits test split: foldloop vs a plain loop vs Ignite.

The job (as in ``../shared/bench/digits.py``): scikit-learn's digits, pixels / 16, stratified
80/20 split with ``random_state=0`` (360 test samples), MLP 64-128-128-10 built after
``torch.manual_seed(0)``, test ``DataLoader`` of batch 32 (12 batches), one torch thread.
One evaluation = accuracy + mean cross-entropy over the test split. All runners evaluate the same
model in one process; repetitions are interleaved (the order rotates) and medians reported.

Runners:
  plain               a plain torch loop (``model(x)``, ``.item()`` sums)
  ignite              ``create_supervised_evaluator`` with Ignite's ``Accuracy`` + ``Loss``
  foldloop            an evaluator ``Loop`` with foldloop's ``Accuracy`` + ``Loss`` attached once
                      (as Ignite's are); the step calls the module (the plain loop's forward)
  foldloop evaluate() ``evaluate(evaluator, ...)``: the metrics attached for each evaluation
  foldloop.train evaluator
                      ``supervised_evaluator(model)`` with the same metrics attached once:
                      the model called on a ``TrainState``'s tensors (the digits job's path)
Diagnostics, to split foldloop's cost:
  diag:plain, no metrics
                      the plain loop without its two metric lines (what those lines cost)
  diag:loop-only      the foldloop evaluator running the step, no metrics attached
  diag:plain+metrics  the plain loop folding foldloop's ``Accuracy`` + ``Loss`` by hand
  diag:plain lines attached
                      the foldloop evaluator with the plain loop's two lines attached as one
                      metric (Python-number sums, no input checks): the attached loop's floor

Run: ``benchmarks/eval.sh`` (or ``.venv/bin/python benchmarks/eval_foldloop.py --reps 40``).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable, Mapping

import attrs
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from foldloop import Loop, State
from foldloop.metrics import (
    Accuracy,
    Loss,
    Metric,
    MetricDict,
    attach_metrics,
    evaluate,
    metrics,
)
from foldloop.train import TrainState, buffers_of, params_of, supervised_evaluator

Batch = tuple[Tensor, Tensor]
Scores = tuple[float, float]  # accuracy, mean loss


def load_test_split() -> tuple[Tensor, Tensor]:
    """The digits test split (360 samples), as in the shared digits benchmark."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x, y = (digits.data / 16.0).astype("float32"), digits.target
    _, x_test, _, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    return torch.from_numpy(x_test), torch.from_numpy(y_test).long()


def make_model() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    return model.eval()


# -- plain --------------------------------------------------------------------------------------


def plain(model: nn.Module, test: DataLoader[Batch]) -> Scores:
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, y in test:
            out = model(x)
            loss_sum += nn.functional.cross_entropy(out, y).item() * len(y)
            correct += int((out.argmax(1) == y).sum().item())
            total += len(y)
    return correct / total, loss_sum / total


def plain_without_metrics(model: nn.Module, test: DataLoader[Batch]) -> Scores:
    with torch.no_grad():
        for x, _ in test:
            model(x)
    return float("nan"), float("nan")


def plain_with_foldloop_metrics(model: nn.Module, test: DataLoader[Batch]) -> Scores:
    named = _metrics()
    acc = named.init()
    with torch.no_grad():
        for x, y in test:
            acc = named.update(acc, (model(x), y))
    return _scores(named.compute(acc))


@attrs.frozen
class PlainLines(Metric[Batch, tuple[int, int, float], Scores]):
    """The plain loop's two lines as one metric: Python-number sums, no input checks (a
    diagnostic: what the attached loop costs around the cheapest possible update)."""

    def init(self) -> tuple[int, int, float]:
        return 0, 0, 0.0

    def update(self, acc: tuple[int, int, float], output: Batch) -> tuple[int, int, float]:
        out, y = output
        correct, total, loss_sum = acc
        loss_sum += nn.functional.cross_entropy(out, y).item() * len(y)
        return correct + int((out.argmax(1) == y).sum().item()), total + len(y), loss_sum

    def merge(
        self, left: tuple[int, int, float], right: tuple[int, int, float]
    ) -> tuple[int, int, float]:
        return left[0] + right[0], left[1] + right[1], left[2] + right[2]

    def compute(self, acc: tuple[int, int, float]) -> Scores:
        correct, total, loss_sum = acc
        return correct / total, loss_sum / total


# -- foldloop -----------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class Evaluation:
    """The evaluator's state value: the parameters, and the last batch's ``(y_pred, y)``."""

    params: Mapping[str, Tensor]
    output: Batch


def _metrics() -> MetricDict[tuple[Tensor, Tensor], float]:
    return metrics(accuracy=Accuracy(), loss=Loss(nn.functional.cross_entropy))


def _scores(values: Mapping[str, float]) -> Scores:
    return values["accuracy"], values["loss"]


def _output(value: Evaluation) -> Batch:
    return value.output


def module_step(model: nn.Module) -> Callable[[State[Evaluation], Batch], State[Evaluation]]:
    def step(state: State[Evaluation], batch: Batch) -> State[Evaluation]:
        x, y = batch
        with torch.no_grad():
            y_pred = model(x)
        return state.replace(value=Evaluation(state.value.params, (y_pred, y)))

    return step


def _start(model: nn.Module) -> Evaluation:
    return Evaluation(dict(model.named_parameters()), (torch.zeros(0), torch.zeros(0)))


def attached_runner(
    model: nn.Module, step: Callable[[State[Evaluation], Batch], State[Evaluation]]
) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    """An evaluator with the metrics attached once (as Ignite's evaluator has them)."""
    evaluator: Loop[Evaluation, Batch] = Loop(step)
    attached = attach_metrics(evaluator, _metrics(), output_of=_output)
    start = _start(model)

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        return _scores(attached.values(evaluator.run(State(value=start), test)))

    return run


def train_evaluator_runner(model: nn.Module) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    """``foldloop.train.supervised_evaluator`` (the digits job's evaluator: the module called
    on the state's tensors, in eval mode fixed once) with the metrics attached once."""
    evaluator = supervised_evaluator(model)
    attached = attach_metrics(evaluator, _metrics(), output_of=lambda value: value.output)
    start = State(value=TrainState(params_of(model), buffers_of(model), ()))

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        return _scores(attached.values(evaluator.run(start, test)))

    return run


def plain_lines_runner(model: nn.Module) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    evaluator: Loop[Evaluation, Batch] = Loop(module_step(model))
    attached = attach_metrics(evaluator, both=PlainLines(), output_of=_output)
    start = _start(model)

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        return attached.values(evaluator.run(State(value=start), test))["both"]

    return run


def evaluate_runner(model: nn.Module) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    """``evaluate(...)``: the metrics are attached for each evaluation and removed after it."""
    evaluator: Loop[Evaluation, Batch] = Loop(module_step(model))
    named, start = _metrics(), _start(model)

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        return _scores(evaluate(evaluator, start, test, named, output_of=_output))

    return run


def loop_only_runner(model: nn.Module) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    evaluator: Loop[Evaluation, Batch] = Loop(module_step(model))
    start = _start(model)

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        evaluator.run(start, test)
        return float("nan"), float("nan")

    return run


# -- ignite -------------------------------------------------------------------------------------


def ignite_runner(model: nn.Module) -> Callable[[nn.Module, DataLoader[Batch]], Scores]:
    from ignite.engine import create_supervised_evaluator
    from ignite.metrics import Accuracy as IgniteAccuracy
    from ignite.metrics import Loss as IgniteLoss

    evaluator = create_supervised_evaluator(
        model,
        metrics={"accuracy": IgniteAccuracy(), "loss": IgniteLoss(nn.CrossEntropyLoss())},
    )

    def run(model: nn.Module, test: DataLoader[Batch]) -> Scores:
        evaluator.run(test)
        return _scores(evaluator.state.metrics)

    return run


# -- the comparison -----------------------------------------------------------------------------


def runners(model: nn.Module) -> dict[str, Callable[[nn.Module, DataLoader[Batch]], Scores]]:
    return {
        "plain": plain,
        "ignite": ignite_runner(model),
        "foldloop": attached_runner(model, module_step(model)),
        "foldloop evaluate()": evaluate_runner(model),
        "foldloop.train evaluator": train_evaluator_runner(model),
        "diag:plain, no metrics": plain_without_metrics,
        "diag:loop-only": loop_only_runner(model),
        "diag:plain+metrics": plain_with_foldloop_metrics,
        "diag:plain lines attached": plain_lines_runner(model),
    }


def measure(reps: int) -> tuple[dict[str, list[float]], dict[str, Scores], int]:
    x, y = load_test_split()
    dataset: Dataset[Batch] = TensorDataset(x, y)  # type: ignore[assignment]  # torch types items as tuple[Tensor, ...]
    test: DataLoader[Batch] = DataLoader(dataset, batch_size=32, shuffle=False)
    model = make_model()
    table = runners(model)
    names = list(table)
    scores = {name: fn(model, test) for name, fn in table.items()}  # warm-up, and the answers
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        k = rep % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            t0 = time.perf_counter()
            table[name](model, test)
            seconds[name].append(time.perf_counter() - t0)
    return seconds, scores, len(test)


def report(seconds: dict[str, list[float]], scores: dict[str, Scores], batches: int) -> None:
    """Per runner: median and min ms, the ratio of medians to plain's, the median of the
    paired ratios (each repetition's time over plain's in the same repetition, which cancels
    the machine's drift between repetitions), and the median extra time per batch."""
    plain = seconds["plain"]
    base = statistics.median(plain)
    print(
        f"{'runner':<26}{'median ms':>10}{'min ms':>9}{'x plain':>9}{'paired x':>10}"
        f"{'+us/batch':>11}  acc / loss"
    )
    for name, times in seconds.items():
        median = statistics.median(times)
        paired = statistics.median(t / p for t, p in zip(times, plain, strict=True))
        acc, loss = scores[name]
        extra = (median - base) / batches * 1e6
        print(
            f"{name:<26}{median * 1e3:>10.2f}{min(times) * 1e3:>9.2f}{median / base:>9.2f}"
            f"{paired:>10.2f}{extra:>11.0f}  {acc:.4f} / {loss:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=40, help="timed repetitions per runner")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__}, 1 thread, loadavg {os.getloadavg()[0]:.2f}")
    report(*measure(args.reps))


if __name__ == "__main__":
    main()
