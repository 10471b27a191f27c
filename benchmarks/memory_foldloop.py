"""Memory of a run does not grow with its length when no trace is kept.

Runs the same loop for 10^4, 10^5 and 10^6 iterations (``run``, and ``scan`` consumed without
keeping its states) and prints the peak memory Python allocated during each run (tracemalloc),
with the ratio to the shortest run. Flat means the ratio stays near 1.

    .venv/bin/python benchmarks/memory_foldloop.py
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


def _run(loop: Loop[int, int], n: int) -> None:
    final = loop.run(0, range(1000), max_iters=n)
    assert final.iteration == n


def _scan(loop: Loop[int, int], n: int) -> None:
    iteration = 0
    for _, state in loop.scan(0, range(1000), max_iters=n):
        iteration = state.iteration
    assert iteration == n


def peak_kib(runner: Runner, n: int) -> float:
    """Peak memory allocated while ``runner`` runs ``n`` iterations, in KiB."""
    loop = _loop()
    gc.collect()
    tracemalloc.start()
    runner(loop, n)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def main() -> None:
    sizes = (10_000, 100_000, 1_000_000)
    print("| runner | iterations | peak KiB | ratio to 10^4 |")
    print("|---|---|---|---|")
    for name, runner in (("run", _run), ("scan (states not kept)", _scan)):
        base = None
        for n in sizes:
            kib = peak_kib(runner, n)
            base = base or kib
            print(f"| {name} | {n:,} | {kib:.1f} | {kib / base:.2f} |")


if __name__ == "__main__":
    main()
