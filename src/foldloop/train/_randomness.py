"""Randomness inside a step (dropout) as a pure function of the run's seed and the iteration."""

import contextlib
import threading
from collections.abc import Iterable

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.modules import module as _module_hooks  # where torch keeps its global hooks

_MASK = (1 << 64) - 1

# torch's default generators are one per process (per device): two threads seeding them at once
# would draw from each other's seeds and restore each other's states. Reentrant: a step may run
# inside another's seeded section (a loss that evaluates a model).
_SEEDED_SECTION = threading.RLock()


def iteration_seed(seed: int, iteration: int) -> int:
    """The seed of one iteration's random numbers: ``seed`` and ``iteration`` mixed to 64 bits.

    Neighbouring iterations and neighbouring seeds get unrelated seeds (SplitMix64's
    finaliser), so no two iterations of a run, and no two runs, share a dropout mask by chance.

    Example:
        >>> iteration_seed(0, 1) == iteration_seed(0, 1)
        True
        >>> len({iteration_seed(0, 1), iteration_seed(0, 2), iteration_seed(1, 1)})
        3
    """
    return _mix(_mix(seed) ^ iteration)


def _mix(value: int) -> int:
    """SplitMix64: a bijection of 64-bit integers that scatters nearby inputs."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def seeded(seed: int, tensors: Iterable[torch.Tensor]) -> "Seeded":
    """A context in which torch's global generators are seeded with ``seed``, then restored.

    The CPU generator is always seeded; a CUDA device's generator when one of ``tensors``
    lives there. The caller's random stream is the same after the block as before it.
    (``torch.random.fork_rng`` does the same, but ``torch.manual_seed`` costs ~0.2 ms a call
    because it visits every backend; seeding the generators themselves costs microseconds.)
    One thread at a time is inside such a block (a process-wide lock): the generators are
    process-wide, so steps in several threads each draw their own numbers, and the caller's
    stream is restored. Random numbers drawn outside foldloop's steps meanwhile are not locked.

    Example:
        >>> caller = torch.get_rng_state()
        >>> with seeded(1, []):
        ...     first = torch.rand(1)
        >>> with seeded(1, []):
        ...     again = torch.rand(1)
        >>> torch.equal(first, again), torch.equal(torch.get_rng_state(), caller)
        (True, True)
    """
    return Seeded(seed, (torch.default_generator, *_cuda_generators(tensors)))


class Seeded:
    """The context manager that `seeded` returns (a class: the step's hot path enters it)."""

    __slots__ = ("_generators", "_saved", "_seed")

    def __init__(self, seed: int, generators: tuple[torch.Generator, ...]) -> None:
        self._seed = seed
        self._generators = generators
        self._saved: list[torch.Tensor] = []

    def __enter__(self) -> None:
        _SEEDED_SECTION.acquire()
        try:
            self._saved = [generator.get_state() for generator in self._generators]
            for generator in self._generators:
                generator.manual_seed(self._seed)
        except BaseException:
            _SEEDED_SECTION.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        try:
            for generator, state in zip(self._generators, self._saved, strict=True):
                generator.set_state(state)
        finally:
            _SEEDED_SECTION.release()


def _cuda_generators(tensors: Iterable[torch.Tensor]) -> list[torch.Generator]:
    # Uninitialised CUDA: no tensor is on it.
    if not torch.cuda.is_initialized():  # type: ignore[no-untyped-call]  # torch leaves it unannotated
        return []
    indices = sorted({t.device.index for t in tensors if t.is_cuda})
    return [torch.cuda.default_generators[i] for i in indices]


# torch's layers and losses that draw no random numbers when called, forward or backward
# (tests/train/test_train_randomness.py checks every one against the generator), and the
# dropouts, which draw only in training mode (the identity in eval mode).
_NEVER_DRAW: frozenset[type[nn.Module]] = frozenset(
    {
        *(nn.Sequential, nn.ModuleList, nn.Identity, nn.Flatten, nn.Unflatten),
        *(nn.Linear, nn.Bilinear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Embedding),
        *(nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Mish, nn.Hardtanh),
        *(nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Softmax, nn.LogSoftmax),
        *(nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm),
        *(nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool2d),
        *(nn.CrossEntropyLoss, nn.NLLLoss, nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss),
        *(nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.KLDivLoss),
    }
)
_DRAW_WHEN_TRAINING: frozenset[type[nn.Module]] = frozenset(
    {nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout}
)
# The functional forms of the losses above.
_LOSS_FUNCTIONS = (
    *(F.cross_entropy, F.nll_loss, F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss),
    *(F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.kl_div),
)


def draws_no_random(module: nn.Module) -> bool:
    """Whether ``module`` provably draws no random numbers when called in its current mode:
    built only of torch layers that draw none (the dropouts count in eval mode only), each of
    exactly such a class (no subclass), with no ``forward`` replaced on an instance and no hook.
    Anything else may draw.

    A step seeds torch's generators only where something may draw (seeding and restoring them
    costs a few microseconds a batch); the numbers are the same either way. Hooks registered
    for every module (``register_module_forward_hook``) may draw too: a step asks
    `no_global_hooks` on each call, since they can come at any time.

    Example:
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
        >>> draws_no_random(model.eval()), draws_no_random(model.train())
        (True, False)
    """
    return all(
        (type(part) in _NEVER_DRAW or (type(part) in _DRAW_WHEN_TRAINING and not part.training))
        and "forward" not in vars(part)
        and not (
            part._forward_hooks
            or part._forward_pre_hooks
            or part._backward_hooks
            or part._backward_pre_hooks
        )
        for part in module.modules()
    )


def loss_draws_no_random(loss_fn: object) -> bool:
    """Whether ``loss_fn`` provably draws no random numbers: one of torch's usual losses, as a
    function (``F.cross_entropy``) or a module (`draws_no_random`). Anything else may draw.

    Example:
        >>> from torch.nn import functional as F
        >>> loss_draws_no_random(F.mse_loss), loss_draws_no_random(lambda p, y: (p - y).abs())
        (True, False)
    """
    if isinstance(loss_fn, nn.Module):
        return draws_no_random(loss_fn)
    return any(loss_fn is known for known in _LOSS_FUNCTIONS)


def seeded_where_drawn(
    may_draw: bool, seed: int, iteration: int, tensors: Iterable[torch.Tensor]
) -> "Seeded | contextlib.nullcontext[None]":
    """`seeded` with the seed of ``(seed, iteration)`` where random numbers may be drawn
    (``may_draw``, or a hook for every module is registered), else a context doing nothing.

    Example:
        >>> caller = torch.get_rng_state()
        >>> with seeded_where_drawn(True, 0, 1, []):
        ...     drawn = torch.rand(1)
        >>> with seeded_where_drawn(False, 0, 1, []):
        ...     pass
        >>> torch.equal(torch.get_rng_state(), caller)
        True
    """
    if may_draw or not no_global_hooks():
        return seeded(iteration_seed(seed, iteration), tensors)
    return _UNSEEDED


_UNSEEDED = contextlib.nullcontext()  # reusable: it holds nothing


def no_global_hooks() -> bool:
    """Whether no hook is registered for every module (torch's global forward and backward
    hooks, which run inside any module's call and may draw random numbers).

    Example:
        >>> no_global_hooks()
        True
    """
    return not (
        _module_hooks._global_forward_hooks
        or _module_hooks._global_forward_pre_hooks
        or _module_hooks._global_backward_hooks
        or _module_hooks._global_backward_pre_hooks
    )
