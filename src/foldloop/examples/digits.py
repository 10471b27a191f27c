"""Train an MLP on scikit-learn's digits, evaluating on a held-out fifth after every epoch.

    python -m foldloop.examples.digits [--epochs N] [--run-dir DIR] [--checkpoint-dir DIR]
                                       [--checkpoint-every K]

Every piece of foldloop is in sight: a pure trainer loop built from an ``nn.Module``, a pure
optimizer, handlers that keep what they remember in typed slots of the state, an evaluator
run from a handler, early stopping and a non-finite guard, a progress bar, taps that print,
and (with ``--checkpoint-dir`` or ``--run-dir``) a checkpoint tap and a resume. ``--run-dir DIR``
also receives ``log.jsonl`` (a JSON Lines log), ``curves.png`` (the curves drawn from it) and
``timeline.png`` (the events and handlers of a short run of the same trainer, from its
trace). The module passed to the trainer is never changed; the trained weights are in the
final state (``load_into`` puts them into a module). The last line is the final state's digest: the
same whether the job ran in one go or was stopped (Ctrl-C, ``kill -9``) and rerun any number
of times with the same checkpoint directory.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from foldloop import (
    EpochCompleted,
    EpochStarted,
    Event,
    Interrupted,
    IterationCompleted,
    Loop,
    RunInterrupted,
    Slot,
    Started,
    State,
    Terminated,
    Trigger,
    every,
    on,
)
from foldloop.data import SeededBatches
from foldloop.distributed import (
    average_gradients,
    broadcast_buffers,
    broadcast_state,
    failures_reported,
    init_from_env,
    is_main,
    item_weighted,
    shard,
    world_size,
)
from foldloop.handlers import (
    Checkpoints,
    EarlyStopping,
    JsonLines,
    ProgressBar,
    TerminateOnNonFinite,
)
from foldloop.io import digest, resume
from foldloop.metrics import Accuracy, Loss
from foldloop.metrics import evaluate as evaluate_metrics
from foldloop.plot import curves, record, timeline
from foldloop.train import (
    Batch,
    TrainState,
    adamw,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)
from foldloop.tree import register_attrs

SEED = 0
EPOCHS = 10
OPTIMIZER = adamw(lr=1e-3)  # pure: its state lives in each run's TrainState


@register_attrs  # a node of the state's tree, so that checkpoints can hold it
@attrs.frozen
class Scores:
    """Accuracy and mean cross-entropy over a data set.

    Example:
        >>> Scores(accuracy=0.5, loss=1.25)
        Scores(accuracy=0.5, loss=1.25)
    """

    accuracy: float
    loss: float


TRAIN_LOSS: Slot[tuple[float, int]] = Slot("train_loss", (0.0, 0))  # sum and count this epoch
TEST_SCORES: Slot[Scores] = Slot("test_scores")


def digits_loaders(seed: int, batch_size: int = 32) -> tuple[Iterable[Batch], Iterable[Batch]]:
    """Train and test batches: pixels / 16, a stratified 80/20 split, train shuffled by ``seed``.

    The train batches are a `SeededBatches`: each epoch's order is a function of the seed and
    the epoch, so a run resumed mid-epoch draws the same batches as one never stopped.

    Example:
        >>> train, test = digits_loaders(seed=0)
        >>> x, y = next(iter(test))
        >>> tuple(x.shape), y.dtype
        ((32, 64), torch.int64)
    """
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=seed, stratify=digits.target
    )

    def dataset(x: object, y: object) -> TensorDataset:
        return TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y))

    train: SeededBatches[Batch] = SeededBatches(dataset(x_train, y_train), batch_size, seed=seed)
    return train, DataLoader(dataset(x_test, y_test), batch_size)


def mlp(seed: int) -> nn.Module:
    """A 64-128-128-10 ReLU network whose initial weights are drawn from ``seed``.

    Example:
        >>> sum(p.numel() for p in mlp(seed=0).parameters())
        26122
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
        )


def evaluate(
    evaluator: Loop[TrainState, Batch], trained: TrainState, data: Iterable[Batch]
) -> Scores:
    """Accuracy and mean loss of ``trained``'s weights, from the evaluator's ``(y_pred, y)``.

    The metrics are folds over the evaluator's outputs (``foldloop.metrics``), attached for
    this one evaluation.

    Example:
        >>> model = mlp(seed=0)
        >>> untrained = init_train_state(model, adamw())
        >>> scores = evaluate(supervised_evaluator(model), untrained, digits_loaders(0)[1])
        >>> scores.accuracy < 0.5
        True
    """
    values = evaluate_metrics(
        evaluator,
        trained,
        data,
        output_of=lambda value: value.output,
        accuracy=Accuracy(),
        loss=Loss(F.cross_entropy),
    )
    return Scores(accuracy=float(values["accuracy"]), loss=float(values["loss"]))


