"""Every comparison of foldloop against its reference, measured in one process, in one table.

    python benchmarks/bench.py            # the full run (``make bench``; a few minutes)
    python benchmarks/bench.py --quick    # a smoke run: every row, tiny sizes, numbers meaningless
    python benchmarks/bench.py --profile step   # cProfile top-20 of foldloop's digits training step
    python benchmarks/bench.py --only overhead evaluation   # only these sections' rows

Rows (the runners are in ``digits.py``, ``step.py``, ``evaluation.py``, ``overhead.py`` +
``overhead_foldloop.py``, ``memory_foldloop.py`` and ``resume_data.py``):

  step, digits job       ms per epoch (training + evaluation) of the digits example's job, one
                         torch thread: foldloop's ``supervised_trainer`` + ``adamw`` (then
                         ``sgd(momentum=0.9)``), without and with ``donate=True``, against the
                         plain loop with ``torch.optim.AdamW(fused=True)`` (``SGD(momentum=0.9,
                         fused=True)``). Target <= 1.05x.
  step, wide MLP         ms per step, 9.66M-parameter MLP, batch 64, AdamW: time <= 1.05x; and
                         peak memory <= 1.2x: each runner in its own fresh process, the peak
                         resident set size (VmHWM, which sees torch's allocator; reset after
                         the model is built) minus the RSS after the model and data are built,
                         i.e. the memory the training needs beyond the model itself.
  loop overhead          us per iteration of ``overhead.py``'s scenarios (trivial step, so the
                         time is the loop machinery): foldloop against Ignite 0.5's ``Engine``
                         (bare, the docs' six handlers: <= 1/8; 20 ``every(k)`` handlers:
                         <= 1/20), and 1000 rarely firing handlers within 1 us/iteration of
                         foldloop bare.
  evaluation             ms per evaluation (accuracy + mean loss), foldloop's evaluator with
                         ``Accuracy`` + ``Loss`` against the plain loop: the digits test split at
                         batch 32 (the example's model) <= 1.15x, and the digits train split at
                         batch 256 with a 1.1M-parameter MLP <= 1.05x; Ignite's
                         ``create_supervised_evaluator`` with the same metrics on both, for
                         contrast (no target).
  memory, run length     peak Python memory (tracemalloc) of a 10x longer run over the short
                         run's: flat (<= 1.1x) when no trace is kept.
  checkpoint             ms per write and per read of a trained state's checkpoint
                         (``foldloop.io.save``, ``load(like=...)``), the digits example's and the
                         9.66M-parameter MLP's, each with its AdamW state, against ``torch.save``
                         / ``torch.load`` of a dict of the same tensors in the same directory:
                         writes against ``torch.save`` + ``fsync`` (``save`` fsyncs, so the same
                         durability) and against ``torch.save`` alone; each <= 1.5x. A read
                         sums every tensor once on both sides.
  taps                   ms per epoch of the digits job (step rows' job, AdamW) with a progress
                         bar (rendering to a StringIO), a JSON Lines logger (every 10 iterations
                         and every epoch) and a profiler attached, over the same job without:
                         <= 1.03x; and us per iteration of a loop with six handlers over which a
                         profiler was attached and then detached, over the same never profiled:
                         <= 1.03x (detaching restores every call: nothing is left to pay).
  data, resume           ms to resume a run at the last batch of a pass (open the data there,
                         draw, step and count one batch) over the same at its first batch, on
                         10,016 items (313 full batches of 32): ``SeededBatches`` <= 1.2x (no
                         draw-and-discard); a plain ``DataLoader``, which draws and discards,
                         for contrast (no target).

Every timed runner of a row is repeated, interleaved with its reference in rotating order
(``gc.collect()`` before each); the table gives each side's minimum, their ratio (what the target
is checked on; for the 1000-handler row the difference) and the median of the paired ratios (each
repetition's time over its reference's in the same repetition). Timings run on one torch thread.
The memory rows are one measurement of each side.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checkpoint  # noqa: E402
import digits  # noqa: E402
import evaluation  # noqa: E402
import memory_foldloop  # noqa: E402
import overhead  # noqa: E402
import resume_data  # noqa: E402
import step  # noqa: E402
import taps  # noqa: E402
import torch  # noqa: E402
from _util import machine_notes, profile_table, rotated, table  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from foldloop.examples.digits_data import digits_loaders, mlp  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    """How much of each comparison to run."""

    digits_epochs: int = 2  # per timed run
    digits_reps: int = 30
    wide_steps: int = 4  # per timed run
    wide_reps: int = 10
    memory_steps: int = 4
    overhead_epochs: int = 5
    overhead_epoch_length: int = 5000
    overhead_reps: int = 11
    eval_calls: int = 5  # evaluations per timed run, digits test split
    eval_reps: int = 60
    big_eval_calls: int = 1
    big_eval_reps: int = 30
    run_length: int = 10_000  # the short run; the long one is 10x
    warmup: int = 1  # untimed interleaved repetitions before the timed ones
    taps_reps: int = 7  # of the digits job (digits_epochs each), with taps and without
    taps_iterations: int = 20_000  # per timed run of the profiler-detached row
    checkpoint_reps: int = 9  # the digits state's; the wide one's are a third of these
    resume_items: int = 10_016  # 313 full batches of 32
    resume_calls: int = 20  # resumes per timed run, SeededBatches
    resume_reps: int = 15
    contrast_calls: int = 2  # resumes per timed run, plain DataLoader (50 ms each at the end)
    contrast_reps: int = 5


QUICK = Sizes(
    1, 1, 1, 1, 2, 1, 1000, 1, 1, 1, 1, 1, 1000, 0,
    checkpoint_reps=1, resume_items=320, resume_calls=1, resume_reps=1, contrast_calls=1,
    contrast_reps=1, taps_reps=1, taps_iterations=100,
)  # fmt: skip

NA_DONATE = "n/a (no donate keyword)"


@dataclass
class Row:
    comparison: str
    reference: str
    ours: str
    theirs: str
    ratio: str
    paired: str
    target: str
    met: str


def interleaved(
    runs: Mapping[str, Callable[[], float]], reps: int, warmup: int, what: str
) -> dict[str, list[float]]:
    """Seconds of every timed repetition of every run, in rotating order."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for rep in range(warmup + reps):
        for name in rotated(list(runs), rep):
            gc.collect()
            dt = runs[name]()
            if rep >= warmup:
                seconds[name].append(dt)
        print(f"  {what}: rep {rep + 1}/{warmup + reps} done", file=sys.stderr)
    return seconds


