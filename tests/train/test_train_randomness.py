"""An evaluation seeds torch's generators exactly when its module may draw random numbers.

A module built only of torch's layers that draw none in eval mode runs unseeded (seeding costs
a few microseconds a batch); anything else (another class, a subclass, a replaced ``forward``, a
hook, a global hook) is seeded from ``(seed, iteration)`` as a training step is, and leaves the
caller's random stream as it was.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs
import pytest
import torch
from torch import nn

from foldloop import Loop
from foldloop.train import Batch, TrainState, init_train_state, sgd, supervised_evaluator
from foldloop.train._randomness import _RANDOM_FREE_IN_EVAL, draws_no_random

# One instance of every layer in the list and an input it takes.
LAYERS: dict[type[nn.Module], tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    nn.Sequential: (lambda: nn.Sequential(nn.Identity()), (2, 3)),
    nn.ModuleList: (lambda: nn.ModuleList(), (2, 3)),  # not callable: only its parts run
    nn.Identity: (nn.Identity, (2, 3)),
    nn.Flatten: (nn.Flatten, (2, 3, 4)),
    nn.Unflatten: (lambda: nn.Unflatten(1, (2, 2)), (2, 4)),
    nn.Linear: (lambda: nn.Linear(3, 2), (2, 3)),
    nn.Bilinear: (lambda: nn.Bilinear(3, 3, 2), (2, 3)),
    nn.Conv1d: (lambda: nn.Conv1d(2, 2, 3), (2, 2, 5)),
    nn.Conv2d: (lambda: nn.Conv2d(2, 2, 3), (2, 2, 5, 5)),
    nn.Conv3d: (lambda: nn.Conv3d(2, 2, 3), (2, 2, 5, 5, 5)),
    nn.Embedding: (lambda: nn.Embedding(10, 3), (2, 3)),
    nn.ReLU: (nn.ReLU, (2, 3)),
    nn.ReLU6: (nn.ReLU6, (2, 3)),
    nn.LeakyReLU: (nn.LeakyReLU, (2, 3)),
    nn.ELU: (nn.ELU, (2, 3)),
    nn.GELU: (nn.GELU, (2, 3)),
    nn.SiLU: (nn.SiLU, (2, 3)),
    nn.Mish: (nn.Mish, (2, 3)),
    nn.Hardtanh: (nn.Hardtanh, (2, 3)),
    nn.Tanh: (nn.Tanh, (2, 3)),
    nn.Sigmoid: (nn.Sigmoid, (2, 3)),
    nn.Softplus: (nn.Softplus, (2, 3)),
    nn.Softmax: (lambda: nn.Softmax(1), (2, 3)),
    nn.LogSoftmax: (lambda: nn.LogSoftmax(1), (2, 3)),
    nn.BatchNorm1d: (lambda: nn.BatchNorm1d(3), (2, 3)),
    nn.BatchNorm2d: (lambda: nn.BatchNorm2d(2), (2, 2, 3, 3)),
    nn.BatchNorm3d: (lambda: nn.BatchNorm3d(2), (2, 2, 3, 3, 3)),
    nn.LayerNorm: (lambda: nn.LayerNorm(3), (2, 3)),
    nn.GroupNorm: (lambda: nn.GroupNorm(2, 4), (2, 4, 3)),
    nn.MaxPool1d: (lambda: nn.MaxPool1d(2), (2, 2, 4)),
    nn.MaxPool2d: (lambda: nn.MaxPool2d(2), (2, 2, 4, 4)),
    nn.AvgPool1d: (lambda: nn.AvgPool1d(2), (2, 2, 4)),
    nn.AvgPool2d: (lambda: nn.AvgPool2d(2), (2, 2, 4, 4)),
    nn.AdaptiveAvgPool2d: (lambda: nn.AdaptiveAvgPool2d(1), (2, 2, 4, 4)),
    nn.Dropout: (nn.Dropout, (2, 3)),
    nn.Dropout1d: (nn.Dropout1d, (2, 2, 3)),
    nn.Dropout2d: (nn.Dropout2d, (2, 2, 3, 3)),
    nn.Dropout3d: (nn.Dropout3d, (2, 2, 3, 3, 3)),
    nn.AlphaDropout: (nn.AlphaDropout, (2, 3)),
}


def test_every_listed_layer_draws_no_random_numbers_in_eval_mode() -> None:
    assert set(LAYERS) == _RANDOM_FREE_IN_EVAL
    for kind, (make, shape) in LAYERS.items():
        layer = make().eval()
        assert draws_no_random(layer), kind
        if kind is nn.ModuleList:
            continue
        x = torch.randint(0, 10, shape) if kind is nn.Embedding else torch.randn(shape)
        before = torch.get_rng_state()
        layer(x, x) if kind is nn.Bilinear else layer(x)
        assert torch.equal(torch.get_rng_state(), before), kind


def test_dropout_draws_in_train_mode_so_the_check_can_fail() -> None:
    before = torch.get_rng_state()
    nn.Dropout().train()(torch.ones(4))
    assert not torch.equal(torch.get_rng_state(), before)
    assert not draws_no_random(nn.Sequential(nn.Linear(2, 2), nn.Dropout()).train())


class Noisy(nn.Module):
    """A layer of the user's own that draws random numbers in eval mode too."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + torch.rand_like(x)


