"""Metrics attached to a loop: accumulators in the state's slots, values in ``METRICS``.

Each attached metric keeps its accumulator in a slot of its own (``"metrics/<name>"``), so a
checkpoint of the state holds it and a run continued from any state computes what the
uninterrupted run computes. Three handlers (reset, update, compute) do the work; handlers run
before taps, so a tap of the compute event always reads the values just computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Never, TypeVar, final
from weakref import WeakKeyDictionary

import attrs

from foldloop.core import Event, Loop, Slot, State

from ._attached import METRICS, AttachedMetrics
from ._dict import MetricDict, metrics
from ._metric import Metric
from ._usage import EPOCH_WISE, Usage

T = TypeVar("T")
Out = TypeVar("Out")
A = TypeVar("A")
V = TypeVar("V")

# The names attached to each loop, so that a name is refused while it is taken. Bookkeeping of
# the loops' attachments (as mutable as the loops' own handler tables), never of a run.
_TAKEN: WeakKeyDictionary[Loop[Any, Any], set[str]] = WeakKeyDictionary()


@final
@attrs.frozen
class _Bound(Generic[Out, A, V]):
    """One metric attached under a name; its accumulator lives in ``slot``."""

    name: str
    metric: Metric[Out, A, V]
    slot: Slot[A]

    def reset(self, state: State[T]) -> State[T]:
        return state.put(self.slot, self.metric.init())

    def accumulator(self, state: State[Any]) -> A:
        """The accumulator in ``state``; ``init()`` when this state never had one (a state from
        before the metric was attached, or a running usage's history that began elsewhere)."""
        try:
            return state.get(self.slot)
        except KeyError:  # (the slot has no default: one would cost an init() per attach)
            return self.metric.init()

    def update(self, state: State[T], output: Out) -> State[T]:
        try:
            acc = self.metric.update(self.accumulator(state), output)
        except Exception as error:
            error.add_note(f"(updating the metric {self.name!r} with output_of(state.value))")
            raise
        return state.put(self.slot, acc)

    def value(self, state: State[Any]) -> V:
        try:
            return self.metric.compute(self.accumulator(state))
        except Exception as error:
            error.add_note(f"(computing the metric {self.name!r})")
            raise


def _bind(name: str, metric: Metric[Out, A, V]) -> _Bound[Out, A, V]:
    return _Bound(name, metric, Slot(f"metrics/{name}"))


# Any: each metric has an accumulator type of its own, which only that metric reads.
_Bounds = tuple[_Bound[Out, Any, V], ...]


@final
@attrs.frozen
class _Handlers(Generic[T, Out, V]):
    """The three transitions of one attachment.

    They take the event they ignore, so that the loop calls them as they are: no wrapper per
    call, and a cheaper attach (``evaluate`` attaches on every call).
    """

    bound: _Bounds[Out, V]
    output_of: Callable[[T], Out]

    def reset_metrics(self, state: State[T], event: Event) -> State[T]:
        for bound in self.bound:
            state = bound.reset(state)
        return state

    def update_metrics(self, state: State[T], event: Event) -> State[T]:
        output = self.output_of(state.value)
        for bound in self.bound:
            state = bound.update(state, output)
        return state

    def compute_metrics(self, state: State[T], event: Event) -> State[T]:
        computed = state.get(METRICS)
        return state.put(METRICS, {**computed, **{b.name: b.value(state) for b in self.bound}})


def metric_dict(named: object, more: Mapping[str, Metric[Any, Any, Any]]) -> MetricDict[Any, Any]:
    """The metrics given by name as a mapping, ``metrics(...)``, keywords, or a mix.

    (Any: the callers' signatures type the metrics; this checks them at run time.)
    """
    if isinstance(named, MetricDict):
        named = named.metrics
    elif named is not None and not isinstance(named, Mapping):
        raise TypeError(
            "metrics are given by name: a mapping such as {'acc': Accuracy()}, metrics(...), or "
            f"keywords such as acc=Accuracy(); got {type(named).__name__}"
        )
    return metrics(named, **more)


def _check(loop: object, output_of: object, usage: object) -> None:
    if not isinstance(loop, Loop):
        raise TypeError(f"attach_metrics attaches to a foldloop.Loop, got {type(loop).__name__}")
    if not callable(output_of):
        raise TypeError(
            "attach_metrics needs output_of, a function from the loop's state value to the "
            f"output the metrics read (e.g. lambda v: v.output), got {output_of!r}"
        )
    if not isinstance(usage, Usage):
        raise TypeError(
            f"usage must be a Usage such as EPOCH_WISE or RUNNING_BATCH_WISE, got {usage!r}"
        )


def _take(loop: Loop[Any, Any], names: tuple[str, ...]) -> set[str]:
    taken = _TAKEN.setdefault(loop, set())
    twice = sorted(taken.intersection(names))
    if twice:
        raise ValueError(
            f"the metric name(s) {twice} are already attached to this loop; remove that "
            "attachment first (attached.remove()) or attach under another name"
        )
    taken.update(names)
    return taken


def attach_metrics(
    loop: Loop[T, Never],
    named: Mapping[str, Metric[Out, Any, V]] | MetricDict[Out, V] | None = None,
    /,
    *,
    output_of: Callable[[T], Out],
    usage: Usage = EPOCH_WISE,
    **more: Metric[Out, Any, V],
) -> AttachedMetrics[V]:
    """Fold the step's outputs into the metrics as the loop runs; values land in ``METRICS``.

    Each metric's accumulator lives in the state (slot ``"metrics/<name>"``), reset, updated
    with ``output_of(state.value)`` and computed into ``state.get(METRICS)[name]`` on the
    triggers of ``usage``. Attach metrics before handlers that read them on the same event;
    taps always see the fresh values. A metric's own error (bad shapes, no data) surfaces as
    ``foldloop.RunError`` with that error as ``__cause__`` and a note naming the metric.

    The metrics are named as in :func:`metrics`: by keywords (``acc=Accuracy()``, which
    type-checks best: mypy infers no common type for a dict literal that mixes metric classes),
    by a mapping or ``metrics(...)`` (for names that are not identifiers), or both.

    Args:
        loop: the loop to attach to.
        named: metrics by name; a name may be attached to a loop only once at a time.
        output_of: picks what the metrics read out of the loop's state value.
        usage: when to reset, update and compute (``EPOCH_WISE`` by default).
        **more: more metrics by name.

    Returns:
        The attachment: ``values(state)`` reads the values typed; ``remove()`` (or a ``with``
        block) detaches the metrics.

    Raises:
        TypeError: an argument is not what it should be.
        ValueError: a name is already attached to this loop.

    Example:
        >>> import torch
        >>> from foldloop import Loop
        >>> from foldloop.metrics import METRICS, Average, attach_metrics
        >>> loop: Loop[torch.Tensor, float] = Loop(
        ...     lambda state, batch: state.replace(value=torch.tensor(batch)))
        >>> _ = attach_metrics(loop, mean=Average(), output_of=lambda v: v)
        >>> final = loop.run(torch.tensor(0.0), [1.0, 2.0, 6.0], max_epochs=2)
        >>> final.get(METRICS)
        {'mean': 3.0}
    """
    every = metric_dict(named, more).metrics
    _check(loop, output_of, usage)
    names = tuple(every)
    taken = _take(loop, names)
    handlers = _Handlers(tuple(_bind(n, m) for n, m in every.items()), output_of)
    handles = (
        loop.attach(usage.reset, handlers.reset_metrics),
        loop.attach(usage.update, handlers.update_metrics),
        loop.attach(usage.compute, handlers.compute_metrics),
    )
    return AttachedMetrics(names, handles, taken)