def ratio_row(
    comparison: str,
    reference: str,
    ours: list[float],
    theirs: list[float],
    scale: float,
    unit: str,
    target: float,
    target_text: str,
) -> Row:
    """A row comparing minimums (``scale`` turns seconds into ``unit``); met when
    min(ours) / min(theirs) <= target."""
    ratio = min(ours) / min(theirs)
    paired = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
    return Row(
        comparison,
        reference,
        f"{min(ours) * scale:.3f} {unit}",
        f"{min(theirs) * scale:.3f} {unit}",
        f"{ratio:.3f}x",
        f"{paired:.3f}x",
        target_text,
        "met" if ratio <= target else "NOT met",
    )


def na_row(comparison: str, reference: str, target_text: str) -> Row:
    return Row(comparison, reference, NA_DONATE, "-", "-", "-", target_text, "n/a")


# -- step rows -------------------------------------------------------------------------------------


def digits_rows(sizes: Sizes, accuracies: dict[str, float]) -> list[Row]:
    optimizers = {
        "AdamW": (step.torch_adamw, step.foldloop_adamw, "torch AdamW(fused=True) loop"),
        "SGD momentum 0.9": (
            step.torch_sgd,
            step.foldloop_sgd,
            "torch SGD(momentum=0.9, fused=True) loop",
        ),
    }
    runners: dict[str, digits.DigitsRunner] = {}
    for opt, (torch_opt, foldloop_opt, _ref) in optimizers.items():
        runners[f"torch {opt}"] = digits.digits_plain(torch_opt)
        runners[f"foldloop {opt}"] = digits.digits_foldloop(foldloop_opt, donate=False)
        if step.HAS_DONATE:
            runners[f"foldloop {opt}, donate"] = digits.digits_foldloop(foldloop_opt, donate=True)

    def timed(name: str) -> Callable[[], float]:
        def run() -> float:
            seconds, accuracies[name] = runners[name](sizes.digits_epochs)
            return seconds

        return run

    seconds = interleaved({n: timed(n) for n in runners}, sizes.digits_reps, sizes.warmup, "digits")
    per_epoch = 1e3 / sizes.digits_epochs
    rows = []
    for opt, (_t, _f, ref) in optimizers.items():
        for donate in (False, True):
            label = f"Step, digits job, {opt}{', donate=True' if donate else ''} (per epoch)"
            name = f"foldloop {opt}{', donate' if donate else ''}"
            if name not in seconds:
                rows.append(na_row(label, ref, "<= 1.05x"))
                continue
            rows.append(
                ratio_row(
                    label,
                    ref,
                    seconds[name],
                    seconds[f"torch {opt}"],
                    per_epoch,
                    "ms",
                    1.05,
                    "<= 1.05x",
                )
            )
    return rows


