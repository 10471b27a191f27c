"""How ``attach``/``tap`` fit a function to the call ``(state, event)``.

The shape is decided by binding the function's signature; plain two-argument functions take a
shortcut that must decide exactly as the signature would. Each case is fitted twice, with and
without the shortcut, and the two calls must agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from foldloop.core import Event, _callables

EVENT = Event()

Fn = Callable[..., object]


def two(state: object, event: object) -> object:
    return ("two", state, event)


def two_and_rest(state: object, event: object, *rest: object) -> object:
    return ("two_and_rest", state, event, rest)


def one(state: object) -> object:
    return ("one", state)


def one_with_default(state: object, event: object = "default") -> object:
    return ("one_with_default", state, event)


def two_with_keyword(state: object, event: object, *, scale: int = 2) -> object:
    return ("two_with_keyword", state, event, scale)


def two_needing_keyword(state: object, event: object, *, scale: int) -> object:
    return ("two_needing_keyword", state, event, scale)


def nothing() -> object:
    return ("nothing",)


class Handlers:
    def method(self, state: object, event: object) -> object:
        return ("method", state, event)

    def method_one(self, state: object) -> object:
        return ("method_one", state)


@functools.wraps(one)
def wraps_one(state: object, event: object) -> object:  # inspect reads one's signature
    return ("wraps_one", state, event)


# Any: the cases are functions of many signatures, called only through fit's result.
CASES: list[Any] = [
    two,
    two_and_rest,
    one,
    one_with_default,
    two_with_keyword,
    two_needing_keyword,
    nothing,
    Handlers().method,
    Handlers().method_one,
    lambda state, event: ("lambda", state, event),
    lambda state: ("lambda_one", state),
    wraps_one,
    functools.partial(two_and_rest),
]


def _fitted(fn: Fn, shortcut: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    with monkeypatch.context() as patch:
        if not shortcut:
            patch.setattr(_callables, "plainly_takes_two", lambda fn: False)
        try:
            call = _callables.fit(fn, (), {}, is_tap=True, trigger=lambda: "test")
        except TypeError as error:
            return ("refused", str(error))
    try:
        return tuple(call("state", EVENT))  # (every case returns a tuple)
    except TypeError as error:
        return ("failed", str(error))


def _case_id(fn: Fn) -> str:
    """The case's name, the same in every process (a partial's repr holds an address, and
    pytest-xdist's workers must collect the same ids)."""
    if isinstance(fn, functools.partial):
        return f"partial({_callables.name_of(fn.func)})"
    return _callables.name_of(fn)


@pytest.mark.parametrize("fn", CASES, ids=_case_id)
def test_the_shortcut_fits_every_function_as_its_signature_does(
    fn: Fn, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitted = _fitted(fn, True, monkeypatch)
    assert fitted == _fitted(fn, False, monkeypatch)
    # Only these two cannot be called as (state, event): one needs a keyword, and inspect
    # reads the other's signature from the one-argument function it wraps.
    assert fitted[0] not in ("refused", "failed") or fn in (two_needing_keyword, wraps_one)


def test_the_shortcut_is_taken_for_plain_two_argument_functions_and_methods() -> None:
    taken: list[Fn] = [two, two_and_rest, two_with_keyword, Handlers().method]
    for fn in taken:
        assert _callables.fit(fn, (), {}, is_tap=False, trigger=lambda: "test") is fn
    not_taken: list[Fn] = [one, one_with_default, two_needing_keyword, wraps_one, nothing]
    for fn in not_taken:
        assert not _callables.plainly_takes_two(fn)
