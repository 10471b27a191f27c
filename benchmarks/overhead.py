"""Per-iteration overhead of training-loop machinery (the loop rows of ``bench.py``).

The process function is trivial (it returns the batch) and the data is ``range(epoch_length)``,
so what is timed is the loop machinery itself: event dispatch, filters, state updates, and the
handler bodies (which only bump a counter and are identical Python functions in every runner).

Scenarios (every library implements each one as a runner named ``"<lib>/<scenario>"``):

  bare       no handlers at all
  docs       the handler set of Ignite's "Events and Handlers" docs:
               STARTED; ITERATION_COMPLETED(every=50); EPOCH_STARTED(once=25);
               ITERATION_STARTED(event_filter=custom),
               with custom = ``iteration in [1,2,5,10,50,100]``;
               EPOCH_COMPLETED; COMPLETED
             (with the default 20 epochs, once=25 never fires, but its filter is evaluated
             every epoch)
  every20    20 handlers on ITERATION_COMPLETED, handler i with every=k_i, k = 10, 20, ..., 200
  every1000  1000 handlers on ITERATION_COMPLETED with every=1000, 2000, ..., 10^6 (rarely firing)

Runners: ``raw/*`` (a plain Python for-loop; the handler logic written inline as ``if`` tests
that call the same handler functions), ``ignite/*`` (``ignite.engine.Engine``; no
``ignite/every1000``: Ignite checks every handler every iteration, ~1.4 ms/iter) and
``foldloop/*`` (``overhead_foldloop.py``). A runner is ``fn(cfg: Config) -> Result``: it builds
the scenario (engine, handlers), times ONLY the run itself with ``time.perf_counter`` and returns
the seconds plus the handler-call counts that :func:`docs_handlers` / :func:`every_handlers`
collected (and the number of iterations done). :func:`bench` checks that every runner of one
scenario reports identical counts.

Usage (``bench.py`` prints the foldloop-vs-Ignite rows; this prints every runner, raw included):
  python benchmarks/overhead.py
  python benchmarks/overhead.py --reps 11 --epochs 20 --epoch-length 5000 --only raw/ foldloop/
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

sys.modules.setdefault(
    "overhead", sys.modules[__name__]
)  # overhead_foldloop does `import overhead`

from _util import machine_notes, rotated, summary, table  # noqa: E402

# ----------------------------------------------------------------------------------------------
# shared pieces: config, result, process function, handler bodies


@dataclass(frozen=True)
class Config:
    epochs: int = 20
    epoch_length: int = 5000

    @property
    def iterations(self) -> int:
        return self.epochs * self.epoch_length


@dataclass
class Result:
    seconds: float  # wall time of the run only (building the engine/handlers is not included)
    counts: dict[str, int] = field(default_factory=dict)  # must match across runners of a scenario


def process(engine, batch):
    """The trivial process function: returns the batch."""
    return batch


SPECIAL = [1, 2, 5, 10, 50, 100]  # the custom filter's iterations, as a list like in Ignite's docs
EVERY_KS = tuple(range(10, 201, 10))  # every=k for the 20-handler scenario


def custom_event_filter(engine, event):
    return event in SPECIAL


def _counting(counts: dict[str, int], key: str) -> Callable:
    """A handler body: takes the engine (ignored) and adds one to ``counts[key]``."""

    def handler(engine):
        counts[key] += 1

    return handler


DOCS_HANDLERS = ("started", "log_every_50", "epoch_25", "special_iters", "epoch_done", "completed")


def docs_handlers() -> tuple[dict[str, int], dict[str, Callable]]:
    """The handler bodies of the `docs` scenario, by name."""
    counts = dict.fromkeys(DOCS_HANDLERS, 0)
    return counts, {name: _counting(counts, name) for name in DOCS_HANDLERS}


EVERY1000_KS = tuple(1000 * (i + 1) for i in range(1000))  # 1000 handlers that rarely fire


def periodic_handlers(ks: tuple[int, ...]) -> tuple[dict[str, int], list[tuple[int, Callable]]]:
    """(k, handler) pairs, one a period k, each handler counting its calls under ``every_<k>``."""
    counts = {f"every_{k}": 0 for k in ks}
    return counts, [(k, _counting(counts, f"every_{k}")) for k in ks]


def every_handlers() -> tuple[dict[str, int], list[tuple[int, Callable]]]:
    """The 20 (k, handler) pairs of the `every20` scenario."""
    return periodic_handlers(EVERY_KS)


def every1000_handlers() -> tuple[dict[str, int], list[tuple[int, Callable]]]:
    """The 1000 (k, handler) pairs of the `every1000` scenario (cost should follow firings)."""
    return periodic_handlers(EVERY1000_KS)


# ----------------------------------------------------------------------------------------------
# raw Python loops


def raw_bare(cfg: Config) -> Result:
    data = range(cfg.epoch_length)
    proc = process
    it = 0
    t0 = time.perf_counter()
    for _epoch in range(cfg.epochs):
        for batch in data:
            it += 1
            _out = proc(None, batch)
    dt = time.perf_counter() - t0
    return Result(dt, {"iterations": it})


def raw_docs(cfg: Config) -> Result:
    counts, h = docs_handlers()
    started, log50, ep25 = h["started"], h["log_every_50"], h["epoch_25"]
    special, epoch_done, completed = h["special_iters"], h["epoch_done"], h["completed"]
    data = range(cfg.epoch_length)
    proc = process
    it = 0
    t0 = time.perf_counter()
    started(None)
    for epoch in range(1, cfg.epochs + 1):
        if epoch == 25:
            ep25(None)
        for batch in data:
            it += 1
            if it in SPECIAL:
                special(None)
            _out = proc(None, batch)
            if it % 50 == 0:
                log50(None)
        epoch_done(None)
    completed(None)
    dt = time.perf_counter() - t0
    return Result(dt, {"iterations": it, **counts})


def raw_every20(cfg: Config) -> Result:
    counts, pairs = every_handlers()
    data = range(cfg.epoch_length)
    proc = process
    it = 0
    t0 = time.perf_counter()
    for _epoch in range(cfg.epochs):
        for batch in data:
            it += 1
            _out = proc(None, batch)
            for k, h in pairs:
                if it % k == 0:
                    h(None)
    dt = time.perf_counter() - t0
    return Result(dt, {"iterations": it, **counts})


def raw_every1000(cfg: Config) -> Result:
    """The best a hand-written loop can do with many periodic handlers: a heap of next firings."""
    import heapq

    counts, pairs = every1000_handlers()
    heap = [(k, i) for i, (k, _h) in enumerate(pairs)]
    heapq.heapify(heap)
    data = range(cfg.epoch_length)
    proc = process
    it = 0
    t0 = time.perf_counter()
    for _epoch in range(cfg.epochs):
        for batch in data:
            it += 1
            _out = proc(None, batch)
            while heap[0][0] == it:
                _due, i = heapq.heappop(heap)
                k, h = pairs[i]
                h(None)
                heapq.heappush(heap, (it + k, i))
    dt = time.perf_counter() - t0
    return Result(dt, {"iterations": it, **counts})


# ----------------------------------------------------------------------------------------------
# PyTorch Ignite


def _ignite_run(engine, cfg: Config) -> float:
    data = range(cfg.epoch_length)
    t0 = time.perf_counter()
    engine.run(data, max_epochs=cfg.epochs)
    return time.perf_counter() - t0


def ignite_bare(cfg: Config) -> Result:
    from ignite.engine import Engine

    engine = Engine(process)
    dt = _ignite_run(engine, cfg)
    return Result(dt, {"iterations": engine.state.iteration})


def ignite_docs(cfg: Config) -> Result:
    from ignite.engine import Engine, Events

    counts, h = docs_handlers()
    engine = Engine(process)
    engine.add_event_handler(Events.STARTED, h["started"])
    engine.add_event_handler(Events.ITERATION_COMPLETED(every=50), h["log_every_50"])
    engine.add_event_handler(Events.EPOCH_STARTED(once=25), h["epoch_25"])
    engine.add_event_handler(
        Events.ITERATION_STARTED(event_filter=custom_event_filter), h["special_iters"]
    )
    engine.add_event_handler(Events.EPOCH_COMPLETED, h["epoch_done"])
    engine.add_event_handler(Events.COMPLETED, h["completed"])
    dt = _ignite_run(engine, cfg)
    return Result(dt, {"iterations": engine.state.iteration, **counts})


def ignite_every20(cfg: Config) -> Result:
    from ignite.engine import Engine, Events

    counts, pairs = every_handlers()
    engine = Engine(process)
    for k, handler in pairs:
        engine.add_event_handler(Events.ITERATION_COMPLETED(every=k), handler)
    dt = _ignite_run(engine, cfg)
    return Result(dt, {"iterations": engine.state.iteration, **counts})


Runner = Callable[[Config], Result]

RUNNERS: dict[str, Runner] = {
    "raw/bare": raw_bare,
    "raw/docs": raw_docs,
    "raw/every20": raw_every20,
    "raw/every1000": raw_every1000,
    "ignite/bare": ignite_bare,
    "ignite/docs": ignite_docs,
    "ignite/every20": ignite_every20,
}

SCENARIO_ORDER = ["bare", "docs", "every20", "every1000"]


# ----------------------------------------------------------------------------------------------
# harness


def all_runners() -> dict[str, Runner]:
    """The raw and Ignite runners here and the foldloop ones of ``overhead_foldloop.py``."""
    from overhead_foldloop import RUNNERS as FOLDLOOP

    return {**RUNNERS, **FOLDLOOP}


def run_once(fn: Runner, cfg: Config) -> Result:
    gc.collect()  # start every timed run from the same heap state; GC stays enabled during the run
    res = fn(cfg)
    if res.counts.get("iterations") != cfg.iterations:
        raise AssertionError(
            f"{fn.__name__}: {res.counts.get('iterations')} iterations, expected {cfg.iterations}"
        )
    return res


def bench(
    runners: Mapping[str, Runner], cfg: Config, reps: int, warmup: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, int]]]:
    """Seconds of every timed run of every runner (interleaved, rotating order), and each
    scenario's handler-call counts (checked identical across the runners of the scenario)."""
    seconds: dict[str, list[float]] = {n: [] for n in runners}
    counts_by_scenario: dict[str, tuple[str, dict[str, int]]] = {}
    for rep in range(warmup + reps):
        for name in rotated(list(runners), rep):
            res = run_once(runners[name], cfg)
            scen = name.split("/", 1)[1]
            if scen in counts_by_scenario:
                ref_name, ref = counts_by_scenario[scen]
                if res.counts != ref:
                    raise AssertionError(f"{name} counts {res.counts} != {ref_name} counts {ref}")
            else:
                counts_by_scenario[scen] = (name, res.counts)
            if rep >= warmup:
                seconds[name].append(res.seconds)
        print(
            f"  overhead: rep {rep + 1}/{warmup + reps} done{' (warm-up)' if rep < warmup else ''}",
            file=sys.stderr,
        )
    return seconds, {scen: ref for scen, (_name, ref) in counts_by_scenario.items()}


