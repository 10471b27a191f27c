"""The cost of issue 14's refusals on the loop's hot path: this checkout against another.

A trivial step, one handler that reads and writes a slot (``state.get``/``state.put`` now
check the slot) and one tap (its result is now checked for a changed state), both on every
iteration: 50 epochs of 1000 batches, best of 5. The two checkouts run alternately in fresh
processes, five rounds, and the median ratio is printed (measured in one run, not a timing
threshold).

Usage:
  python benchmarks/edge_checks.py /path/to/other/src     # e.g. the main checkout's src
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"


def measure() -> float:
    """Best seconds of five runs of the loop described above, in this process."""
    from foldloop import IterationCompleted, Loop, Slot

    best_slot = Slot("count", 0)
    loop: Loop[int, int] = Loop(lambda state, batch: state)
    loop.attach(IterationCompleted, lambda s: s.put(best_slot, s.get(best_slot) + 1))
    loop.tap(IterationCompleted, lambda state: None)
    data = list(range(1000))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        loop.run(0, data, max_epochs=50)
        best = min(best, time.perf_counter() - start)
    return best


def timed(src: Path) -> float:
    """``measure()`` in a fresh process importing foldloop from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def main() -> None:
    """Alternate the two checkouts five times; print each pair and the median ratio."""
    other = Path(sys.argv[1]).resolve()
    ratios = []
    for _ in range(5):
        theirs, ours = timed(other), timed(HERE)
        ratios.append(ours / theirs)
        print(f"other {theirs:.3f}s  this {ours:.3f}s  ratio {ours / theirs:.3f}")
    print(f"median ratio this/other: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        print(measure())
    else:
        main()
