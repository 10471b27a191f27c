"""A training run on large parameters reuses its buffers, and never those of a state still held."""

import torch
import torch.nn.functional as F
from torch import nn

from foldloop import IterationCompleted, Loop, State
from foldloop.train import TrainState, adamw, init_train_state, supervised_training_step
from foldloop.tree import tree_leaves

# 2048 x 2049 weights and biases: a little over the 16 MiB from which the fused Adam recycles.
IN, OUT = 2048, 2049


def large_problem(steps: int) -> tuple[nn.Module, list[tuple[torch.Tensor, torch.Tensor]]]:
    generator = torch.Generator().manual_seed(0)
    model = nn.Linear(IN, OUT)
    batches = [
        (torch.randn(4, IN, generator=generator), torch.randint(0, OUT, (4,), generator=generator))
        for _ in range(steps)
    ]
    return model, batches


def clone(leaf: object) -> object:
    return leaf.clone() if isinstance(leaf, torch.Tensor) else leaf


def same(a: object, b: object) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return torch.equal(a, b)
    return a == b


def trainer(model: nn.Module) -> Loop[TrainState, tuple[torch.Tensor, torch.Tensor]]:
    return Loop(supervised_training_step(model, adamw(1e-3), F.cross_entropy))


def test_a_run_alternates_between_two_sets_of_buffers() -> None:
    model, batches = large_problem(steps=8)
    loop = trainer(model)
    addresses: list[int] = []
    loop.tap(IterationCompleted, lambda s: addresses.append(s.value.params["weight"].data_ptr()))
    loop.run(init_train_state(model, adamw(1e-3)), batches)
    assert len(set(addresses[2:])) == 2  # from the third step on, two buffers take turns


def test_states_someone_keeps_are_never_overwritten() -> None:
    model, batches = large_problem(steps=6)
    kept: list[State[TrainState]] = []
    copies: list[list[object]] = []
    for _, state in trainer(model).scan(init_train_state(model, adamw(1e-3)), batches):
        kept.append(state)
        copies.append([clone(leaf) for leaf in tree_leaves(state.value)])
    for state, copy in zip(kept, copies, strict=True):
        assert all(same(a, b) for a, b in zip(tree_leaves(state.value), copy, strict=True))


def test_a_recycled_run_ends_where_a_run_without_reuse_does() -> None:
    model, batches = large_problem(steps=5)
    recycled = trainer(model).run(init_train_state(model, adamw(1e-3)), batches)
    states = list(trainer(model).scan(init_train_state(model, adamw(1e-3)), batches))
    held = states[-1][1]  # every state of the scan is still held: nothing was reused
    assert recycled.value == held.value
