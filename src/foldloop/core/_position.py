"""Where a run stands: one immutable record, replaced at each event and never patched.

A :class:`Position` says how far a run got (epoch, iteration, which pass over the data and how
many batches it drew from it), which built-in step it took last (its *stage*), where a new run
picks up once this one ended, and how many times each event kind has fired. ``run``/``scan``
on a state continue from its position, so a run can stop anywhere and go on exactly. A failure
keeps the record from before the failing event: nothing is undone by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple, cast

from ._arguments import require_count as require_count  # data/ checks its counts with it
from ._events import (
    ITERATION_KINDS,
    DataExhausted,
    EpochTerminated,
    Event,
    GetBatchCompleted,
    GetBatchStarted,
    IterationCompleted,
    IterationStarted,
)

# Stages: the last built-in step a run took. Plain ints, compared on the loop's hot path.
IDLE: Final = 0  # a fresh state: no run yet
BOUNDARY: Final = 0  # as a place to resume: between two epochs
STARTED: Final = 1
EPOCH_STARTED: Final = 2
GET_BATCH_STARTED: Final = 3
GET_BATCH_COMPLETED: Final = 4
ITERATION_STARTED: Final = 5
STEPPED: Final = 6  # the step ran; IterationCompleted has not fired yet
ITERATION_COMPLETED: Final = 7
DATA_EXHAUSTED: Final = 8
EPOCH_TERMINATED: Final = 9
EPOCH_COMPLETED: Final = 10
TERMINATED: Final = 11
COMPLETED: Final = 12  # the run ended; ``resume`` says where a new run picks up

NO_COUNTS: Mapping[type[Event], int] = {}  # shared by every position: never mutated


class Position(NamedTuple):
    """Where a run stands. The four iteration kinds' counts have fields of their own (they
    change every iteration); every other kind that fired is in ``other_counts``.

    A state holds the fields in a plain tuple, read by name through ``State._at``; the loop
    and ``State``'s properties read ``epoch``, ``iteration`` and ``epoch_iteration`` at
    indices 0-2 and ``other_counts`` last: they stay there.

    Example:
        >>> Position().epoch, Position().stage == IDLE
        (0, True)
    """

    epoch: int = 0
    iteration: int = 0
    epoch_iteration: int = 0  # iterations done in the current epoch
    drawn: int = 0  # batches drawn in the current pass over the data
    stage: int = IDLE
    resume: int = BOUNDARY  # where a new run picks up after this one ended
    terminated: bool = False  # the last run ended by terminate() (or max_iters mid-epoch)
    get_batch_started: int = 0
    get_batch_completed: int = 0
    iteration_started: int = 0
    iteration_completed: int = 0
    other_counts: Mapping[type[Event], int] = NO_COUNTS  # never mutated; replaced

    @property
    def pass_index(self) -> int:
        """The current pass over the data, 0 for the first: how many passes ended before it,
        by running out (``DataExhausted``) or by ``terminate_epoch()`` (``EpochTerminated``).

        Read from those two counts, which the loop bumps exactly where it begins a new pass
        (:func:`next_pass`): the position needs no field of its own for it, and the hot loop,
        which builds a position every iteration, builds no bigger one.

        Example:
            >>> Position(other_counts={DataExhausted: 2, EpochTerminated: 1}).pass_index
            3
        """
        return self.other_counts.get(DataExhausted, 0) + self.other_counts.get(EpochTerminated, 0)

    def count(self, kind: type[Event]) -> int:
        """How many times ``kind`` has fired.

        Example:
            >>> Position(iteration_completed=3).count(IterationCompleted)
            3
        """
        index = ITERATION_KIND_FIELDS.get(kind)
        if index is not None:
            return cast(int, self[index])
        return self.other_counts.get(kind, 0)

    def counted(self, kind: type[Event], stage: int) -> Position:
        """This position after an event of a kind other than the iteration kinds fired.

        Example:
            >>> Position().counted(Event, STARTED).count(Event)
            1
        """
        counts = {**self.other_counts, kind: self.other_counts.get(kind, 0) + 1}
        # Built directly: ``_replace`` costs twice as much, at every epoch-level event.
        return tuple.__new__(Position, (*self[:_STAGE], stage, *self[_STAGE + 1 : -1], counts))


_STAGE = Position._fields.index("stage")

# A position's fields in a plain tuple, as the loop builds them and a state holds them: a
# Position record (a tuple subclass, three times the cost to build) is made of them only where
# they are read by name.
Fields = tuple[int, int, int, int, int, int, bool, int, int, int, int, Mapping[type[Event], int]]

# Where each iteration kind's count sits in a Position.
ITERATION_KIND_FIELDS: Mapping[type[Event], int] = {
    kind: Position._fields.index(field)
    for kind, field in (
        (GetBatchStarted, "get_batch_started"),
        (GetBatchCompleted, "get_batch_completed"),
        (IterationStarted, "iteration_started"),
        (IterationCompleted, "iteration_completed"),
    )
}


def counts_of(position: Position) -> dict[type[Event], int]:
    """Every kind that fired, with its count.

    Example:
        >>> counts_of(Position(iteration_started=2))
        {<class 'foldloop.core._events.IterationStarted'>: 2}
    """
    counts = {kind: position.count(kind) for kind in ITERATION_KIND_FIELDS}
    return {**{kind: n for kind, n in counts.items() if n}, **position.other_counts}


class Limits(NamedTuple):
    """Where a run ends: ``max_epochs`` or ``max_iters``, and the epoch's length."""

    max_epochs: int | None
    epoch_length: int | None
    max_iters: int | None


def position_of(epoch: int, iteration: int, counts: Mapping[type[Event], int]) -> Position:
    """The position a fresh ``State(...)`` starts from, after checking its arguments."""
    for kind, n in counts.items():
        given: object = kind  # typed as an event kind, but it comes from the caller
        if not (isinstance(given, type) and issubclass(given, Event)):
            raise TypeError(f"counts are keyed by event kinds (Event subclasses), got {kind!r}")
        require_count(f"counts[{kind.__name__}]", n)
    return Position(
        epoch=require_count("epoch", epoch),
        iteration=require_count("iteration", iteration),
        get_batch_started=counts.get(GetBatchStarted, 0),
        get_batch_completed=counts.get(GetBatchCompleted, 0),
        iteration_started=counts.get(IterationStarted, 0),
        iteration_completed=counts.get(IterationCompleted, 0),
        other_counts={k: n for k, n in counts.items() if k not in ITERATION_KINDS and n},
    )


def next_pass(at: Position, kind: type[DataExhausted | EpochTerminated], stage: int) -> Position:
    """``at`` after an event of ``kind`` fired at ``stage`` and began a new pass over the data:
    the data ran out (``DataExhausted``) or the epoch was cut (``EpochTerminated``). Nothing
    drawn from it yet, and ``pass_index`` one more (it counts these two kinds).

    Example:
        >>> at = next_pass(Position(drawn=3), DataExhausted, DATA_EXHAUSTED)
        >>> at.pass_index, at.drawn, at.count(DataExhausted)
        (1, 0, 1)
    """
    return at._replace(drawn=0).counted(kind, stage)


def resume_point(at: Position) -> int:
    """Where a new run picks up if this one ends at ``at``."""
    if at.stage == STARTED:
        return at.resume
    if at.stage == EPOCH_COMPLETED:
        return BOUNDARY
    return at.stage
