"""Run shapes: a run's configuration and what its handlers do, as plain values."""

from __future__ import annotations

from typing import Literal

import attrs

from foldloop.core import Event

Action = Literal["terminate", "terminate_epoch", "raise"]


@attrs.frozen
class Request:
    """At the ``count``-th event of ``kind``, a handler asks for ``action``.

    ``kind=None`` means the step, at iteration ``count`` (it may only ``"raise"``,
    ``"terminate"`` or ``"terminate_epoch"``).

    >>> from foldloop import IterationCompleted
    >>> Request(IterationCompleted, 3, "terminate")
    Request(kind=<class 'foldloop.core._events.IterationCompleted'>, count=3, action='terminate')
    """

    kind: type[Event] | None
    count: int
    action: Action


@attrs.frozen
class RunShape:
    """Everything that decides a run's event stream.

    Attributes:
        data_length: batches in the data; None runs with ``data=None``.
        one_shot: the data is a one-shot iterator instead of a re-iterable list.
        sized: ``len(data)`` is known (a list) rather than discovered at its end.
        epoch_length: passed to ``run`` (None: ``len(data)`` or discovered).
        max_epochs / max_iters: passed to ``run`` (at most one of them).
        requests: what handlers (or the step) do, and when.

    >>> RunShape(data_length=4, max_epochs=2).data_length
    4
    """

    data_length: int | None = 4
    one_shot: bool = False
    sized: bool = True
    epoch_length: int | None = None
    max_epochs: int | None = None
    max_iters: int | None = None
    requests: tuple[Request, ...] = ()
