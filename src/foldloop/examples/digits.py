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

from collections.abc import Callable, Iterable
from pathlib import Path

import torch.nn.functional as F
from torch import nn

from foldloop import (
    EpochCompleted,
    EpochStarted,
    Event,
    Interrupted,
    IterationCompleted,
    Loop,
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
    item_weighted,
    shard,
)
from foldloop.handlers import (
    Checkpoints,
    EarlyStopping,
    JsonLines,
    ProgressBar,
    TerminateOnNonFinite,
)
from foldloop.io import resume
from foldloop.train import (
    Batch,
    TrainState,
    adamw,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)

from .digits_data import digits_loaders, mlp
from .digits_scores import (
    TEST_SCORES,
    add_train_loss,
    record_test_scores,
    reset_train_loss,
    table_row,
    test_loss,
    train_loss,
)

SEED = 0
EPOCHS = 10
OPTIMIZER = adamw(lr=1e-3)  # pure: its state lives in each run's TrainState


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


if __name__ == "__main__":
    # Run the module as imported, so that the classes its checkpoints name are
    # foldloop.examples.digits's (loadable by any process), not this script's __main__.
    from foldloop.examples.digits_command import main

    main()
