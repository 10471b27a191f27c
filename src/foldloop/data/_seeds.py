"""Seeds derived from ``(seed, pass)``: a fixed 64-bit mix, the same in every process."""

from __future__ import annotations

_MASK = (1 << 64) - 1
_ORDER, _WORKERS = 0, 1  # the streams drawn from one pass's seed


def _splitmix64(x: int) -> int:
    """SplitMix64's step: a bijection of 64-bit ints that scatters nearby inputs."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def pass_seed(seed: int, pass_index: int) -> int:
    """The seed of the order of pass ``pass_index`` under ``seed``, a 64-bit int.

    A fixed mix of the two (SplitMix64; no ``hash()``, so the same in every process and on
    every machine): distinct passes of one seed get distinct seeds. Pass ``p`` of a
    :class:`SeededBatches` visits the dataset in the order
    ``torch.randperm(n, generator=torch.Generator().manual_seed(pass_seed(seed, p)))``.

    Example:
        >>> pass_seed(0, 0) == pass_seed(0, 0) != pass_seed(0, 1)
        True
        >>> 0 <= pass_seed(2**64 - 1, 10**6) < 2**64
        True
    """
    return _splitmix64(_splitmix64(_splitmix64(seed) ^ pass_index) ^ _ORDER)


def worker_seed(seed: int, pass_index: int) -> int:
    """The seed of the generator a pass's ``DataLoader`` draws its workers' base seed from.

    Example:
        >>> worker_seed(0, 0) != pass_seed(0, 0)
        True
    """
    return _splitmix64(_splitmix64(_splitmix64(seed) ^ pass_index) ^ _WORKERS)