def reset_train_loss(state: State[TrainState]) -> State[TrainState]:
    """Start the epoch's running loss from nothing (a handler on ``EpochStarted``).

    Example:
        >>> state = State(value=TrainState({}, {}, ())).put(TRAIN_LOSS, (3.5, 7))
        >>> reset_train_loss(state).get(TRAIN_LOSS)
        (0.0, 0)
    """
    return state.put(TRAIN_LOSS, (0.0, 0))


def add_train_loss(state: State[TrainState]) -> State[TrainState]:
    """Add the step's loss to the epoch's running loss (a handler on ``IterationCompleted``).

    Example:
        >>> add_train_loss(State(value=TrainState({}, {}, (), output=0.25))).get(TRAIN_LOSS)
        (0.25, 1)
    """
    total, count = state.get(TRAIN_LOSS)
    return state.put(TRAIN_LOSS, (total + state.value.output, count + 1))


def record_test_scores(
    state: State[TrainState], evaluator: Loop[TrainState, Batch], test: Iterable[Batch]
) -> State[TrainState]:
    """Evaluate the current weights and keep the scores (a handler on ``EpochCompleted``).

    Example:
        >>> model, (_, test) = mlp(seed=0), digits_loaders(seed=0)
        >>> state = State(value=init_train_state(model, adamw()))
        >>> evaluator = supervised_evaluator(model)
        >>> record_test_scores(state, evaluator, test).get(TEST_SCORES).accuracy < 0.5
        True
    """
    return state.put(TEST_SCORES, evaluate(evaluator, state.value, test))


def table_row(state: State[TrainState]) -> str:
    """One line of the per-epoch table.

    Example:
        >>> state = State(value=TrainState({}, {}, ()), epoch=3).put(TRAIN_LOSS, (1.0, 4))
        >>> table_row(state.put(TEST_SCORES, Scores(accuracy=0.9, loss=0.3)))
        '    3      0.2500     0.3000    0.9000'
    """
    total, count = state.get(TRAIN_LOSS)
    scores = state.get(TEST_SCORES)
    train_loss = total / count
    return f"{state.epoch:>5}  {train_loss:>10.4f}  {scores.loss:>9.4f}  {scores.accuracy:>8.4f}"


def trainer_loop(
    model: nn.Module,
    log: Callable[[str], object],
    test_data: Iterable[Batch],
    *,
    distributed: bool = False,
) -> Loop[TrainState, Batch]:
    """The trainer with its handlers and taps: `OPTIMIZER`, the epoch's running loss, a test
    evaluation after every epoch, early stopping on the test loss (patience 3), a stop on a
    non-finite loss (which warns), a progress bar (on a terminal) and a table row per epoch.

    The trainer donates each state to the next step (``donate=True``): no handler keeps an
    earlier state, so the weights and AdamW's moments are updated in place. With
    ``distributed`` each rank's loss is weighted by its share of the global batch
    (``foldloop.distributed.item_weighted``), the gradients are averaged across the process
    group (``foldloop.distributed.average_gradients``) and rank 0's buffers are broadcast after
    each step (``broadcast_buffers``). The progress bar shows on rank 0 only (its ``rank``
    argument, 0 by default); the table goes to ``log``, which `main` makes quiet on the other
    ranks. Every rank evaluates the whole test split with the same weights, so every rank's early
    stopping decides alike.

    Example:
        >>> trainer = trainer_loop(mlp(seed=0), print, digits_loaders(seed=0)[1])
        >>> trainer.has(reset_train_loss, EpochStarted)
        True
    """
    # donate: the job keeps no earlier state, so each step updates the weights in place.
    reduce = average_gradients if distributed else None
    # Weighted by each rank's item count: slices of 15 and 14 of a last batch of 29 give the
    # exact mean over the 29.
    loss = item_weighted(F.cross_entropy) if distributed else F.cross_entropy
    trainer = supervised_trainer(model, OPTIMIZER, loss, donate=True, reduce_grads=reduce)
    if distributed:  # rank 0's buffers on every rank after each step (this MLP has none)
        trainer.attach(IterationCompleted, broadcast_buffers)
    trainer.attach(EpochStarted, reset_train_loss)
    trainer.attach(IterationCompleted, add_train_loss)
    trainer.attach(EpochCompleted, record_test_scores, supervised_evaluator(model), test_data)
    trainer.attach(EpochCompleted, EarlyStopping(test_loss, patience=3, mode="min"))
    guard = TerminateOnNonFinite(train_loss)
    trainer.attach(IterationCompleted, guard)
    trainer.tap(Terminated, guard.warn)
    # rank=0: in a process group, rank 0 alone shows it; quiet unless stderr is a terminal.
    ProgressBar({"loss": train_loss}, rank=0).attach(trainer)
    trainer.tap(Started, lambda: log("epoch  train loss  test loss  test acc"))
    trainer.tap(EpochCompleted, lambda state: log(table_row(state)))
    return trainer