class OwnLinear(nn.Linear):
    """A subclass of a listed layer, with noise in its forward."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) + torch.rand(1)


def _noise_hook(module: nn.Module, args: object, output: torch.Tensor) -> torch.Tensor:
    return output + torch.rand_like(output)


def _replaced_forward() -> nn.Module:
    layer = nn.Linear(3, 2)
    # the point of the case: mypy refuses assigning a method, and this one's parameter name
    layer.forward = lambda x: x @ torch.rand(3, 2)  # type: ignore[method-assign, assignment]
    return layer


def _hooked() -> nn.Module:
    layer = nn.Linear(3, 2)
    layer.register_forward_hook(_noise_hook)
    return layer


MAY_DRAW: dict[str, Callable[[], nn.Module]] = {
    "a layer of the user's own": lambda: nn.Sequential(nn.Linear(3, 2), Noisy()),
    "a subclass of a listed layer": lambda: OwnLinear(3, 2),
    "a forward replaced on an instance": _replaced_forward,
    "a hook": _hooked,
}


@pytest.mark.parametrize("make", MAY_DRAW.values(), ids=list(MAY_DRAW))
def test_a_module_that_may_draw_is_seeded_from_the_seed_and_iteration(
    make: Callable[[], nn.Module],
) -> None:
    model = make().eval()
    assert not draws_no_random(model)
    _assert_seeded(model)


@contextmanager
def _global_noise_hook() -> Iterator[None]:
    # torch types a global hook as returning None, though an output it returns replaces the
    # module's (as for a module's own hook).
    handle = nn.modules.module.register_module_forward_hook(_noise_hook)  # type: ignore[arg-type]
    try:
        yield
    finally:
        handle.remove()


def test_a_global_hook_registered_after_the_step_was_built_is_seeded_too() -> None:
    model = nn.Linear(3, 2)
    evaluator = supervised_evaluator(model)  # built while no global hook is there
    assert draws_no_random(model.eval())
    with _global_noise_hook():
        _assert_seeded(model, evaluator)


def _assert_seeded(model: nn.Module, evaluator: Loop[TrainState, Batch] | None = None) -> None:
    """Evaluations draw from ``(seed, iteration)``: the same seed gives the same outputs, another
    seed other ones, and the caller's stream is left as it was."""
    evaluator = evaluator or supervised_evaluator(model)
    x = torch.ones(2, 3)
    state = init_train_state(model, sgd(0.1))

    def output(seed: int) -> torch.Tensor:
        final = evaluator.run(attrs.evolve(state, seed=seed), [(x, torch.zeros(2))] * 2)
        value: TrainState = final.value
        y_pred: torch.Tensor = value.output[0]
        return y_pred

    caller = torch.get_rng_state()
    first, again, other = output(1), output(1), output(2)
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert torch.equal(torch.get_rng_state(), caller)
