"""Typed keys for the state that a handler owns."""

from __future__ import annotations

from typing import Final, Generic, TypeVar

import attrs

V = TypeVar("V")


class _Missing:
    """The type of :data:`MISSING`: the default of a slot that has none."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


@attrs.frozen
class Slot(Generic[V]):
    """A typed key into :class:`foldloop.State`: ``state.get(slot)`` is a ``V``.

    Handlers that must remember something (patience, best score, a schedule's position) keep
    it in a slot, so a checkpoint of the state holds it. Slots are keyed by ``name``.

    Attributes:
        name: unique name of the slot in a state (it is the key in checkpoints).
        default: what ``get`` returns while nothing was put; without one, ``get`` raises.

    Example:
        >>> best = Slot("best_score", 0.0)
        >>> best
        Slot(name='best_score', default=0.0)
    """

    name: str
    default: V | _Missing = MISSING
