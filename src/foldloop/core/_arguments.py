"""Refusals of what users hand to the public entry points, before any work is done.

Each check runs once per call of ``State(...)``, ``run``/``scan``, ``attach``/``tap`` or a
filter's constructor, never per iteration, and its message shows what to write instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Set
from typing import Final

from ._callables import name_of, plainly_takes_two
from ._events import Event


class NoData:
    """The type of :data:`NO_DATA`: ``data`` was left out of ``run``/``scan``."""

    def __repr__(self) -> str:
        return "NO_DATA"


NO_DATA: Final = NoData()


def refuse_missing_data(initial: object) -> None:
    """Refuse ``loop.run(data, ...)``, Ignite's ``engine.run(data, max_epochs=2)`` habit.

    Example:
        >>> refuse_missing_data([1, 2])
        Traceback (most recent call last):
        ...
        TypeError: run() takes the initial state (or value) first, then the data; ...
    """
    raise TypeError(
        "run() takes the initial state (or value) first, then the data; got only "
        f"{type(initial).__name__} {_short(initial)}. Ignite's engine.run(data, max_epochs=2) "
        "is written loop.run(initial, data, max_epochs=2), e.g. loop.run(0, data) or "
        "loop.run(init_train_state(model, optimizer), data)"
    )


def refuse_odd_data(data: object) -> None:
    """Refuse data that iterates but is not a sequence of batches: text, a mapping, a set,
    a 0-d array or tensor, an empty sized collection.

    Example:
        >>> refuse_odd_data("abc")
        Traceback (most recent call last):
        ...
        TypeError: data is a str: iterating it gives one character at a time; ...
    """
    kind = type(data).__name__
    if isinstance(data, (str, bytes, bytearray)):
        raise TypeError(
            f"data is a {kind}: iterating it gives one character at a time; pass a list of "
            "batches, e.g. [text] for one batch"
        )
    if isinstance(data, Mapping):
        raise TypeError(
            f"data is a {kind}: iterating it gives its keys only; pass a list of batches, "
            "e.g. list(d.items()) or [d] for one batch"
        )
    if isinstance(data, Set):
        raise TypeError(
            f"data is a {kind}, whose order is not fixed, so no run can be repeated or "
            "resumed; pass a sequence, e.g. sorted(s) or list(s)"
        )
    if getattr(data, "ndim", None) == 0:
        raise TypeError(
            f"data is a 0-d {kind} (one number), not a sequence of batches; pass [x] for one "
            "batch, or x.reshape(-1) to iterate its elements"
        )


def refuse_dry_iterator(data: object, length: int | None, epochs: int | None) -> None:
    """Refuse a one-shot iterator of unknown length for more than one epoch: it runs dry in
    the first, so every later epoch would have no batch.

    Example:
        >>> refuse_dry_iterator(iter([1, 2]), None, 2)
        Traceback (most recent call last):
        ...
        ValueError: a one-shot iterator (list_iterator) of unknown length runs dry in ...
    """
    if isinstance(data, Iterator) and length is None and epochs is not None and epochs > 1:
        later = "epoch 2" if epochs == 2 else f"epochs 2 to {epochs}"
        raise ValueError(
            f"a one-shot iterator ({type(data).__name__}) of unknown length runs dry in its "
            f"first epoch, so {later} would have no batch; pass a re-iterable (a list, a "
            "DataLoader, an object whose __iter__ makes a new generator), or epoch_length=N "
            f"with an iterator long enough for {epochs} epochs of N batches"
        )


def require_limits(max_epochs: object, epoch_length: object, max_iters: object) -> None:
    """Refuse a limit that is neither None nor an int >= 1.

    Example:
        >>> require_limits(None, 10, -1)
        Traceback (most recent call last):
        ...
        ValueError: max_iters must be >= 1 or None, got -1
    """
    limits = {"max_epochs": max_epochs, "epoch_length": epoch_length, "max_iters": max_iters}
    for name, value in limits.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1 or None, got {value}")


def require_count(name: str, value: object, least: int = 0) -> int:
    """``value``, checked to be an int >= ``least`` (``name`` says what it is).

    Example:
        >>> require_count("every(n)", 0, 1)
        Traceback (most recent call last):
        ...
        ValueError: every(n) must be >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
    if value < least:
        raise ValueError(f"{name} must be >= {least}, got {value}")
    return value


