"""Wrapping a loop's attachments (a profiler's timers) without touching the run's hot path.

The loop itself has no hook: the wrappers replace the attachments' calls in the registry, in
place, and ``restore`` puts the originals back, so a loop that was never instrumented, or no
longer is, runs exactly the code it ran before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._callables import Call
from ._loop import Loop
from ._registry import Attachment


def instrument(loop: Loop[Any, Any], wrap: Callable[[Attachment], Call]) -> Callable[[], None]:
    """Replace each current attachment's call by ``wrap(attachment)``; return ``restore``.

    Attachments keep their place, handles and functions (``has``/``detach`` see no change);
    ones attached later are not wrapped. ``restore`` is idempotent. (``Any``: any loop will do,
    whatever its state and batch types.)

    Example:
        >>> from foldloop import Loop, Started
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> _ = loop.tap(Started, lambda: print("tap"))
        >>> def loud(a: Attachment) -> Call:
        ...     return lambda state, event: (print("before", a.name), a.call(state, event))[1]
        >>> restore = instrument(loop, loud)
        >>> _ = loop.run(0, [1])
        before <lambda>
        tap
        >>> restore(); _ = loop.run(0, [1])
        tap
    """
    registry = loop._registry
    return functools.partial(registry.unwrap, registry.rewrap(wrap))  # unwrap twice: no change
