"""``ProgressBar``: a tqdm bar per epoch (or one per run) showing chosen values of the state."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Generic, Literal, Never, TypeVar, overload

from foldloop.core import (
    EpochCompleted,
    EpochStarted,
    Event,
    IterationCompleted,
    Loop,
    Started,
    State,
)

from ._handles import Handles
from ._ranks import require_rank, runs_here
from ._records import ENDS
from ._values import Values, checked, read

if TYPE_CHECKING:
    from tqdm import tqdm

T = TypeVar("T")
# A bar only reads states: one that reads any state serves a loop of any value type.
T_contra = TypeVar("T_contra", contravariant=True)
U = TypeVar("U")


class ProgressBar(Generic[T_contra]):
    """A tqdm progress bar: iterations, rate, and ``values`` read from the state as postfix.

    ``per="epoch"`` opens a bar at each epoch (closed at its end), ``per="run"`` one for the
    whole run. Every bar closes when the run completes, terminates, fails or is interrupted
    (Ctrl-C). ``disable=None`` (the default) is quiet when ``file`` (stderr if None) is not a
    terminal; ``True`` always quiet. In a data-parallel run only the process of rank ``rank``
    shows a bar (rank 0 by default; ``None``: every process). Needs
    ``pip install foldloop[progress]``.

    Example:
        >>> import io
        >>> from foldloop import Loop
        >>> loop: Loop[float, float] = Loop(lambda s, batch: s.replace(value=batch))
        >>> out = io.StringIO()
        >>> bar = ProgressBar({"x": lambda s: s.value}, file=out, disable=False)
        >>> with bar.attach(loop):
        ...     _ = loop.run(0.0, [1.0, 2.0], max_epochs=2)
        >>> "epoch 2/2" in out.getvalue() and "2/2" in out.getvalue() and "x=2" in out.getvalue()
        True
    """

    # Without values, the bar reads nothing of the state: a ProgressBar[object], for any loop.
    @overload
    def __init__(
        self: ProgressBar[object],
        values: None = None,
        *,
        per: Literal["epoch", "run"] = "epoch",
        desc: str = "train",
        file: IO[str] | None = None,
        disable: bool | None = None,
        mininterval: float = 0.1,
        rank: int | None = 0,
    ) -> None: ...

    @overload
    def __init__(
        self,
        values: Values[T_contra],
        *,
        per: Literal["epoch", "run"] = "epoch",
        desc: str = "train",
        file: IO[str] | None = None,
        disable: bool | None = None,
        mininterval: float = 0.1,
        rank: int | None = 0,
    ) -> None: ...

    def __init__(
        self,
        values: Values[T_contra] | None = None,
        *,
        per: Literal["epoch", "run"] = "epoch",
        desc: str = "train",
        file: IO[str] | None = None,
        disable: bool | None = None,
        mininterval: float = 0.1,
        rank: int | None = 0,
    ) -> None:
        from tqdm import tqdm  # an optional dependency: imported only when a bar is built

        if per not in ("epoch", "run"):
            raise ValueError(f"ProgressBar: per must be 'epoch' or 'run', got {per!r}")
        self._tqdm = tqdm
        self.rank = require_rank(rank, "ProgressBar")
        self.values = checked(values or {}, "ProgressBar")
        self.per = per
        self.desc = desc
        self.file = file
        self.disable = disable
        self.mininterval = mininterval
        self._bar: tqdm[Never] | None = None

    @overload
    def attach(self: ProgressBar[object], loop: Loop[U, Never]) -> Handles: ...

    @overload
    def attach(self, loop: Loop[T_contra, Never]) -> Handles: ...

    # Any: the two overloads' loops (of T_contra, or of any U for a bar without values).
    def attach(self, loop: Loop[Any, Never]) -> Handles:
        """Tap the bar's opening, updates and closings on ``loop``; the handles remove them.

        Example:
            >>> from foldloop import Loop
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> with ProgressBar(disable=True).attach(loop) as handles:
            ...     len(handles)
            7
        """
        opening: type[Event] = EpochStarted if self.per == "epoch" else Started
        handles = [loop.tap(opening, self.open), loop.tap(IterationCompleted, self.update)]
        if self.per == "epoch":
            handles.append(loop.tap(EpochCompleted, self.close))
        handles += [loop.tap(kind, self.close) for kind in ENDS]
        return Handles(handles)

    def open(self, state: State[T_contra]) -> None:
        """Open a bar at ``state`` (closing any open one): a tap on EpochStarted or Started;
        on rank ``rank`` only."""
        if not runs_here(self.rank):
            return
        self.close(state)
        self._bar = self._new_bar(state)

    def _new_bar(self, state: State[T_contra]) -> tqdm[Never]:
        per_epoch = self.per == "epoch"
        return self._tqdm(
            desc=self._description(state),
            total=state.epoch_length if per_epoch else _run_total(state),
            initial=state.epoch_iteration if per_epoch else state.iteration,
            file=self.file,
            disable=self.disable,
            leave=True,
            unit="it",
            mininterval=self.mininterval,
        )

    def update(self, state: State[T_contra]) -> None:
        """Count one iteration; show the values when the bar redraws (IterationCompleted)."""
        if not runs_here(self.rank):
            return
        bar = self._bar
        if bar is None:  # a run continued mid-epoch: no opening event fired
            bar = self._bar = self._new_bar(state)
            bar.n = state.epoch_iteration - 1 if self.per == "epoch" else state.iteration - 1
        if bar.update(1) and self.values:
            bar.set_postfix(read(self.values, state))

    def close(self, state: State[T_contra]) -> None:
        """Show the last values and close the open bar, if any (end of epoch or run)."""
        if self._bar is None:
            return
        bar, self._bar = self._bar, None
        if self.values and not bar.disable:
            bar.set_postfix(read(self.values, state), refresh=False)
        bar.close()

    def _description(self, state: State[T_contra]) -> str:
        if self.per == "run":
            return self.desc
        last = "?" if state.max_epochs is None else str(state.max_epochs)
        return f"{self.desc} epoch {state.epoch}/{last}"


def _run_total(state: State[T]) -> int | None:
    """The iterations of the whole run, when known."""
    if state.epoch_length is None or state.max_epochs is None:
        return state.max_iters
    total = state.epoch_length * state.max_epochs
    return total if state.max_iters is None else min(total, state.max_iters)
