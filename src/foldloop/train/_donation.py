"""Donation: a state handed over to be consumed, so that a step may write into its tensors.

Purity is the default: a step leaves the state it was given as it was. A step built with
``donate=True`` may instead update the parameters and optimizer moments in place, in the given
state's own tensors, as JAX donates buffers. The given state is then *consumed*: it shares a
`Lease` with every `TrainState` that holds the same tensors, the step marks that lease, and
reading any of those states raises `DonatedError` instead of showing a later step's numbers.
Nothing here depends on reference counts or other interpreter internals.

A module's own parameters can be donated the same way, to the state that `init_train_state`
makes (``donate=True``): the state then holds the module's parameters themselves, not copies,
which for a large model is the memory (and the time) of one more copy of its weights.
"""

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

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


# The modules whose parameters a state took over (weakly held: a module lives as its owner says).
_DONATED_MODULES: "weakref.WeakSet[nn.Module]" = weakref.WeakSet()
_DONATING = threading.Lock()


@contextmanager
def module_parameters(model: nn.Module) -> Iterator[dict[str, torch.Tensor]]:
    """The trainable parameters of ``model`` themselves (no copies), by name, for the state made
    inside the block; the module counts as given up once the block ends without an error.

    Each tensor is a detached alias of the module's own (the same memory): a pure step only
    reads it, and a step built with ``donate=True`` updates it in place, so the module then
    shows that step's numbers, as the model of a plain torch loop does. A module gives its
    parameters up once: two states writing into the same memory would each show the other's
    steps.

    Raises:
        ValueError: ``model``'s parameters were given up before.

    Example:
        >>> from torch import nn
        >>> layer = nn.Linear(2, 1)
        >>> with module_parameters(layer) as params:
        ...     params["weight"].data_ptr() == layer.weight.data_ptr()
        True
        >>> with module_parameters(layer) as params:
        ...     pass
        Traceback (most recent call last):
        ...
        ValueError: the parameters of this Linear were already donated to a TrainState ...
    """
    with _DONATING:  # one check and one mark for concurrent donations of the same module
        if model in _DONATED_MODULES:
            raise ValueError(
                f"the parameters of this {type(model).__name__} were already donated to a "
                "TrainState (init_train_state(..., donate=True)), and a step may have updated "
                "them in place; keep running that state, or make a state of copies with "
                "init_train_state(model, optimizer)"
            )
        yield {
            name: p.detach().requires_grad_()
            for name, p in model.named_parameters()
            if p.requires_grad
        }
        _DONATED_MODULES.add(model)  # not when the block raised: nothing was given up then
