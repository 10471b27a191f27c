"""Typed keys for the state that a handler owns."""

from __future__ import annotations

from numbers import Number
from typing import Final, Generic, TypeVar, cast

import attrs

from ._arguments import require_slot_name

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
    it in a slot, so a checkpoint of the state holds it. Slots are keyed by ``name``: two slots
    of one name are one key, so give each its own name (a text, a number and anything else
    cannot share one: ``get`` and ``put`` refuse a value of the other sort).

    Attributes:
        name: unique name of the slot in a state (it is the key in checkpoints).
        default: what ``get`` returns while nothing was put; without one, ``get`` raises.

    Example:
        >>> best = Slot("best_score", 0.0)
        >>> best
        Slot(name='best_score', default=0.0)
    """

    name: str = attrs.field(validator=lambda _, __, name: require_slot_name(name))
    default: V | _Missing = MISSING

    def checked(self, value: object) -> V:
        """``value``, refused when it cannot be this slot's: a text where the default is a
        number, say, which another slot of the same name put there.

        Example:
            >>> Slot("best", 0.0).checked("high")
            Traceback (most recent call last):
            ...
            TypeError: slot 'best' (default 0.0, a number) holds 'high', a text: ...
        """
        default = self.default
        if value.__class__ is default.__class__ or value is None or default is None:
            return cast(V, value)  # the slot's own type, as put() typed it
        if isinstance(default, _Missing) or _sort(value) == _sort(default):
            return cast(V, value)
        raise TypeError(
            f"slot {self.name!r} (default {default!r}, {_sort(default)}) holds {value!r}, "
            f"{_sort(value)}: two slots named {self.name!r} share one key in the state; give "
            "each slot its own name"
        )


def _sort(value: object) -> str:
    """What sort of value a slot holds, as far as ``Slot.checked`` tells them apart."""
    if isinstance(value, (str, bytes)):
        return "a text"
    if isinstance(value, Number) or hasattr(type(value), "__float__"):
        return "a number"
    return "an object"