def start_memory_children(sizes: Sizes) -> dict[str, subprocess.Popen[str]]:
    return {
        name: subprocess.Popen(
            [sys.executable, str(HERE / "step.py"), name, str(sizes.memory_steps)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in step.WIDE_RUNNERS
    }


def memory_results(children: dict[str, subprocess.Popen[str]]) -> dict[str, float]:
    """Each runner's peak RSS above its baseline, MiB."""
    extra = {}
    for name, child in children.items():
        out, _ = child.communicate()
        if child.returncode:
            raise RuntimeError(f"memory child {name!r} failed ({child.returncode})")
        reading = json.loads(out.strip().splitlines()[-1])
        extra[name] = reading["peak_mib"] - reading["baseline_mib"]
    return extra


def wide_rows(sizes: Sizes, memory: dict[str, float]) -> list[Row]:
    batches = step.wide_batches(sizes.wide_steps)

    def timed(runner: step.WideRunner) -> Callable[[], float]:
        return lambda: runner(step.wide_model(), batches)

    seconds = interleaved(
        {n: timed(r) for n, r in step.WIDE_RUNNERS.items()}, sizes.wide_reps, sizes.warmup, "wide"
    )
    ref_name = "torch AdamW(fused)"
    ref = "torch AdamW(fused=True) loop"
    rows = []
    for donate in (False, True):
        suffix = ", donate=True" if donate else ""
        name = "foldloop adamw" + (", donate" if donate else "")
        time_label = f"Step, 9.66M-param MLP, AdamW{suffix} (time per step)"
        mem_label = f"Step, 9.66M-param MLP, AdamW{suffix} (peak RSS above model)"
        if name not in seconds:
            rows += [na_row(time_label, ref, "<= 1.05x"), na_row(mem_label, ref, "<= 1.2x")]
            continue
        rows.append(
            ratio_row(
                time_label,
                ref,
                seconds[name],
                seconds[ref_name],
                1e3 / sizes.wide_steps,
                "ms",
                1.05,
                "<= 1.05x",
            )
        )
        mem_ratio = memory[name] / memory[ref_name]
        rows.append(
            Row(
                mem_label,
                ref,
                f"{memory[name]:.0f} MiB",
                f"{memory[ref_name]:.0f} MiB",
                f"{mem_ratio:.3f}x",
                "-",
                "<= 1.2x",
                "met" if mem_ratio <= 1.2 else "NOT met",
            )
        )
    return rows


# -- loop overhead rows ----------------------------------------------------------------------------

OVERHEAD_TARGETS = {  # scenario -> (label, the largest foldloop/Ignite ratio, its text)
    "bare": ("Loop overhead, bare", 1 / 8, "<= 1/8 (0.125x)"),
    "docs": ("Loop overhead, the docs' six handlers", 1 / 8, "<= 1/8 (0.125x)"),
    "every20": ("Loop overhead, 20 every(k) handlers", 1 / 20, "<= 1/20 (0.050x)"),
}


def overhead_rows(sizes: Sizes) -> list[Row]:
    names = [f"{lib}/{scen}" for scen in OVERHEAD_TARGETS for lib in ("foldloop", "ignite")]
    names.append("foldloop/every1000")
    runners = {name: overhead.all_runners()[name] for name in names}
    cfg = overhead.Config(sizes.overhead_epochs, sizes.overhead_epoch_length)
    seconds, _counts = overhead.bench(runners, cfg, sizes.overhead_reps, sizes.warmup)
    per_iter = 1e6 / cfg.iterations
    rows = [
        ratio_row(
            label,
            "Ignite 0.5.5 Engine",
            seconds[f"foldloop/{scen}"],
            seconds[f"ignite/{scen}"],
            per_iter,
            "us/iter",
            target,
            text,
        )
        for scen, (label, target, text) in OVERHEAD_TARGETS.items()
    ]
    many, bare = seconds["foldloop/every1000"], seconds["foldloop/bare"]
    diff = (min(many) - min(bare)) * per_iter
    paired = statistics.median(m - b for m, b in zip(many, bare, strict=True)) * per_iter
    rows.append(
        Row(
            "Loop overhead, 1000 rarely firing every(k) handlers",
            "foldloop bare",
            f"{min(many) * per_iter:.3f} us/iter",
            f"{min(bare) * per_iter:.3f} us/iter",
            f"{diff:+.3f} us/iter",
            f"{paired:+.3f} us/iter",
            "<= +1 us/iter",
            "met" if diff <= 1.0 else "NOT met",
        )
    )
    return rows


# -- evaluation rows -------------------------------------------------------------------------------


def eval_rows(
    label: str,
    model: nn.Module,
    data: DataLoader[evaluation.Batch],
    calls: int,
    reps: int,
    warmup: int,
    target: float,
    target_text: str,
) -> list[Row]:
    """foldloop's row against the plain loop, and Ignite's against it for contrast."""
    runs = {
        "plain": evaluation.make_plain(model),
        "foldloop": evaluation.make_foldloop(model),
        "ignite": evaluation.make_ignite(model),
    }
    plain_scores = runs["plain"](data)
    for name in ("foldloop", "ignite"):
        scores = runs[name](data)
        if abs(plain_scores[0] - scores[0]) > 1e-9 or abs(plain_scores[1] - scores[1]) > 1e-4:
            raise AssertionError(f"{label}: plain {plain_scores} != {name} {scores}")

    def timed(run: evaluation.Evaluate) -> Callable[[], float]:
        def repeat() -> float:
            t0 = time.perf_counter()
            for _ in range(calls):
                run(data)
            return time.perf_counter() - t0

        return repeat

    seconds = interleaved({n: timed(r) for n, r in runs.items()}, reps, warmup, "evaluation")
    ours, contrast = (
        ratio_row(
            f"{label}{suffix}",
            "plain torch evaluation loop",
            seconds[name],
            seconds["plain"],
            1e3 / calls,
            "ms",
            target,
            target_text,
        )
        for name, suffix in (
            ("foldloop", ""),
            ("ignite", ": Ignite's evaluator in foldloop's place"),
        )
    )
    contrast.target, contrast.met = "none (for contrast)", "n/a"
    return [ours, contrast]


def evaluation_rows(sizes: Sizes) -> list[Row]:
    train, test = digits_loaders(step.SEED)
    torch.manual_seed(step.SEED)
    big = nn.Sequential(
        nn.Linear(64, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)
    )
    assert sum(p.numel() for p in big.parameters()) >= 1_000_000
    train_256: DataLoader[evaluation.Batch] = DataLoader(train.dataset, batch_size=256)
    return [
        *eval_rows(
            "Evaluation, digits test split, batch 32, Accuracy + Loss",
            mlp(step.SEED),
            test,
            sizes.eval_calls,
            sizes.eval_reps,
            sizes.warmup,
            1.15,
            "<= 1.15x",
        ),
        *eval_rows(
            "Evaluation, 1.1M-param MLP, batch 256 (digits train split), Accuracy + Loss",
            big,
            train_256,
            sizes.big_eval_calls,
            sizes.big_eval_reps,
            sizes.warmup,
            1.05,
            "<= 1.05x",
        ),
    ]


# -- memory over the run's length ------------------------------------------------------------------


def run_length_rows(sizes: Sizes) -> list[Row]:
    short, long = sizes.run_length, 10 * sizes.run_length
    rows = []
    for name, runner in memory_foldloop.RUNNERS.items():
        base = memory_foldloop.peak_kib(runner, short)
        kib = memory_foldloop.peak_kib(runner, long)
        rows.append(
            Row(
                f"Memory over a run's length, {name}: 10x the iterations (peak tracemalloc)",
                f"the same loop, {short:,} iterations",
                f"{kib:.1f} KiB ({long:,} it.)",
                f"{base:.1f} KiB",
                f"{kib / base:.3f}x",
                "-",
                "<= 1.1x (flat)",
                "met" if kib / base <= 1.1 else "NOT met",
            )
        )
    return rows


# -- checkpoints -----------------------------------------------------------------------------------

CHECKPOINT_TARGET = (1.5, "<= 1.5x")


def checkpoint_rows(sizes: Sizes, megabytes: dict[str, float]) -> list[Row]:
    generator = torch.Generator().manual_seed(step.SEED)
    digits_batch = (torch.randn(32, 64, generator=generator), torch.randint(0, 10, (32,)))
    states = {
        "digits job state": (mlp(step.SEED), digits_batch, sizes.checkpoint_reps),
        "9.66M-param MLP + AdamW state": (
            step.wide_model(),
            step.wide_batches(1)[0],
            max(1, sizes.checkpoint_reps // 3),
        ),
    }
    rows = []
    for label, (model, batch, reps) in states.items():
        runners = checkpoint.Runners(checkpoint.trained(model, batch))
        try:
            runs = {
                "save": runners.save_foldloop,
                "torch.save + fsync": runners.save_torch_fsync,
                "torch.save": runners.save_torch,
                "load": runners.load_foldloop,
                "torch.load": runners.load_torch,
            }
            seconds = interleaved(runs, reps, sizes.warmup, f"checkpoint, {label}")
        finally:
            runners.close()
        megabytes[label] = runners.megabytes
        for name, ref, reference in (
            ("write", "torch.save + fsync", "torch.save + fsync of the same tensors"),
            ("write", "torch.save", "torch.save of the same tensors (no fsync)"),
            ("read", "torch.load", "torch.load of the same tensors"),
        ):
            ours = seconds["save" if name == "write" else "load"]
            suffix = ", reference without fsync" if ref == "torch.save" else ""
            rows.append(
                ratio_row(
                    f"Checkpoint {name}, {label}{suffix}",
                    reference,
                    ours,
                    seconds[ref],
                    1e3,
                    "ms",
                    *CHECKPOINT_TARGET,
                )
            )
    return rows


# -- resuming data ---------------------------------------------------------------------------------


def resume_rows(sizes: Sizes) -> list[Row]:
    data = resume_data.dataset(sizes.resume_items)
    last = -(-sizes.resume_items // resume_data.BATCH_SIZE) - 1
    rows = []
    for seeded, calls, reps in (
        (True, sizes.resume_calls, sizes.resume_reps),
        (False, sizes.contrast_calls, sizes.contrast_reps),
    ):
        runs = {
            "last": resume_data.resumer(data, last, calls, seeded),
            "first": resume_data.resumer(data, 0, calls, seeded),
        }
        seconds = interleaved(runs, reps, sizes.warmup, "resume")
        label = (
            "Data, resume SeededBatches at a pass's last batch"
            if seeded
            else "Data, resume a plain DataLoader at a pass's last batch (draw-and-discard)"
        )
        row = ratio_row(
            label,
            "the same at its first batch",
            seconds["last"],
            seconds["first"],
            1e3 / calls,
            "ms",
            1.2,
            "<= 1.2x (no draw-and-discard)",
        )
        if not seeded:
            row.target, row.met = "none (for contrast)", "n/a"
        rows.append(row)
    return rows


# -- profile ---------------------------------------------------------------------------------------


def profile_step(donate: bool, epochs: int = 3, top: int = 20) -> None:
    """cProfile of foldloop's trainer on the digits job (AdamW, no evaluation)."""
    if donate and not step.HAS_DONATE:
        raise SystemExit("supervised_trainer has no donate keyword")
    train, _ = digits_loaders(step.SEED)
    step.foldloop_train(mlp(step.SEED), step.foldloop_adamw(), donate, train, 1)  # warm up
    model = mlp(step.SEED)
    prof = cProfile.Profile()
    gc.collect()
    prof.enable()
    seconds = step.foldloop_train(model, step.foldloop_adamw(), donate, train, epochs)
    prof.disable()
    iterations = epochs * len(train)
    print(
        f"cProfile of foldloop's digits training step (supervised_trainer + adamw"
        f"{', donate=True' if donate else ''}, batch 32, one torch thread): {epochs} epochs = "
        f"{iterations} iterations; profiled wall {seconds * 1e3 / iterations:.1f} ms/iter "
        f"(the profiler inflates this); top {top} by own time"
    )
    print(profile_table(prof, iterations, top))


# -- taps rows -------------------------------------------------------------------------------------


def taps_rows(sizes: Sizes) -> list[Row]:
    jobs = {"tapped": taps.digits_job(taps.TAPS), "bare": taps.digits_job(())}
    seconds = interleaved(
        {name: (lambda job=job: job(sizes.digits_epochs)) for name, job in jobs.items()},
        sizes.taps_reps,
        sizes.warmup,
        "taps, digits",
    )
    loops = {
        name: taps.trivial_loop(name == "detached", sizes.taps_iterations)
        for name in ("detached", "never")
    }
    detached = interleaved(loops, sizes.taps_reps, sizes.warmup, "taps, profiler detached")
    per_epoch = 1e3 / sizes.digits_epochs
    per_iteration = 1e6 / sizes.taps_iterations
    return [
        ratio_row(
            "Taps, digits job, progress bar + JSON Lines + profiler (per epoch)",
            "the same job without taps",
            seconds["tapped"],
            seconds["bare"],
            per_epoch,
            "ms",
            1.03,
            "<= 1.03x",
        ),
        ratio_row(
            "Taps, profiler attached then detached, six handlers (per iteration)",
            "the same loop, never profiled",
            detached["detached"],
            detached["never"],
            per_iteration,
            "us",
            1.03,
            "<= 1.03x",
        ),
    ]


T = TypeVar("T")

# The sections in the table's order (the step rows first, as the targets are listed).
SECTIONS = [
    "digits",
    "wide",
    "overhead",
    "evaluation",
    "run length",
    "checkpoint",
    "resume",
    "taps",
]


def section(name: str, measure: Callable[[], T]) -> T:
    """``measure()``, saying on stderr how long it took."""
    t0 = time.perf_counter()
    result = measure()
    print(f"{name} took {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return result


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="a smoke run: every row, tiny sizes")
    ap.add_argument(
        "--profile",
        choices=["step", "step-donate"],
        help="print a cProfile top-20 of foldloop's digits training step instead",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        help="measure only these sections (each is measured as in the full run)",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    if args.profile:
        profile_step(donate=args.profile == "step-donate")
        return

    sizes = QUICK if args.quick else Sizes()
    # The imports' ~300k objects are never garbage: frozen, they are left out of every
    # collection, so the gc.collect() before each timed repetition takes milliseconds, not
    # ~0.5 s (GC stays enabled during the runs, for every runner alike).
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    print("# bench.py" + (" --quick (smoke run: the numbers mean nothing)" if args.quick else ""))
    for note in machine_notes():
        print(note)
    print(
        f"torch threads {torch.get_num_threads()}; supervised_trainer donate keyword: "
        f"{'yes' if step.HAS_DONATE else 'no'}; {sizes}"
    )
    wanted = set(args.only or SECTIONS)
    children = start_memory_children(sizes) if "wide" in wanted else {}
    # The memory children finish before any timing starts, so that they do not disturb it;
    # in --quick they run alongside the rest (its numbers mean nothing), to keep it short.
    memory: dict[str, float] = {}
    if children and not args.quick:
        memory = section("memory", lambda: memory_results(children))
    accuracies: dict[str, float] = {}

    def wide() -> list[Row]:
        if not memory:  # --quick: the children ran alongside the other sections
            memory.update(memory_results(children))
        return wide_rows(sizes, memory)

    megabytes: dict[str, float] = {}
    measures: dict[str, Callable[[], list[Row]]] = {
        "digits": lambda: digits_rows(sizes, accuracies),
        "overhead": lambda: overhead_rows(sizes),
        "evaluation": lambda: evaluation_rows(sizes),
        "run length": lambda: run_length_rows(sizes),
        "checkpoint": lambda: checkpoint_rows(sizes, megabytes),
        "resume": lambda: resume_rows(sizes),
        "wide": wide,
        "taps": lambda: taps_rows(sizes),
    }
    measured = {name: section(name, run) for name, run in measures.items() if name in wanted}
    rows = [row for name in SECTIONS for row in measured.get(name, [])]
    print()
    print(
        table(
            [
                [r.comparison, r.reference, r.ours, r.theirs, r.ratio, r.paired, r.target, r.met]
                for r in rows
            ],
            [
                "comparison",
                "reference",
                "foldloop (min)",
                "reference (min)",
                "ratio",
                "paired ratio (median)",
                "target",
                "met",
            ],
        )
    )
    print()
    print(
        "digits job, last test accuracy: "
        + ", ".join(f"{n} {a:.4f}" for n, a in accuracies.items())
    )
    print(
        "wide MLP, peak RSS above model (MiB): "
        + ", ".join(f"{n} {m:.0f}" for n, m in memory.items())
    )
    print(
        "checkpoints, tensor bytes: " + ", ".join(f"{n} {mb:.1f} MB" for n, mb in megabytes.items())
    )
    print(f"bench.py took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
