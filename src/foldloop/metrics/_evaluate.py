"""One evaluation: a loop's single pass over data, folded into metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from foldloop.core import Loop, State, Step

from ._attach import attach_metrics, metric_dict
from ._dict import MetricDict
from ._metric import Metric

T = TypeVar("T")
B = TypeVar("B")
Out = TypeVar("Out")
V = TypeVar("V")


def evaluate(
    loop_or_step: Loop[T, B] | Step[T, B],
    initial: T,
    data: Iterable[B],
    named: Mapping[str, Metric[Out, Any, V]] | MetricDict[Out, V] | None = None,
    /,
    *,
    output_of: Callable[[T], Out],
    **more: Metric[Out, Any, V],
) -> dict[str, V]:
    """The metrics' values over one epoch of ``data``, run from a fresh state holding ``initial``.

    The metrics are attached epoch-wise for this one run and removed afterwards, so a loop
    (an evaluator with taps of its own) can be evaluated with again and again. Taps attached to
    the loop see the run, the values included at ``EpochCompleted`` and ``Completed``.

    Args:
        loop_or_step: the evaluator loop, or its step alone.
        initial: the state value the run starts from (e.g. the weights to evaluate).
        data: the batches; one pass over them is one epoch.
        named: metrics by name (as in :func:`attach_metrics`).
        output_of: picks what the metrics read out of the state value.
        **more: more metrics by name.

    Returns:
        The value of each metric, by name.

    Raises:
        foldloop.RunError: the step or a metric failed (the metric's error is ``__cause__``).

    Example:
        >>> import torch
        >>> from foldloop import State
        >>> from foldloop.metrics import Accuracy, evaluate
        >>> Value = tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]  # (w, (y_pred, y))
        >>> def step(state: State[Value], batch: tuple[torch.Tensor, torch.Tensor]
        ...          ) -> State[Value]:
        ...     w, _ = state.value
        ...     x, y = batch
        ...     return state.replace(value=(w, (x @ w, y)))
        >>> no_output = (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
        >>> batches = [(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))]
        >>> evaluate(step, (torch.eye(2), no_output), batches, acc=Accuracy(),
        ...          output_of=lambda v: v[1])
        {'acc': 0.5}
    """
    loop = loop_or_step if isinstance(loop_or_step, Loop) else Loop(loop_or_step)
    every: MetricDict[Out, V] = metric_dict(named, more)
    with attach_metrics(loop, every, output_of=output_of) as attached:
        final = loop.run(State(value=initial), data, max_epochs=1)
    return attached.values(final)
