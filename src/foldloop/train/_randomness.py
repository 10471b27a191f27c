"""Randomness inside a step (dropout) as a pure function of the run's seed and the iteration."""

import threading
from collections.abc import Iterable

import torch

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
