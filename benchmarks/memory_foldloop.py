"""Memory of a run does not grow with its length when no trace is kept (``bench.py``'s
run-length rows).

The same loop (a step adding 1 to the value, a handler on every 1000th ``IterationCompleted``)
runs for n iterations, with ``run`` and with ``scan`` consumed without keeping its states;
:func:`peak_kib` is the peak memory Python allocated during the run (tracemalloc: Python
objects only, which is where a kept history would show; no tensors are made). Flat means the
peak of a long run is about that of a short one.

Before each measured run, CPython's free lists of small tuples are filled to their cap: it
keeps up to 2,000 freed tuples of each size for reuse (emptied by ``gc.collect()``), and a
tuple built outside that list (``NamedTuple._replace`` builds one, a few times per epoch here)
is parked there when freed, until the cap (about 270 KiB for the loop's 12-field positions).
From empty lists, a long run would park more of that than a short one, though it is not memory
the run keeps. One unmeasured run of 10,000 iterations warms the rest.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

from foldloop import IterationCompleted, Loop, every, on

Runner = Callable[[Loop[int, int], int], None]


def _loop() -> Loop[int, int]:
    loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + 1))
    loop.attach(on(IterationCompleted, every(1000)), lambda s: s.replace(value=s.value - 1))
    return loop


def run(loop: Loop[int, int], n: int) -> None:
    final = loop.run(0, range(1000), max_iters=n)
    assert final.iteration == n


def scan(loop: Loop[int, int], n: int) -> None:
    iteration = 0
    for _, state in loop.scan(0, range(1000), max_iters=n):
        iteration = state.iteration
    assert iteration == n


RUNNERS: dict[str, Runner] = {"run": run, "scan (states not kept)": scan}
_WARM_UP = 10_000


def peak_kib(runner: Runner, n: int) -> float:
    """Peak memory allocated while ``runner`` runs ``n`` iterations, in KiB."""
    loop = _loop()
    gc.collect()
    _fill_tuple_free_lists()
    runner(loop, _WARM_UP)
    tracemalloc.start()
    runner(loop, n)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def _fill_tuple_free_lists() -> None:
    """Fill CPython's free lists of tuples of 1 to 20 items to their cap (see above): 2,000 of
    each size held at once, then freed."""
    held = [tuple(range(size)) for size in range(1, 21) for _ in range(2_000)]
    del held
