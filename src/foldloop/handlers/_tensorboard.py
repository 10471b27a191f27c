"""``TensorBoard``: a tap that writes scalars (and optionally histograms) for TensorBoard."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Never, TypeVar

from foldloop.core import Event, Loop, State, Trigger

from ._closing import tap_until_end
from ._handles import Handles
from ._paths import writable_folder
from ._ranks import require_rank, runs_here
from ._values import Values, checked, read

if TYPE_CHECKING:
    import torch
    from torch.utils.tensorboard import SummaryWriter

T = TypeVar("T")


class TensorBoard(Generic[T]):
    """Write each value as the scalar ``"{tag}/{name}"`` at the state's iteration, and, with
    ``histograms``, a histogram of each tensor it returns (``"{tag}/{name}"``), through
    ``torch.utils.tensorboard.SummaryWriter``; needs ``pip install foldloop[tensorboard]``.

    The folder ``log_dir`` (created if missing; its parent must exist) is checked at
    construction and the writer opened at the first firing, flushed and closed when a run ends
    (with :meth:`attach`). A resumed run writes new event files beside the old ones. In a
    data-parallel run only the process of rank ``rank`` writes (rank 0 by default; ``None``:
    every process).

    Example:
        >>> import pathlib, tempfile
        >>> from foldloop import EpochCompleted, Loop
        >>> loop: Loop[float, float] = Loop(lambda s, batch: s.replace(value=batch))
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "tb"
        >>> _ = TensorBoard(folder, {"x": lambda s: s.value}).attach(loop, EpochCompleted)
        >>> _ = loop.run(0.0, [1.0, 2.0])
        >>> len(list(folder.glob("events.out.tfevents.*")))
        1
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str],
        values: Values[T] | None = None,
        *,
        tag: str = "train",
        histograms: Callable[[State[T]], Mapping[str, torch.Tensor]] | None = None,
        rank: int | None = 0,
    ) -> None:
        self.rank = require_rank(rank, "TensorBoard")
        self.log_dir = Path(log_dir)
        if self.log_dir.exists():
            writable_folder(self.log_dir, "TensorBoard", str(self.log_dir))
        else:
            writable_folder(self.log_dir.parent, "TensorBoard", str(self.log_dir))
        self.values = checked(values or {}, "TensorBoard")
        self.tag = tag
        self.histograms = histograms
        self._writer: SummaryWriter | None = None

    def __call__(self, state: State[T], event: Event) -> None:
        """Write the scalars (and histograms) of ``state`` at its iteration (a tap), on rank
        ``rank`` only."""
        if not runs_here(self.rank):
            return
        writer = self._open()
        step = state.iteration
        for name, number in read(self.values, state).items():
            writer.add_scalar(f"{self.tag}/{name}", number, step)
        if self.histograms is not None:
            for name, tensor in self.histograms(state).items():
                writer.add_histogram(f"{self.tag}/{name}", tensor.detach(), step)

    def _open(self) -> SummaryWriter:
        if self._writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(self.log_dir))
        return self._writer

    def close(self) -> None:
        """Flush and close the writer; a later firing opens a new one.

        Example:
            >>> TensorBoard(".").close()  # never opened: nothing to do
        """
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def attach(self, loop: Loop[T, Never], trigger: Trigger[Event] | type[Event]) -> Handles:
        """Tap this writer on ``trigger``, and its :meth:`close` on the kinds that end a run.

        Example:
            >>> from foldloop import Completed, Loop
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> TensorBoard(".").attach(loop, Completed).remove()
        """
        return tap_until_end(loop, trigger, self, self.close)
