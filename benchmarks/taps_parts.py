"""What each tap of ``bench.py``'s taps row costs the digits job, alone and together.

    python benchmarks/taps_parts.py            # about a minute
    python benchmarks/taps_parts.py --quick    # a smoke run, numbers meaningless

The job is ``taps.digits_job`` (AdamW, an evaluation after each epoch): with no tap, with each of
``taps.TAPS`` alone, and with all of them (``bench.py``'s row). The runs are interleaved in
rotating order; the table gives each one's minimum per epoch and its ratio to the job without
taps (issue 12 asks for all three together to cost at most 3%).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import taps
import torch
from _util import reps_and_epochs, table
from bench import interleaved


def main() -> None:
    reps, epochs = reps_and_epochs(__doc__, 14, 2, "job")
    torch.set_num_threads(1)
    configs: dict[str, tuple[str, ...]] = {
        "no taps": (),
        **{name: (name,) for name in taps.TAPS},
        "all three": taps.TAPS,
    }
    jobs = {name: taps.digits_job(tapped) for name, tapped in configs.items()}
    gc.collect()
    gc.freeze()
    seconds = interleaved(
        {name: (lambda job=job: job(epochs)) for name, job in jobs.items()}, reps, 1, "taps"
    )
    per_epoch = {name: min(s) * 1e3 / epochs for name, s in seconds.items()}
    rows = [
        [name, f"{ms:.2f}", f"{ms / per_epoch['no taps']:.3f}x"] for name, ms in per_epoch.items()
    ]
    print(f"# taps_parts.py: {epochs} epochs per repetition, {reps} repetitions, min")
    print(table(rows, ["taps", "ms per epoch (min)", "vs no taps"]))


if __name__ == "__main__":
    main()
