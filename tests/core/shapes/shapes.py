"""Run shapes: a run's configuration and what its handlers do, as plain values."""

from __future__ import annotations

from typing import Literal

import attrs

from foldloop.core import Event

from .expr import Atom, Expr

Action = Literal["record", "emit", "terminate", "terminate_epoch", "raise"]


class Signal(Event):
    """What an ``"emit"`` request queues; every shape's loop records each one it fires."""


Trace = tuple[tuple[str, int], ...]
"""A shape's run value: ``(kind name, count)`` per recording, ``("step", iteration)`` per step."""


@attrs.frozen
class Request:
    """At each event of ``kind`` whose count passes ``when``, a handler does ``action``.

    ``"record"`` appends ``(kind name, count)`` to the run's value; ``"emit"`` queues a
    :class:`Signal`; the others ask the loop to stop or raise :class:`ShapeFailure`.
    ``kind=None`` means the step, deciding ``when`` on the iteration (it never records).

    >>> from foldloop import IterationCompleted
    >>> Request(IterationCompleted, Atom("once", (3,)), "terminate").action
    'terminate'
    """

    kind: type[Event] | None
    when: Expr
    action: Action

    @classmethod
    def at(cls, kind: type[Event] | None, count: int, action: Action) -> Request:
        """The request made exactly at the ``count``-th event of ``kind`` (``once(count)``).

        >>> Request.at(None, 2, "raise").when
        Atom(name='once', args=(2,))
        """
        return cls(kind, Atom("once", (count,)), action)


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
