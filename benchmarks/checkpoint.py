"""Checkpoint runners (``bench.py``'s checkpoint rows): ``foldloop.io.save`` / ``load`` of a
trained state against ``torch.save`` / ``torch.load`` of a dict of the same tensors, written to
the same temporary directory (so the same disk).

The states: the digits example's (its ``mlp(0)`` and ``adamw``) and the wide job's (the
9.66M-parameter MLP of ``step.py`` and ``adamw``), each after one training step, so that the
optimizer's moments are full tensors (a fresh ``adamw`` state holds stride-0 views, which
``torch.save`` writes as one number each). ``save`` fsyncs its two files and the directories
(the checkpoint appears whole or not at all, and survives a power cut), so the reference write
is ``torch.save`` followed by an ``fsync`` of its file; ``torch.save`` alone is measured too.
``load`` is given the state as its template (``like=``), as a resume does; ``torch.load`` is
torch's default (``weights_only=True``). Each write makes a new checkpoint; the previous one is
removed before the timer starts. Reads come from the page cache on both sides.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from foldloop import State
from foldloop.io import load, save
from foldloop.train import TrainState, adamw, init_train_state, supervised_trainer
from foldloop.tree import tree_flatten_with_paths, tree_leaves

Runner = Callable[[], float]  # one timed repetition -> seconds


def trained(model: nn.Module, batch: tuple[Tensor, Tensor]) -> State[TrainState]:
    """The state after one AdamW step of ``model`` on ``batch``."""
    optimizer = adamw(lr=1e-3)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy)
    return trainer.run(init_train_state(model, optimizer), [batch])


def tensors_of(state: State[TrainState]) -> dict[str, Tensor]:
    """Every tensor of the state's value by its path, as ``torch.save`` would be given them."""
    paths, leaves, _ = tree_flatten_with_paths(state.value)
    return {
        p: leaf.detach() for p, leaf in zip(paths, leaves, strict=True) if isinstance(leaf, Tensor)
    }


def _fsynced(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Runners:
    """The timed runners for one state, writing in a temporary directory of their own."""

    def __init__(self, state: State[TrainState]) -> None:
        self.state = state
        self.tensors = tensors_of(state)
        self.megabytes = sum(t.numel() * t.element_size() for t in self.tensors.values()) / 1e6
        self.folder = Path(tempfile.mkdtemp(prefix="foldloop-bench-"))
        self._names = itertools.count()
        self._last: dict[str, Path] = {}
        self.saved = save(state, self.folder / "read-ckpt")
        self.torch_file = self.folder / "read.pt"
        torch.save(self.tensors, self.torch_file)
        assert load(self.saved, like=state) == state

    def _fresh(self, kind: str) -> Path:
        last = self._last.get(kind)
        if last is not None:
            shutil.rmtree(last) if last.is_dir() else last.unlink()
        path = self.folder / f"{kind}-{next(self._names)}"
        self._last[kind] = path
        return path

    def save_foldloop(self) -> float:
        path = self._fresh("ckpt")
        t0 = time.perf_counter()
        save(self.state, path)
        return time.perf_counter() - t0

    def save_torch_fsync(self) -> float:
        path = self._fresh("pt-fsync")
        t0 = time.perf_counter()
        torch.save(self.tensors, path)
        _fsynced(path)
        return time.perf_counter() - t0

    def save_torch(self) -> float:
        path = self._fresh("pt")
        t0 = time.perf_counter()
        torch.save(self.tensors, path)
        return time.perf_counter() - t0

    # Both reads sum every tensor once, so that neither side could gain by reading lazily.
    def load_foldloop(self) -> float:
        t0 = time.perf_counter()
        _touch(tree_leaves(load(self.saved, like=self.state).value))
        return time.perf_counter() - t0

    def load_torch(self) -> float:
        t0 = time.perf_counter()
        _touch(tree_leaves(torch.load(self.torch_file)))
        return time.perf_counter() - t0

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _touch(leaves: list[object]) -> None:
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            leaf.sum()