def train_loss(state: State[TrainState]) -> float:
    """The last step's loss.

    Example:
        >>> train_loss(State(TrainState({}, {}, (), output=0.5)))
        0.5
    """
    loss: float = state.value.output
    return loss


def test_loss(state: State[TrainState]) -> float:
    """The last evaluation's mean loss on the test split.

    Example:
        >>> test_loss(State(TrainState({}, {}, ())).put(TEST_SCORES, Scores(0.5, 0.25)))
        0.25
    """
    return state.get(TEST_SCORES).loss


def train(
    epochs: int = EPOCHS,
    seed: int = SEED,
    log: Callable[[str], object] = print,
    checkpoint_dir: Path | None = None,
    checkpoint_every: int | None = None,
    log_file: Path | None = None,
) -> State[TrainState]:
    """Train the MLP with AdamW, logging a row of train loss and test scores per epoch.

    With ``checkpoint_dir``, the run starts from the newest good checkpoint there (when there is
    one) and writes one every ``checkpoint_every`` iterations, after every epoch and when Ctrl-C
    stops it; the two newest are kept. With ``log_file``, a JSON Lines log receives the train
    loss every 5 iterations (tag ``train``) and the test scores after every epoch (tag
    ``eval``); a resumed run appends to it.

    Under ``torchrun`` (``WORLD_SIZE`` > 1) each process joins the group, takes its slice of
    each global batch of 32 (``foldloop.distributed.shard``; the last batch of 29 is split 15
    and 14, ``uneven="split"``), starts from rank 0's state and averages its gradients weighted
    by item counts, so that its final state is the one-process run's up to rounding;
    the log, the table, the progress bar and the checkpoints are written by rank 0 only, and
    every rank resumes from the same checkpoint.

    Example:
        >>> final = train(epochs=1, log=lambda line: None)
        >>> final.epoch, final.value.step, final.get(TEST_SCORES).accuracy > 0.8
        (1, 45, True)
    """
    distributed = init_from_env()
    with failures_reported():  # a rank that raises is named in the others' errors
        return _train(distributed, epochs, seed, log, checkpoint_dir, checkpoint_every, log_file)


