"""Small helpers shared by the benchmark scripts in this folder (stats, machine notes, tables,
memory readings, profiles)."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from collections.abc import Iterable
from pathlib import Path


def summary(xs: Iterable[float]) -> tuple[float, float, float]:
    """(min, median, max) of a sequence."""
    xs = list(xs)
    return min(xs), statistics.median(xs), max(xs)


def rotated(names: list[str], rep: int) -> list[str]:
    """Interleaving order for one repetition: A B C, then B C A, then C A B, ...

    Rotating (instead of always A B C) spreads any position effect (cache/thermal/GC state
    left by the previous runner) evenly over the runners.
    """
    if not names:
        return []
    k = rep % len(names)
    return names[k:] + names[:k]


def version_of(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "not installed"


def machine_notes() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "?"
    return [
        f"python {platform.python_version()} ({platform.python_implementation()})"
        f" on {platform.platform()}",
        f"cpu: {cpu}; os.cpu_count()={os.cpu_count()}; loadavg at start: {load}",
        "packages: "
        + ", ".join(
            f"{d}={version_of(d)}" for d in ("torch", "pytorch-ignite", "numpy", "scikit-learn")
        ),
    ]


def reps_and_epochs(doc: str, reps: int, epochs: int, what: str) -> tuple[int, int]:
    """A script's ``--reps`` and ``--epochs`` (defaults ``reps``, ``epochs``), or (1, 1) with
    ``--quick``, its smoke run; ``doc`` is its ``--help``, ``what`` names what is repeated."""
    ap = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="a smoke run: 1 repetition of 1 epoch")
    ap.add_argument("--reps", type=int, default=reps, help=f"timed repetitions of each {what}")
    ap.add_argument("--epochs", type=int, default=epochs, help="epochs per timed repetition")
    args = ap.parse_args()
    return (1, 1) if args.quick else (args.reps, args.epochs)


def table(rows: list[list[str]], header: list[str]) -> str:
    """A GitHub-flavoured markdown table (readable in a terminal too)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = (str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


# -- memory of this process (Linux /proc) -------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def rss_mib() -> float:
    """Resident set size now (VmRSS): every page of this process in memory, torch's
    allocator included (tracemalloc sees only Python's)."""
    return _status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    """Peak resident set size (VmHWM) since the process started or :func:`reset_peak_rss`."""
    return _status_kib("VmHWM") / 1024


def reset_peak_rss() -> None:
    """Make VmHWM the current RSS (Linux >= 4.0: writing 5 to ``/proc/self/clear_refs``), so
    a later :func:`peak_rss_mib` sees only what came after (not the imports' transient peak)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


# -- profiles -----------------------------------------------------------------------------------


def profile_table(prof: object, iterations: int, top: int) -> str:
    """The ``top`` functions of a ``cProfile.Profile`` by own time (tottime), per iteration."""
    import pstats

    st = pstats.Stats(prof)  # type: ignore[arg-type]
    entries = []
    total_tt = 0.0
    for (file, line, func), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        total_tt += tt
        entries.append((tt, ct, nc, file, line, func))
    entries.sort(reverse=True)
    rows = []
    for tt, ct, nc, file, line, func in entries[:top]:
        short = file
        for marker in ("site-packages/", "src/", "benchmarks/"):
            if marker in file:
                short = file.split(marker, 1)[1]
        rows.append(
            [
                f"{short}:{line}({func})",
                f"{nc / iterations:.2f}",
                f"{tt / iterations * 1e6:.3f}",
                f"{100 * tt / total_tt:.1f}%",
                f"{ct / iterations * 1e6:.3f}",
            ]
        )
    header = ["function", "calls/iter", "own us/iter", "own % of total", "cumulative us/iter"]
    return table(rows, header)
