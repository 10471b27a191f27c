"""Bad hyper-parameters and mismatched trees are refused with a message saying what and how."""

from collections.abc import Callable

import pytest
import torch

from foldloop.train import (
    adagrad,
    adam,
    adamw,
    apply_updates,
    clip_by_global_norm,
    clip_by_value,
    rmsprop,
    scale_by_schedule,
    sgd,
    trace,
)

Refusal = tuple[Callable[[], object], type[Exception], str]

BAD_HYPER_PARAMETERS: list[Refusal] = [
    (lambda: sgd(-0.1), ValueError, r"learning rate is -0\.1 at step 0; .* must be >= 0"),
    (lambda: adam(lr=lambda step: step - 1.0), ValueError, r"learning rate is -1\.0 at step 0"),
    (lambda: adam(lr="fast"), TypeError, r"lr \(or a callable .*\) must be a real number, got str"),  # type: ignore[arg-type]
    (lambda: adam(betas=(1.0, 0.999)), ValueError, r"adam: betas\[0\] must be in \[0, 1\), got 1"),
    (lambda: adamw(betas=(0.9, -0.1)), ValueError, r"adamw: betas\[1\] must be in \[0, 1\)"),
    (lambda: adam(eps=-1e-8), ValueError, r"adam: eps must be >= 0, got -1e-08"),
    (lambda: adamw(weight_decay=-0.01), ValueError, r"adamw: weight_decay must be >= 0"),
    (lambda: sgd(0.1, momentum=-0.9), ValueError, r"sgd: momentum must be >= 0, got -0\.9"),
    (lambda: sgd(0.1, dampening=-0.1), ValueError, r"sgd: dampening must be >= 0"),
    (lambda: sgd(0.1, nesterov=True), ValueError, r"sgd: nesterov momentum needs momentum > 0"),
    (
        lambda: sgd(0.1, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        r"needs momentum > 0 and dampening 0, .* or nesterov=False",
    ),
    (lambda: rmsprop(alpha=1.5), ValueError, r"rmsprop: alpha must be in \[0, 1\), got 1\.5"),
    (lambda: rmsprop(momentum=-1), ValueError, r"rmsprop: momentum must be >= 0"),
    (
        lambda: rmsprop(eps=float("nan")),
        ValueError,
        r"rmsprop: eps must be a finite number, got nan",
    ),
    (lambda: adagrad(lr_decay=-0.1), ValueError, r"adagrad: lr_decay must be >= 0"),
    (
        lambda: adagrad(initial_accumulator_value=-1),
        ValueError,
        r"adagrad: initial_accumulator_value must be >= 0",
    ),
    (lambda: adagrad(eps=True), TypeError, r"adagrad: eps must be a real number, got bool"),
    (lambda: clip_by_global_norm(0.0), ValueError, r"max_norm must be > 0, got 0\.0"),
    (lambda: clip_by_value(-1.0), ValueError, r"clip_value must be > 0, got -1\.0"),
    (lambda: trace(momentum=0.0, nesterov=True), ValueError, r"trace: nesterov momentum"),
    (lambda: scale_by_schedule(0.5), TypeError, r"needs a callable step -> float, got 0\.5"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_HYPER_PARAMETERS)
def test_bad_hyper_parameters_are_refused(
    make: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()


def params_ab() -> dict[str, torch.Tensor]:
    return {"a": torch.zeros(2), "b": torch.zeros(3)}


def test_a_state_for_other_parameters_is_refused_naming_the_keys() -> None:
    optimizer = adam()
    state = optimizer.init(params_ab())
    other = {"a": torch.zeros(2), "c": torch.zeros(3)}
    with pytest.raises(
        ValueError,
        match=r"scale_by_adam: exp_avg does not match updates: keys only in updates: \['c'\], "
        r"keys only in exp_avg: \['b'\]; .* call init\(params\)",
    ):
        optimizer.update(other, state, other)


def test_grads_missing_a_parameter_are_refused_naming_it() -> None:
    optimizer = sgd(0.1, momentum=0.9)
    state = optimizer.init(params_ab())
    grads = {"a": torch.zeros(2), "b": None}  # b was not used by the loss
    with pytest.raises(ValueError, match=r"keys only in momentum_buffer: \['b'\]"):
        optimizer.update(grads, state, params_ab())  # type: ignore[type-var]  # the point of the test


def test_grads_and_params_of_different_structure_are_refused_by_weight_decay() -> None:
    optimizer = adam(weight_decay=0.1)
    state = optimizer.init(params_ab())
    with pytest.raises(ValueError, match=r"add_decayed_weights: params does not match updates"):
        optimizer.update(params_ab(), state, {"a": torch.zeros(2)})


def test_a_container_change_with_the_same_keys_is_refused() -> None:
    optimizer = adagrad()
    state = optimizer.init({"w": [torch.zeros(1)]})
    with pytest.raises(ValueError, match=r"the keys agree but the containers differ"):
        optimizer.update({"w": (torch.zeros(1),)}, state, {"w": (torch.zeros(1),)})


def test_a_leaf_that_is_not_a_tensor_is_refused_naming_it() -> None:
    optimizer = rmsprop()
    state = optimizer.init(params_ab())
    with pytest.raises(
        TypeError, match=r"updates must hold only tensors, but has \['b \(float\)'\]"
    ):
        optimizer.update({"a": torch.zeros(2), "b": 0.5}, state, params_ab())  # type: ignore[type-var]  # the point


def test_a_tree_without_tensors_is_refused() -> None:
    optimizer = sgd(0.1)
    with pytest.raises(ValueError, match=r"updates holds no tensors; .* at least one parameter"):
        optimizer.update({}, optimizer.init({}), {})


def test_the_state_of_another_optimizer_is_refused() -> None:
    params = params_ab()
    with pytest.raises(
        TypeError, match=r"scale_by_adam needs its state to be a AdamState, got TraceState"
    ):
        adam().update(params, sgd(0.1, momentum=0.9).init(params), params)


def test_a_state_of_another_length_is_refused() -> None:
    params = params_ab()
    with pytest.raises(
        ValueError, match=r"a chain of 2 transformations needs a tuple of 2 states, got a tuple of"
    ):
        adam().update(params, sgd(0.1).init(params), params)


def test_apply_updates_refuses_updates_of_another_structure() -> None:
    with pytest.raises(
        ValueError, match=r"updates does not match params: keys only in params: \['b'\]"
    ):
        apply_updates(params_ab(), {"a": torch.zeros(2)})