def _train(
    distributed: bool,
    epochs: int,
    seed: int,
    log: Callable[[str], object],
    checkpoint_dir: Path | None,
    checkpoint_every: int | None,
    log_file: Path | None,
) -> State[TrainState]:
    train_data, test_data = digits_loaders(seed)
    if distributed:
        assert isinstance(train_data, SeededBatches)  # digits_loaders' train batches
        train_data = shard(train_data, uneven="split")
    model = mlp(seed)
    trainer = trainer_loop(model, log, test_data, distributed=distributed)
    initial = State(broadcast_state(init_train_state(model, OPTIMIZER, seed)))
    # The taps that write files run on rank 0 alone in a process group (rank=0, the default).
    if log_file is not None:
        train_log = JsonLines(log_file, {"loss": train_loss}, rank=0)
        train_log.attach(trainer, on(IterationCompleted, every(5)))
        test_scores = {"loss": test_loss, "accuracy": lambda s: s.get(TEST_SCORES).accuracy}
        JsonLines(log_file, test_scores, tag="eval", rank=0).attach(trainer, EpochCompleted)
    if checkpoint_dir is not None:
        checkpoints = Checkpoints(checkpoint_dir, keep_last=2, rank=0)
        trigger: Trigger[Event] = on(EpochCompleted) | on(Interrupted)
        if checkpoint_every is not None:
            trigger = trigger | on(IterationCompleted, every(checkpoint_every))
        trainer.tap(trigger, checkpoints)
        # Every rank reads; rank 0 writes no earlier than its first step, which waits for all.
        resumed = resume(checkpoint_dir, like=initial)
        if resumed is not None:
            log(f"resuming from {checkpoint_dir} at epoch {resumed.epoch}, "
                f"iteration {resumed.iteration}")  # fmt: skip
            initial = resumed
    return trainer.run(initial, train_data, max_epochs=epochs)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the job and print the table, then the final state's digest
    (``python -m foldloop.examples.digits --help``).

    One torch thread: the model is so small that intra-op threads cost more than they buy (and
    the digest is promised bit for bit for one thread count).

    Example (not run as a doctest: it prints wall time and sets torch's thread count for the
    process; ``tests/train/test_train_digits_example.py`` runs the job and checks its table):
        >>> main([])  # doctest: +SKIP
        epoch  train loss  test loss  test acc
            1      1.9721     1.3719    0.8333
        ...
           10      0.0876     0.1521    0.9528
        test accuracy 0.9528 after 10 epochs in 0.6 s
        state digest: b7d9b97c...
    """
    parser = _arguments()
    args = parser.parse_args(argv)
    checkpoint_dir: Path | None = args.checkpoint_dir
    run_dir: Path | None = args.run_dir
    if args.checkpoint_every is not None and checkpoint_dir is None and run_dir is None:
        parser.error("--checkpoint-every needs --checkpoint-dir DIR or --run-dir DIR")
    if run_dir is not None:
        run_dir.mkdir(parents=True, exist_ok=True)
        checkpoint_dir = checkpoint_dir or run_dir / "checkpoints"
    torch.set_num_threads(1)
    start = time.perf_counter()
    log_file = None if run_dir is None else run_dir / "log.jsonl"
    # Under torchrun (WORLD_SIZE > 1) rank 0 alone prints; train() joins the group.
    out = print if os.environ.get("RANK", "0") == "0" else _quiet
    try:
        final = train(args.epochs, SEED, out, checkpoint_dir, args.checkpoint_every, log_file)
    except RunInterrupted as stopped:
        saved = "saved in the checkpoint directory" if checkpoint_dir else "not saved"
        print(f"interrupted at epoch {stopped.state.epoch}, iteration "
              f"{stopped.state.iteration} ({saved})", file=sys.stderr)  # fmt: skip
        sys.exit(130)  # what a shell reports for a program stopped by Ctrl-C
    accuracy = final.get(TEST_SCORES).accuracy
    seconds = time.perf_counter() - start
    processes = "" if world_size() == 1 else f" on {world_size()} processes"
    out(f"test accuracy {accuracy:.4f} after {final.epoch} epochs{processes} in {seconds:.1f} s")
    if run_dir is not None and is_main():
        out(f"wrote {', '.join(map(str, draw_pictures(run_dir)))}")
    out(f"state digest: {digest(final)}")


def _quiet(line: str) -> None:
    """A rank other than 0 prints nothing."""


def draw_pictures(run_dir: Path) -> tuple[Path, Path]:
    """Draw ``run_dir/curves.png`` from ``run_dir/log.jsonl``, and ``run_dir/timeline.png``:
    the events of a run of 2 epochs of 4 iterations of the job's trainer, and which of its
    handlers and taps fired at each.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = train(epochs=1, log=lambda line: None, log_file=folder / "log.jsonl")
        >>> [path.name for path in draw_pictures(folder)]
        ['curves.png', 'timeline.png']
    """
    curves_png = curves(run_dir / "log.jsonl", run_dir / "curves.png", title="digits")
    train_data, test_data = digits_loaders(SEED)
    model = mlp(SEED)
    short = record(
        trainer_loop(model, lambda line: None, test_data),
        State(init_train_state(model, OPTIMIZER, SEED)),
        train_data,
        max_epochs=2,
        epoch_length=4,
    )
    return curves_png, timeline(short, run_dir / "timeline.png", title="digits trainer")


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m foldloop.examples.digits", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--epochs", type=_positive, default=EPOCHS, help="epochs to train")
    parser.add_argument(
        "--run-dir",
        type=_directory,
        default=None,
        help="write log.jsonl, curves.png, timeline.png here, and checkpoints in DIR/checkpoints",
    )
    parser.add_argument(
        "--checkpoint-dir",
        type=_directory,
        default=None,
        help="resume from the newest checkpoint here, and write checkpoints here",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=_positive,
        default=None,
        metavar="K",
        help="also write a checkpoint every K iterations (needs --checkpoint-dir)",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a whole number >= 1, got {text!r}")
    return value


def _directory(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; give a directory (made if missing)")
    existing = next(p for p in (path.absolute(), *path.absolute().parents) if p.exists())
    if not os.access(existing, os.W_OK):
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot be written to; give a writable directory"
        )
    return path


if __name__ == "__main__":
    # Run the module as imported, so that the classes its checkpoints name are
    # foldloop.examples.digits's (loadable by any process), not this script's __main__.
    from foldloop.examples.digits import main as imported_main

    imported_main()