def report(seconds: dict[str, list[float]], cfg: Config) -> str:
    n = cfg.iterations
    us = {name: [s / n * 1e6 for s in xs] for name, xs in seconds.items()}
    med = {name: summary(xs)[1] for name, xs in us.items()}
    raw_bare_med = med.get("raw/bare")

    def scen_key(name: str) -> tuple:
        lib, scen = name.split("/", 1)
        return (
            SCENARIO_ORDER.index(scen) if scen in SCENARIO_ORDER else 99,
            scen,
            lib != "raw",
            lib,
        )

    rows = []
    for name in sorted(us, key=scen_key):
        lo, md, hi = summary(us[name])
        _lib, scen = name.split("/", 1)
        raw_same = med.get(f"raw/{scen}")
        rows.append(
            [
                name,
                f"{lo:.3f}",
                f"{md:.3f}",
                f"{hi:.3f}",
                f"{md / raw_bare_med:.1f}x" if raw_bare_med else "-",
                f"{md / raw_same:.1f}x" if raw_same else "-",
                f"{md - raw_same:+.3f}" if raw_same else "-",
            ]
        )
    header = [
        "runner",
        "us/iter min",
        "us/iter median",
        "us/iter max",
        "ratio vs raw/bare",
        "ratio vs raw, same scenario",
        "overhead vs raw same scen. (us/iter)",
    ]
    return table(rows, header)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--epoch-length", type=int, default=5000)
    ap.add_argument(
        "--reps", type=int, default=11, help="timed repetitions of every runner (interleaved)"
    )
    ap.add_argument("--warmup", type=int, default=1, help="untimed interleaved repetitions first")
    ap.add_argument(
        "--only", nargs="*", help="runner names (or lib prefixes like 'ignite/') to run"
    )
    args = ap.parse_args()

    runners = all_runners()
    if args.only:
        runners = {
            n: fn for n, fn in runners.items() if any(n == o or n.startswith(o) for o in args.only)
        }
    cfg = Config(args.epochs, args.epoch_length)
    print("# overhead.py")
    print(" ".join(["command: python", *sys.argv]))
    for note in machine_notes():
        print(note)
    print(
        f"config: {cfg.epochs} epochs x {cfg.epoch_length} iterations = {cfg.iterations} per run; "
        f"{args.reps} timed reps (+{args.warmup} warm-up), interleaved in rotating order; "
        f"GC enabled, gc.collect() before each run; timer time.perf_counter around run only"
    )
    seconds, counts = bench(runners, cfg, args.reps, args.warmup)
    for scen, ref in sorted(counts.items()):
        shown: dict[str, int | None] = (
            dict(ref)
            if len(ref) <= 25
            else {
                "handlers": len(ref) - 1,
                "that fired": sum(1 for k, v in ref.items() if k != "iterations" and v),
                "calls": sum(v for k, v in ref.items() if k != "iterations"),
                "iterations": ref.get("iterations"),
            }
        )
        print(f"handler calls, {scen} (identical across runners): {shown}")
    print()
    print(report(seconds, cfg))


if __name__ == "__main__":
    main()
