"""A small real training problem shared by the optimizer tests: a 2-layer MLP regression."""

from collections.abc import Callable
from typing import TypeAlias, TypeVar

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from foldloop.train import GradientTransformation, apply_updates

Params: TypeAlias = dict[str, torch.Tensor]
GradFn: TypeAlias = Callable[[Params], Params]
TorchOptimizer: TypeAlias = Callable[[list[nn.Parameter]], torch.optim.Optimizer]
TorchScheduler: TypeAlias = Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler]
S = TypeVar("S")


def mlp_problem() -> tuple[Params, GradFn]:
    """Initial parameters of a fixed-seed 2-layer MLP, and the gradient of its MSE loss."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        inputs, targets = torch.randn(16, 4), torch.randn(16, 1)

    def gradient(params: Params) -> Params:
        tracked = {name: p.detach().requires_grad_() for name, p in params.items()}
        loss = F.mse_loss(functional_call(model, tracked, (inputs,)), targets)
        return dict(zip(tracked, torch.autograd.grad(loss, list(tracked.values())), strict=True))

    return {name: p.detach().clone() for name, p in model.named_parameters()}, gradient


def train_with_foldloop(optimizer: GradientTransformation[S], steps: int) -> Params:
    """The parameters after ``steps`` updates of a foldloop optimizer, each at its own gradient."""
    params, gradient = mlp_problem()
    state = optimizer.init(params)
    for _ in range(steps):
        updates, state = optimizer.update(gradient(params), state, params)
        params = apply_updates(params, updates)
    return params


def train_with_torch(torch_optimizer: TorchOptimizer, steps: int) -> Params:
    """The parameters after ``steps`` steps of a torch optimizer, each at its own gradient."""
    initial, gradient = mlp_problem()
    params = {name: nn.Parameter(value) for name, value in initial.items()}
    optimizer = torch_optimizer(list(params.values()))
    for _ in range(steps):
        grads = gradient({name: p.detach() for name, p in params.items()})
        for name, p in params.items():
            p.grad = grads[name]
        optimizer.step()
    return {name: p.detach() for name, p in params.items()}


def train_in_lockstep(
    optimizer: GradientTransformation[S],
    torch_optimizer: TorchOptimizer,
    steps: int,
    torch_scheduler: TorchScheduler | None = None,
) -> tuple[Params, Params]:
    """Final parameters of a foldloop and a torch optimizer given the same inputs at each step.

    Both see torch's gradient and torch's parameters (which weight decay reads), so the two
    can differ only by their own rounding; foldloop's updates are summed onto its own copy of
    the parameters. Letting each train on its own parameters would compare two training runs,
    not two optimizers: where training is chaotic (past the edge of stability, Adam with small
    betas acting like sign descent) or ill-conditioned (centered RMSprop subtracting two nearly
    equal means), a last-bit difference grows without bound; torch against itself with
    ``lr * (1 + 1e-15)`` can end 0.06 apart.
    """
    initial, gradient = mlp_problem()
    theirs = {name: nn.Parameter(value.clone()) for name, value in initial.items()}
    reference = torch_optimizer(list(theirs.values()))
    scheduler = torch_scheduler(reference) if torch_scheduler else None
    ours, state = initial, optimizer.init(initial)
    for _ in range(steps):
        current = {name: p.detach().clone() for name, p in theirs.items()}
        grads = gradient(current)
        for name, p in theirs.items():
            p.grad = grads[name]
        reference.step()
        if scheduler:
            scheduler.step()
        updates, state = optimizer.update(grads, state, current)
        ours = apply_updates(ours, updates)
    return ours, {name: p.detach() for name, p in theirs.items()}
