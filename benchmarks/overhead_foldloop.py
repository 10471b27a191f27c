"""foldloop runners for the loop-overhead harness (``overhead.py``; ``bench.py``'s loop rows).

Each runner builds the scenario's loop, times only ``loop.run`` and reports the same handler
call counts as the harness's raw and Ignite runners (the harness checks they agree).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import overhead  # type: ignore[import-not-found]  # the harness module, beside this file

from foldloop import (
    Completed,
    EpochCompleted,
    EpochStarted,
    IterationCompleted,
    IterationStarted,
    Loop,
    Started,
    State,
    every,
    on,
    once,
    where,
)


def _step(state: State[None], batch: int) -> State[None]:
    return state


def _as_handler(count: Callable[[object], None]) -> Callable[[State[None]], State[None]]:
    """The harness's counting body as a foldloop handler (it ignores its argument)."""

    def handler(state: State[None]) -> State[None]:
        count(None)
        return state

    return handler


def _timed(loop: Loop[None, int], cfg: overhead.Config) -> tuple[float, State[None]]:
    data = range(cfg.epoch_length)
    t0 = time.perf_counter()
    final = loop.run(None, data, max_epochs=cfg.epochs)
    return time.perf_counter() - t0, final


def bare(cfg: overhead.Config) -> overhead.Result:
    seconds, final = _timed(Loop(_step), cfg)
    return overhead.Result(seconds, {"iterations": final.iteration})


def docs(cfg: overhead.Config) -> overhead.Result:
    counts, h = overhead.docs_handlers()
    loop: Loop[None, int] = Loop(_step)
    special = frozenset(overhead.SPECIAL)
    loop.attach(Started, _as_handler(h["started"]))
    loop.attach(on(IterationCompleted, every(50)), _as_handler(h["log_every_50"]))
    loop.attach(on(EpochStarted, once(25)), _as_handler(h["epoch_25"]))
    custom = on(IterationStarted, where(lambda state, event: state.iteration in special))
    loop.attach(custom, _as_handler(h["special_iters"]))
    loop.attach(EpochCompleted, _as_handler(h["epoch_done"]))
    loop.attach(Completed, _as_handler(h["completed"]))
    seconds, final = _timed(loop, cfg)
    return overhead.Result(seconds, {"iterations": final.iteration, **counts})


def _every(
    pairs: list[tuple[int, Callable[[object], None]]], cfg: overhead.Config
) -> tuple[float, int]:
    loop: Loop[None, int] = Loop(_step)
    for k, handler in pairs:
        loop.attach(on(IterationCompleted, every(k)), _as_handler(handler))
    seconds, final = _timed(loop, cfg)
    return seconds, final.iteration


def every20(cfg: overhead.Config) -> overhead.Result:
    counts, pairs = overhead.every_handlers()
    seconds, iterations = _every(pairs, cfg)
    return overhead.Result(seconds, {"iterations": iterations, **counts})


def every1000(cfg: overhead.Config) -> overhead.Result:
    counts, pairs = overhead.every1000_handlers()
    seconds, iterations = _every(pairs, cfg)
    return overhead.Result(seconds, {"iterations": iterations, **counts})


RUNNERS = {
    "foldloop/bare": bare,
    "foldloop/docs": docs,
    "foldloop/every20": every20,
    "foldloop/every1000": every1000,
}
