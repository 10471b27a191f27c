"""A step seeds torch's generators exactly when its module (or, training, its loss) may draw
random numbers.

A module built only of torch's layers that draw none (the dropouts: in eval mode) runs unseeded
(seeding costs a few microseconds a batch); anything else (another class, a subclass, a replaced
``forward``, a hook, a global hook, a loss of the user's own) is seeded from
``(seed, iteration)``, and leaves the caller's random stream as it was.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from foldloop import Loop
from foldloop.train import (
    Batch,
    TrainState,
    init_train_state,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)
from foldloop.train._randomness import (
    _DRAW_WHEN_TRAINING,
    _LOSS_FUNCTIONS,
    _NEVER_DRAW,
    draws_no_random,
    loss_draws_no_random,
)

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


def _draws(layer: Callable[..., torch.Tensor], *args: torch.Tensor) -> bool:
    """Whether calling ``layer(*args)``, then the backward pass of its output, moves torch's
    generator."""
    before = torch.get_rng_state()
    out = layer(*args)
    inputs = [t for t in args if t.requires_grad]
    if inputs:
        torch.autograd.grad(out.sum(), inputs)
    return not torch.equal(torch.get_rng_state(), before)


def test_every_listed_layer_draws_no_random_numbers() -> None:
    assert set(LAYERS) == (_NEVER_DRAW - set(LOSSES)) | _DRAW_WHEN_TRAINING
    for kind, (make, shape) in LAYERS.items():
        for training in (True, False) if kind in _NEVER_DRAW else (False,):
            layer = make().train(training)
            assert draws_no_random(layer), (kind, training)
            if kind is nn.ModuleList:
                continue
            if kind is nn.Embedding:
                x = torch.randint(0, 10, shape)
            else:
                x = torch.randn(shape, requires_grad=True)
            args = (x, x) if kind is nn.Bilinear else (x,)
            assert not _draws(layer, *args), (kind, training)


# Every listed loss, as a module and as a function, with a prediction and target it takes.
LOSSES: dict[type[nn.Module], Callable[..., torch.Tensor]] = {
    nn.CrossEntropyLoss: F.cross_entropy,
    nn.NLLLoss: F.nll_loss,
    nn.MSELoss: F.mse_loss,
    nn.L1Loss: F.l1_loss,
    nn.SmoothL1Loss: F.smooth_l1_loss,
    nn.HuberLoss: F.huber_loss,
    nn.BCELoss: F.binary_cross_entropy,
    nn.BCEWithLogitsLoss: F.binary_cross_entropy_with_logits,
    nn.KLDivLoss: F.kl_div,
}


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")  # kl_div's default
def test_every_listed_loss_draws_no_random_numbers() -> None:
    assert set(LOSSES) <= _NEVER_DRAW and set(LOSSES.values()) == set(_LOSS_FUNCTIONS)
    for kind, function in LOSSES.items():
        pred = torch.rand(4, 3, requires_grad=True)
        classes = kind in (nn.CrossEntropyLoss, nn.NLLLoss)
        target = torch.tensor([0, 2, 1, 0]) if classes else torch.rand(4, 3)
        for loss in (kind(), function):
            assert loss_draws_no_random(loss), loss
            assert not _draws(loss, pred, target), loss


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


def _noisy_loss(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(y_pred + torch.rand_like(y_pred), y)


def _trained_weight(
    model: nn.Module, loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], seed: int
) -> torch.Tensor:
    trainer = supervised_trainer(model, sgd(0.1), loss)
    state = attrs.evolve(init_train_state(model, sgd(0.1)), seed=seed)
    final = trainer.run(state, [(torch.ones(32, 3), torch.zeros(32, 2))] * 2)  # 64 draws a step
    weight: torch.Tensor = next(iter(final.value.params.values()))
    return weight


@pytest.mark.parametrize(
    ("model", "loss"),
    [
        (lambda: nn.Linear(3, 2), _noisy_loss),  # a loss of the user's own
        (lambda: nn.Sequential(nn.Linear(3, 2), nn.Dropout()), F.mse_loss),  # dropout, training
    ],
    ids=["own loss", "dropout"],
)
def test_a_training_step_that_may_draw_is_seeded_from_the_seed_and_iteration(
    model: Callable[[], nn.Module], loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
) -> None:
    made = model()
    assert not (draws_no_random(made.train()) and loss_draws_no_random(loss))
    caller = torch.get_rng_state()
    first, again, other = (_trained_weight(made, loss, seed) for seed in (1, 1, 2))
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert torch.equal(torch.get_rng_state(), caller)


def test_a_training_step_of_torch_layers_and_loss_needs_no_seed() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    assert draws_no_random(model.train()) and loss_draws_no_random(F.mse_loss)
    caller = torch.get_rng_state()
    assert torch.equal(_trained_weight(model, F.mse_loss, 1), _trained_weight(model, F.mse_loss, 2))
    assert torch.equal(torch.get_rng_state(), caller)
    with _global_noise_hook():  # a hook for every module may draw: seeded again
        first, other = (_trained_weight(model, F.mse_loss, seed) for seed in (1, 2))
    assert not torch.equal(first, other)