def require_counts(counts: object) -> Mapping[type[Event], int]:
    """``counts`` (``{}`` for None), checked to be a mapping; its keys and values are checked
    where the position is built.

    Example:
        >>> require_counts([])
        Traceback (most recent call last):
        ...
        TypeError: State(counts=...) takes a mapping {EventKind: count}, got list []; ...
    """
    if counts is None:
        return {}
    if not isinstance(counts, Mapping):
        raise TypeError(
            f"State(counts=...) takes a mapping {{EventKind: count}}, got "
            f"{type(counts).__name__} {_short(counts)}; write counts={{IterationCompleted: 5}}"
        )
    return counts


def require_kind(kind: object, where: str) -> type[Event]:
    """``kind``, checked to be an event kind (a subclass of ``Event``, not ``Event`` itself).

    Example:
        >>> require_kind("Started", "count()")
        Traceback (most recent call last):
        ...
        TypeError: count() takes an event kind (a subclass of foldloop.Event), got 'Started' ...
    """
    if not (isinstance(kind, type) and issubclass(kind, Event)):
        raise TypeError(
            f"{where} takes an event kind (a subclass of foldloop.Event), got {kind!r} of type "
            f"{type(kind).__name__}; pass the class itself, e.g. IterationCompleted"
        )
    if kind is Event:
        raise TypeError(
            f"{where} takes one kind of event; Event is the base of them all and never fires "
            "itself; name each kind, e.g. on(EpochCompleted) | on(Completed), or subclass "
            "Event for your own"
        )
    return kind


def require_slot_name(name: object) -> None:
    """Refuse a slot name that is not a non-empty string (it is the slot's checkpoint key).

    Example:
        >>> require_slot_name(3)
        Traceback (most recent call last):
        ...
        TypeError: Slot(name, default) takes a non-empty str as its name, got 3 of type int; ...
    """
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"Slot(name, default) takes a non-empty str as its name, got {name!r} of type "
            f'{type(name).__name__}; write Slot("best_score", 0.0)'
        )


def not_a_slot(slot: object, method: str) -> TypeError:
    """The refusal of ``state.get(x)``/``state.put(x, v)`` with ``x`` not a ``Slot``.

    Example:
        >>> str(not_a_slot("best", "get"))[:40]
        "state.get() takes a Slot, got the str 'b"
    """
    return TypeError(
        f"state.{method}() takes a Slot, got the {type(slot).__name__} {slot!r}; declare the "
        f"slot once, e.g. BEST = Slot({str(slot)!r}, 0.0), and write state.{method}(BEST"
        + (", value)" if method == "put" else ")")
    )


def require_predicate(predicate: Callable[..., object]) -> None:
    """Refuse a ``where`` predicate that cannot be called as ``predicate(state, event)``.

    Example:
        >>> require_predicate(lambda state: True)
        Traceback (most recent call last):
        ...
        TypeError: where() calls its predicate as predicate(state, event); <lambda>(state) ...
    """
    if plainly_takes_two(predicate):  # what the signature would say, without inspect's cost
        return
    try:
        signature = inspect.signature(predicate)
    except (TypeError, ValueError):  # a builtin without a signature: it is tried when called
        return
    try:
        signature.bind(None, None)
    except TypeError:
        raise TypeError(
            f"where() calls its predicate as predicate(state, event); "
            f"{name_of(predicate)}{signature} cannot take those two arguments; write "
            "where(lambda state, event: ...), e.g. where(lambda state, event: state.epoch > 2)"
        ) from None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
