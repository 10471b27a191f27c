"""Each optimizer follows its torch.optim counterpart for 200 steps, to float32 tolerance."""

from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from train_problem import (
    Params,
    train_in_lockstep,
    train_with_foldloop,
    train_with_torch,
)

from foldloop.train import (
    Optimizer,
    adagrad,
    adam,
    adamw,
    cosine_annealing,
    rmsprop,
    sgd,
    step_schedule,
)

STEPS = 200
Kwargs = dict[str, Any]  # Any: keyword arguments of mixed types, passed to both libraries


# Each step may round foldloop's update differently from torch's by about one float32 ulp
# (torch fuses ``p - lr * d`` into one kernel, foldloop scales and then adds), and nothing makes
# those differences cancel, so after STEPS steps the parameters agree to STEPS ulps.
RTOL = STEPS * torch.finfo(torch.float32).eps  # 2.4e-5
ATOL = 1e-5  # assert_close's float32 default, for parameters near zero


def assert_same_parameters(ours: Params, theirs: Params) -> None:
    # A large learning rate with Nesterov momentum can diverge: both then hold NaN at the
    # same places (a NaN where the other has a number still fails).
    torch.testing.assert_close(ours, theirs, rtol=RTOL, atol=ATOL, equal_nan=True)


def assert_lockstep_parity(
    ours: Callable[..., Optimizer], theirs: type[torch.optim.Optimizer], kwargs: Kwargs
) -> None:
    assert_same_parameters(
        *train_in_lockstep(ours(**kwargs), lambda params: theirs(params, **kwargs), STEPS)
    )


def maybe(values: st.SearchStrategy[float]) -> st.SearchStrategy[float]:
    """Zero (the option is off) or a value from ``values``."""
    return st.one_of(st.just(0.0), values)


weight_decays = maybe(st.floats(1e-4, 0.1))
epsilons = st.one_of(st.just(1e-8), st.floats(1e-8, 1e-4))


@st.composite
def sgd_kwargs(draw: st.DrawFn) -> Kwargs:
    momentum = draw(maybe(st.floats(0.05, 0.95)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(maybe(st.floats(0.0, 0.5)))
    return {
        "lr": draw(st.floats(1e-3, 0.2)),
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": nesterov,
        "weight_decay": draw(weight_decays),
    }


adam_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.05),
        "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
        "eps": epsilons,
        "weight_decay": weight_decays,
        "amsgrad": st.booleans(),
    }
)

rmsprop_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.02),
        "alpha": st.floats(0.5, 0.999),
        "eps": epsilons,
        "weight_decay": weight_decays,
        "momentum": maybe(st.floats(0.05, 0.9)),
        "centered": st.booleans(),
    }
)

adagrad_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-3, 0.5),
        "lr_decay": maybe(st.floats(1e-4, 0.1)),
        "weight_decay": weight_decays,
        "initial_accumulator_value": maybe(st.floats(1e-3, 0.5)),
        "eps": st.one_of(st.just(1e-10), st.floats(1e-10, 1e-6)),
    }
)


@settings(max_examples=10)
@given(sgd_kwargs())
def test_sgd_follows_torch(kwargs: Kwargs) -> None:
    assert_lockstep_parity(sgd, torch.optim.SGD, kwargs)


@settings(max_examples=10)
@given(adam_kwargs)
def test_adam_follows_torch(kwargs: Kwargs) -> None:
    assert_lockstep_parity(adam, torch.optim.Adam, kwargs)


@settings(max_examples=10)
@given(adam_kwargs)
def test_adamw_follows_torch(kwargs: Kwargs) -> None:
    assert_lockstep_parity(adamw, torch.optim.AdamW, kwargs)


@settings(max_examples=10)
@given(rmsprop_kwargs)
def test_rmsprop_follows_torch(kwargs: Kwargs) -> None:
    assert_lockstep_parity(rmsprop, torch.optim.RMSprop, kwargs)


@settings(max_examples=10)
@given(adagrad_kwargs)
def test_adagrad_follows_torch(kwargs: Kwargs) -> None:
    assert_lockstep_parity(adagrad, torch.optim.Adagrad, kwargs)


def test_a_scheduled_learning_rate_follows_a_torch_scheduler() -> None:
    ours = sgd(step_schedule(0.1, step_size=30, gamma=0.5), momentum=0.9)
    assert_same_parameters(
        *train_in_lockstep(
            ours,
            lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
            STEPS,
            lambda optimizer: torch.optim.lr_scheduler.StepLR(optimizer, 30, gamma=0.5),
        )
    )


def test_a_cosine_learning_rate_follows_torch_in_adamw() -> None:
    ours = adamw(cosine_annealing(0.01, period=STEPS), weight_decay=0.1)
    assert_same_parameters(
        *train_in_lockstep(
            ours,
            lambda params: torch.optim.AdamW(params, lr=0.01, weight_decay=0.1),
            STEPS,
            lambda optimizer: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, STEPS),
        )
    )


# Settings where training is stable: there torch run against itself with lr * (1 + 1e-6) ends
# within 4e-6, so rounding differences cannot grow past the tolerance (see train_in_lockstep).
FREE_RUNS: list[tuple[Callable[..., Optimizer], type[torch.optim.Optimizer], Kwargs]] = [
    (sgd, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True}),
    (adamw, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
    (rmsprop, torch.optim.RMSprop, {"lr": 0.001, "momentum": 0.5, "centered": True}),
    (
        adagrad,
        torch.optim.Adagrad,
        {"lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
    ),
]


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), FREE_RUNS)
def test_training_on_its_own_gradients_ends_where_torch_does(
    ours: Callable[..., Optimizer], theirs: type[torch.optim.Optimizer], kwargs: Kwargs
) -> None:
    assert_same_parameters(
        train_with_foldloop(ours(**kwargs), STEPS),
        train_with_torch(lambda params: theirs(params, **kwargs), STEPS),
    )
