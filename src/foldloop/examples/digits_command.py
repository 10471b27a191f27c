"""``python -m foldloop.examples.digits``: the digits job's command line, its table and digest.

python -m foldloop.examples.digits [--epochs N] [--run-dir DIR] [--checkpoint-dir DIR]
                                   [--checkpoint-every K]
"""

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from foldloop import RunInterrupted, State
from foldloop.distributed import is_main, world_size
from foldloop.io import digest
from foldloop.plot import curves, record, timeline
from foldloop.train import init_train_state

from .digits import EPOCHS, OPTIMIZER, SEED, train, trainer_loop
from .digits_data import digits_loaders, mlp
from .digits_scores import TEST_SCORES


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
        prog="python -m foldloop.examples.digits",
        description="Train an MLP on scikit-learn's digits, evaluating after every epoch.",
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
