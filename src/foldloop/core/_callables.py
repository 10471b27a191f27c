"""Fitting user functions to the loop's call ``fn(state, event)``.

A handler may take ``(state, event, *args)`` or ``(state, *args)``; a tap also ``(*args)``.
The first form that binds wins, in that order (the order of the typed overloads of
``Loop.attach`` and ``Loop.tap``). The decision is made once, at attach time.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from typing import Any

from ._events import Event

# The loop calls every attachment as ``call(state, event)``; what it returns is the handler's
# business (checked by the loop for handlers, ignored for taps), hence ``Any`` here.
Call = Callable[[Any, Event], Any]

_SHAPES = ("(state, event, *args)", "(state, *args)", "(*args)")


def name_of(fn: object) -> str:
    """A readable name for ``fn`` in error messages.

    Example:
        >>> name_of(len)
        'len'
    """
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


def spelled(name: str) -> str:
    """How a function named ``name`` (a qualified name) is written in a suggested call.

    Example:
        >>> spelled("test.<locals>.report"), spelled("<lambda>")
        ('report', 'fn')
    """
    last = name.rsplit(".", 1)[-1]
    return last if last.isidentifier() else "fn"


def _binds(
    sig: inspect.Signature, n_leading: int, args: tuple[object, ...], kwargs: Mapping[str, object]
) -> bool:
    try:
        sig.bind(*([None] * n_leading), *args, **kwargs)
    except TypeError:
        return False
    return True


def fit(
    fn: Callable[..., object],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
    *,
    is_tap: bool,
    trigger: Callable[[], str],
) -> Call:
    """``fn`` with ``args``/``kwargs`` bound, as a function of ``(state, event)``; a tap may
    also take neither. ``trigger()`` writes the trigger, asked for only by a refusal.

    Raises:
        TypeError: ``fn`` is not callable, or none of the accepted shapes binds (for a handler
            that takes no state, the message shows the call that makes it a tap).

    Example:
        >>> call = fit(lambda state, k: state + k, (10,), {}, is_tap=False, trigger=str)
        >>> call(1, None)
        11
    """

    def where() -> str:
        return f"{'tap' if is_tap else 'handler'} on {trigger()}"

    if not callable(fn):
        raise TypeError(f"{where()}: expected a function, got {fn!r} of type {type(fn).__name__}")
    if not args and not kwargs and plainly_takes_two(fn):
        return fn  # what the signature would decide, without inspect's cost (~40 us an attach)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature: call them the full way
        return _bound(fn, 2, args, kwargs)
    shapes = (2, 1, 0) if is_tap else (2, 1)
    for n_leading in shapes:
        if _binds(sig, n_leading, args, kwargs):
            if n_leading == 2:
                _refuse_event_in_default(fn, sig, where)
            return _bound(fn, n_leading, args, kwargs)
    extra = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    accepted = " or ".join(_SHAPES[: len(shapes)])
    written, name = trigger(), spelled(name_of(fn))
    raise TypeError(
        f"{where()}: {name_of(fn)}{sig} cannot be called as {accepted}"
        + (f" with extra arguments {extra}" if extra else "")
        + (
            f"; it takes no state, so it cannot change one: if it only does IO (prints, logs), "
            f"make it a tap with loop.tap({written}, {name}) or @loop.tap({written})"
            if not is_tap and _binds(sig, 0, args, kwargs)
            else "; change its parameters or the arguments given to attach()"
        )
    )


def _refuse_event_in_default(
    fn: Callable[..., object], sig: inspect.Signature, where: Callable[[], str]
) -> None:
    """Refuse ``def scale(state, factor=2)`` attached with nothing for ``factor``: called as
    ``(state, event)``, the event would silently replace the default."""
    positional = [
        p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) < 2 or positional[1].default is inspect.Parameter.empty:
        return
    if "event" in positional[1].name or positional[1].name in ("e", "ev", "_"):
        return  # named for the event: it is meant to receive it
    second, name = positional[1], spelled(name_of(fn))
    raise TypeError(
        f"{where()}: {name_of(fn)}{sig} would be called as {name}(state, event), the event "
        f"replacing the default of {second.name}={second.default!r}; to take the event, give "
        f"it its own parameter: def {name}(state, event, {second.name}={second.default!r}); "
        f"to keep {second.name}, pass it: loop.attach(trigger, {name}, ..., "
        f"{second.name}={second.default!r})"
    )


def plainly_takes_two(fn: object) -> bool:
    """Whether ``fn`` is a Python function or bound method whose own code takes exactly two
    positional arguments and needs no others (no defaults to weigh, no keyword-only ones without
    defaults, no ``__signature__`` or ``__wrapped__`` that ``inspect`` would read instead)."""
    bound = 1 if isinstance(fn, types.MethodType) else 0
    func = fn.__func__ if isinstance(fn, types.MethodType) else fn
    if not isinstance(func, types.FunctionType) or func.__defaults__:
        return False
    if "__signature__" in func.__dict__ or "__wrapped__" in func.__dict__:  # (hasattr on a
        return False  # bound method raises and catches an AttributeError: ~1.4 us an attach)
    code = func.__code__
    required_keywords = code.co_kwonlyargcount - len(func.__kwdefaults__ or {})
    return code.co_argcount - bound == 2 and required_keywords == 0


def _bound(
    fn: Callable[..., object],
    n_leading: int,
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
) -> Call:
    kw = dict(kwargs)
    if n_leading == 2:
        if not args and not kw:
            return fn
        return lambda state, event: fn(state, event, *args, **kw)
    if n_leading == 1:
        return lambda state, event: fn(state, *args, **kw)
    return lambda state, event: fn(*args, **kw)


def changed_by_tap(given: tuple[object, ...], returned: tuple[object, ...]) -> bool:
    """Whether a tap returned a state (a tuple of parts) other than the one it was given:
    a part replaced, an event emitted, a stop requested. The batch is not compared."""
    return returned is not given and any(
        a is not b for a, b in zip(given[:-1], returned[:-1], strict=True)
    )


def tap_changed(where: str) -> str:
    """The refusal of a tap that returned a changed state (``state.emit(...)``, say).

    Example:
        >>> tap_changed("tap 'log' on Started")[:45]
        "tap 'log' on Started returned a changed state"
    """
    return (
        f"{where} returned a changed state, which a tap cannot give (taps only see the run, "
        "so the emit, terminate or new value would be dropped); attach it as a handler with "
        "loop.attach(trigger, fn) or @loop.on(trigger)"
    )
