"""Donation: a state handed over to be consumed, so that a step may write into its tensors.

Purity is the default: a step leaves the state it was given as it was. A step built with
``donate=True`` may instead update the parameters and optimizer moments in place, in the given
state's own tensors, as JAX donates buffers. The given state is then *consumed*: it shares a
`Lease` with every `TrainState` that holds the same tensors, the step marks that lease, and
reading any of those states raises `DonatedError` instead of showing a later step's numbers.
Nothing here depends on reference counts or other interpreter internals.
"""

from foldloop.core import FoldloopError


class DonatedError(FoldloopError):
    """A `TrainState` was read after a step that was allowed to consume it had consumed it.

    Attributes:
        iteration: the iteration of the step that consumed it.

    Example:
        >>> error = DonatedError(3)
        >>> error.iteration, "donate=True" in str(error)
        (3, True)
    """

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration
        super().__init__(
            f"this TrainState was donated to the training step of iteration {iteration} "
            "(built with donate=True), which updated its tensors in place: they hold that "
            "step's numbers now, so the state cannot be read. To keep a state readable, build "
            "the step (or supervised_trainer) without donate=True, or keep a copy made before "
            "the step runs: kept = state.clone() (a TrainState) or "
            "state.replace(value=state.value.clone()) (a State)"
        )


class Lease:
    """The mark a consumed state carries: shared by the `TrainState` values that hold the same
    tensors, set once by the step that consumes them.

    Example:
        >>> lease = Lease()
        >>> lease.check()
        >>> lease.consume(iteration=7)
        >>> lease.check()
        Traceback (most recent call last):
        ...
        foldloop.train._donation.DonatedError: this TrainState was donated to the training step...
    """

    __slots__ = ("donated_at",)

    def __init__(self) -> None:
        self.donated_at: int | None = None

    def consume(self, iteration: int) -> None:
        """Mark every state holding this lease as consumed by the step of ``iteration``."""
        self.donated_at = iteration

    def check(self) -> None:
        """Raise `DonatedError` if a step has consumed the states holding this lease."""
        if self.donated_at is not None:
            raise DonatedError(self.donated_at)
