"""The digits job's data and model: scikit-learn's digits split 80/20, in seeded batches, and a
small MLP whose initial weights are a function of a seed."""

from collections.abc import Iterable

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from foldloop.data import SeededBatches
from foldloop.train import Batch


def digits_loaders(seed: int, batch_size: int = 32) -> tuple[Iterable[Batch], Iterable[Batch]]:
    """Train and test batches: pixels / 16, a stratified 80/20 split, train shuffled by ``seed``.

    The train batches are a `SeededBatches`: each epoch's order is a function of the seed and
    the epoch, so a run resumed mid-epoch draws the same batches as one never stopped.

    Example:
        >>> train, test = digits_loaders(seed=0)
        >>> x, y = next(iter(test))
        >>> tuple(x.shape), y.dtype
        ((32, 64), torch.int64)
    """
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=seed, stratify=digits.target
    )

    def dataset(x: object, y: object) -> TensorDataset:
        return TensorDataset(torch.tensor(x, dtype=torch.float32), torch.tensor(y))

    train: SeededBatches[Batch] = SeededBatches(dataset(x_train, y_train), batch_size, seed=seed)
    return train, DataLoader(dataset(x_test, y_test), batch_size)


def mlp(seed: int) -> nn.Module:
    """A 64-128-128-10 ReLU network whose initial weights are drawn from ``seed``.

    Example:
        >>> sum(p.numel() for p in mlp(seed=0).parameters())
        26122
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
        )
