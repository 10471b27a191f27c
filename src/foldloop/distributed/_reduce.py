"""Collectives on trees of tensors: one flat buffer per dtype and device, never one call a
tensor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import attrs
import torch
import torch.distributed as dist

from foldloop.core import State
from foldloop.train import TrainState
from foldloop.tree import tree_flatten, tree_unflatten

from ._faults import named
from ._group import grouped, world_size

T = TypeVar("T")


def average_gradients(grads: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The mean of ``grads`` over all ranks, out of place: the gradients are flattened into one
    buffer per dtype and device, which one ``all_reduce`` sums (a bucketed reduction, as DDP's,
    with no call per tensor) and the world size divides. Without a process group ``grads`` come
    back as they are, not copied.

    Give it to a training step as ``reduce_grads=average_gradients``: with each rank's loss the
    mean over its equal share of a global batch, the averaged gradient is the gradient of the
    global batch's mean loss (up to the rounding of a reordered sum). In a group of one the
    all-reduce still runs (as DDP's does), so a one-GPU nccl group exercises it.

    Example:
        >>> g = {"w": torch.ones(2)}
        >>> average_gradients(g)["w"] is g["w"]  # one process: nothing to average
        True
    """
    if not grouped():
        return dict(grads)
    reduce = _all_reduce_mean(world_size())
    return dict(zip(grads, _bucketed(list(grads.values()), reduce), strict=True))


def broadcast(tree: T, *, src: int = 0) -> T:
    """``tree`` with every tensor leaf replaced by rank ``src``'s, in one ``broadcast`` a dtype
    and device; the other leaves are kept; leaves that required grad still do. Every rank must
    give a tree of the same structure, shapes and dtypes. Without a process group ``tree``
    itself comes back.

    Example:
        >>> tree = {"w": torch.zeros(2), "note": "kept"}
        >>> broadcast(tree) is tree
        True
    """
    if not grouped():
        return tree
    leaves, spec = tree_flatten(tree)
    tensors = [leaf for leaf in leaves if isinstance(leaf, torch.Tensor)]
    with torch.no_grad():
        synced = iter(_bucketed([t.detach() for t in tensors], _broadcast(src)))
    out = [_like(next(synced), leaf) if isinstance(leaf, torch.Tensor) else leaf for leaf in leaves]
    # tree_unflatten gives the tree it was flattened from: its type is T.
    result: T = tree_unflatten(spec, out)
    return result


def broadcast_state(value: TrainState, *, src: int = 0) -> TrainState:
    """``value`` with its parameters, buffers and optimizer state taken from rank ``src``: how
    a data-parallel run starts from the same numbers on every rank (as DDP broadcasts its
    module's parameters and buffers when it wraps it). The other fields are kept.

    Example:
        >>> from foldloop.train import init_train_state, sgd
        >>> state = init_train_state(torch.nn.Linear(1, 1), sgd(lr=0.1))
        >>> broadcast_state(state) == state
        True
    """
    if not grouped():
        return value
    params, buffers, opt_state = broadcast((value.params, value.buffers, value.opt_state), src=src)
    return attrs.evolve(value, params=params, buffers=buffers, opt_state=opt_state)


def broadcast_buffers(state: State[TrainState]) -> State[TrainState]:
    """``state`` with its buffers (e.g. batch-norm running statistics) taken from rank 0, in
    one ``broadcast`` a dtype and device: a handler to attach on ``IterationCompleted`` of a
    data-parallel trainer, so that every rank holds rank 0's buffers after each step (the next
    forward starts from them, as DDP's ``broadcast_buffers=True`` does before each forward, and
    every state a checkpoint or an evaluation sees agrees on all ranks). Without it each rank's
    buffers follow its own slices. A state without buffers, or without a group, comes back as
    it is.

    Example:
        >>> from foldloop.train import init_train_state, sgd
        >>> state = State(init_train_state(torch.nn.BatchNorm1d(2), sgd(lr=0.1)))
        >>> broadcast_buffers(state) is state
        True
    """
    if not grouped() or not state.value.buffers:
        return state
    buffers = broadcast(dict(state.value.buffers))
    return state.replace(value=attrs.evolve(state.value, buffers=buffers))


def _like(synced: torch.Tensor, leaf: torch.Tensor) -> torch.Tensor:
    return synced.requires_grad_() if leaf.requires_grad else synced


def _all_reduce_mean(world: int) -> Callable[[torch.Tensor], None]:
    def reduce(flat: torch.Tensor) -> None:
        named(lambda: dist.all_reduce(flat, op=dist.ReduceOp.SUM))
        flat.div_(world)

    return reduce


def _broadcast(src: int) -> Callable[[torch.Tensor], None]:
    def send(flat: torch.Tensor) -> None:
        named(lambda: dist.broadcast(flat, src=src))

    return send


def _bucketed(
    tensors: list[torch.Tensor], collective: Callable[[torch.Tensor], None]
) -> list[torch.Tensor]:
    """New tensors: ``tensors`` after ``collective`` ran in place on one flat buffer per dtype
    and device (each result a view of its buffer)."""
    buckets: dict[tuple[torch.dtype, torch.device], list[int]] = {}
    for i, t in enumerate(tensors):
        buckets.setdefault((t.dtype, t.device), []).append(i)
    out: list[torch.Tensor | None] = [None] * len(tensors)
    for members in buckets.values():
        flat = torch.cat([tensors[i].reshape(-1) for i in members])
        collective(flat)
        for i, piece in zip(
            members, flat.split_with_sizes([tensors[i].numel() for i in members]), strict=True
        ):
            out[i] = piece.view_as(tensors[i])
    return [t for t in out if t is not None]
