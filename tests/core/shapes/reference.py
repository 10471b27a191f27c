"""The reference model: the event stream a run must produce, computed the plain way.

A direct, slow transcription of the rules in ``docs/concepts.md`` (which follow Ignite 0.5's
``Engine`` with foldloop's documented differences), written without any of the loop's
machinery, so the loop can be checked against it. Triggers are decided by
:func:`~.expr.holds`, the model's own reading of filter expressions.
"""

from __future__ import annotations

import attrs

from foldloop.core import (
    Completed,
    DataExhausted,
    EpochCompleted,
    EpochStarted,
    EpochTerminated,
    Event,
    ExceptionRaised,
    GetBatchCompleted,
    GetBatchStarted,
    IterationCompleted,
    IterationStarted,
    Started,
    Terminated,
)

from .expr import holds
from .shapes import RunShape, Signal, Trace

# More events than any generated shape fires: a shape past it would never end.
_RUNAWAY = 5000


class _Stop(Exception):
    pass


class _StopEpoch(Exception):
    pass


class _Boom(Exception):
    pass


@attrs.frozen
class Outcome:
    """What the reference model predicts for a run shape.

    Attributes:
        kinds: the kinds of the events fired, in order.
        failed: the run ends with a ``RunError``.
        iterations: the iteration the run ends at.
        trace: the value the run ends with (what the handlers and the step recorded).
    """

    kinds: tuple[type[Event], ...]
    failed: bool
    iterations: int
    trace: Trace


class _Model:
    def __init__(self, shape: RunShape) -> None:
        self.shape = shape
        self.kinds: list[type[Event]] = []
        self.counts: dict[type[Event], int] = {}
        self.requests: set[str] = set()
        self.iteration = 0
        self.trace: list[tuple[str, int]] = []

    def fire(self, kind: type[Event]) -> None:
        """Fire ``kind``, then the signals its handlers emitted; an event whose handler raises
        never happened (it is rolled back, with what it emitted)."""
        if len(self.kinds) > _RUNAWAY:
            raise AssertionError(f"the model ran away (a run that never ends): {self.shape}")
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.kinds.append(kind)
        if kind is Signal:  # every shape's loop records its signals
            self.trace.append((Signal.__name__, self.counts[kind]))
            return
        recorded = len(self.trace)
        try:
            emitted = self._act(kind, self.counts[kind])
        except _Boom:
            self.kinds.pop()
            del self.trace[recorded:]
            raise
        self.signal(emitted)

    def step(self) -> None:
        """The step, then the signals it emitted (before ``IterationCompleted``)."""
        emitted = self._act(None, self.iteration)
        self.trace.append(("step", self.iteration))
        self.signal(emitted)

    def signal(self, emitted: int) -> None:
        """Fire the ``emitted`` signals, first in first out."""
        for _ in range(emitted):
            self.fire(Signal)

    def _act(self, kind: type[Event] | None, count: int) -> int:
        """The requests at the ``count``-th ``kind``; returns how many signals they emitted."""
        emitted = 0
        for request in self.shape.requests:
            if request.kind is kind and holds(request.when, count):
                if request.action == "raise":
                    raise _Boom
                if request.action == "record":
                    self.trace.append((kind.__name__ if kind else "step", count))
                elif request.action == "emit":
                    emitted += 1
                else:
                    self.requests.add(request.action)
        return emitted

    def check(self, at_start: bool = False) -> None:
        """The check after an event: stop the run, or the epoch (refused at the start)."""
        if "terminate" in self.requests:
            raise _Stop
        if "terminate_epoch" in self.requests:
            if at_start:
                raise _Boom  # terminate_epoch() where there is no epoch is refused
            raise _StopEpoch


def reference_outcome(shape: RunShape) -> Outcome:
    """The events a fresh run of ``shape`` fires, and how it ends.

    >>> from foldloop import Started
    >>> out = reference_outcome(RunShape(data_length=1, max_epochs=1))
    >>> [k.__name__ for k in out.kinds]  # doctest: +NORMALIZE_WHITESPACE
    ['Started', 'EpochStarted', 'GetBatchStarted', 'GetBatchCompleted', 'IterationStarted',
     'IterationCompleted', 'EpochCompleted', 'Completed']
    """
    model = _Model(shape)
    try:
        _run(model, shape)
    except _Boom:
        model.kinds.append(ExceptionRaised)
        return Outcome(tuple(model.kinds), True, model.iteration, tuple(model.trace))
    return Outcome(tuple(model.kinds), False, model.iteration, tuple(model.trace))


def _run(model: _Model, shape: RunShape) -> None:
    length = shape.epoch_length
    if length is None and shape.data_length is not None and shape.sized:
        length = shape.data_length
    max_epochs = shape.max_epochs if shape.max_epochs or shape.max_iters else 1
    data = _Data(shape)
    epoch = 0
    try:
        model.fire(Started)
        model.check(at_start=True)
        while not _done(model, epoch, max_epochs, shape.max_iters):
            epoch += 1
            model.fire(EpochStarted)
            model.check(at_start=True)
            length = _epoch(model, data, length, shape.max_iters)
            model.fire(EpochCompleted)
            model.requests.discard("terminate_epoch")
            model.check()
    except _Stop:
        model.fire(Terminated)
    model.fire(Completed)


def _done(model: _Model, epoch: int, max_epochs: int | None, max_iters: int | None) -> bool:
    if max_iters is not None and model.iteration >= max_iters:
        return True
    return max_epochs is not None and epoch >= max_epochs


def _epoch(model: _Model, data: _Data, length: int | None, max_iters: int | None) -> int | None:
    """One epoch's iterations; returns the epoch length (discovered at the data's end)."""
    in_epoch = 0
    just_exhausted = False
    try:
        while True:
            if data.real and not just_exhausted:
                model.fire(GetBatchStarted)
                model.check()
            if not data.draw():
                if length is None:
                    if in_epoch == 0:
                        raise _Boom  # empty data
                    return in_epoch
                if just_exhausted:  # the data cannot start a new pass
                    if max_iters is not None and in_epoch == 0:
                        raise _Boom  # no epoch could ever reach max_iters
                    return length  # the epoch ends
                data.new_pass()
                just_exhausted = True
                if data.real:
                    model.fire(DataExhausted)
                    model.check()
                continue
            just_exhausted = False
            in_epoch += 1
            if data.real:
                model.fire(GetBatchCompleted)
                model.check()
            model.iteration += 1
            try:
                model.fire(IterationStarted)
            except _Boom:
                model.iteration -= 1  # the failed event is rolled back with its iteration
                raise
            model.check()
            model.step()
            model.fire(IterationCompleted)
            model.check()
            if in_epoch == length:
                return length
            if max_iters is not None and model.iteration == max_iters:
                raise _Stop
    except _StopEpoch:
        data.new_pass()
        model.fire(EpochTerminated)
        return length


class _Data:
    """The data's draws: a list re-iterated from the start, a one-shot iterator, or none."""

    def __init__(self, shape: RunShape) -> None:
        self.real = shape.data_length is not None
        self.length = shape.data_length
        self.one_shot = shape.one_shot
        self.position = 0
        self.total = 0

    def draw(self) -> bool:
        if self.length is None:
            return True
        available = self.length - (self.total if self.one_shot else self.position)
        if available <= 0:
            return False
        self.position += 1
        self.total += 1
        return True

    def new_pass(self) -> None:
        self.position = 0
