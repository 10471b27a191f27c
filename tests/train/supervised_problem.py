"""A small supervised problem shared by the step tests: a classifier with dropout and BatchNorm."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from foldloop import State
from foldloop.train import TrainState
from foldloop.tree import tree_map

FEATURES, CLASSES = 4, 3


def classifier(dropout: float = 0.3, batch_norm: bool = True, seed: int = 0) -> nn.Sequential:
    """4 -> 8 -> 3 with dropout and (optionally) BatchNorm, its weights drawn from ``seed``.

    With BatchNorm the first layer has no bias (BatchNorm would cancel it: its gradient is
    rounding noise, which Adam scales up to full steps, so no two implementations agree on it).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        norm: nn.Module = nn.BatchNorm1d(8) if batch_norm else nn.Identity()
        first = nn.Linear(FEATURES, 8, bias=not batch_norm)
        return nn.Sequential(first, norm, nn.ReLU(), nn.Dropout(dropout), nn.Linear(8, CLASSES))


def batches(count: int, size: int = 6, seed: int = 1) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``count`` batches of ``(x, y)``, drawn from ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    return [
        (
            torch.randn(size, FEATURES, generator=generator),
            torch.randint(0, CLASSES, (size,), generator=generator),
        )
        for _ in range(count)
    ]


def deep_copy(state: State[TrainState]) -> State[TrainState]:
    """A state whose value holds clones of every tensor (to compare against later)."""
    return state.replace(value=clone(state.value))


def clone(tree: Any) -> Any:  # Any: returns a tree of the same shape as given
    return tree_map(lambda leaf: leaf.clone() if isinstance(leaf, torch.Tensor) else leaf, tree)


@contextmanager
def one_thread() -> Iterator[None]:
    """One torch thread inside the block (bitwise reproducible and fast for tiny models)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
