"""``apply_gradients`` refuses gradients that do not fit their parameters before any work: a
short gradient would make torch's fused kernels read past its end, and the multi-tensor ops of
the chains would broadcast it silently."""

from collections.abc import Callable
from typing import Any

import pytest
import torch

from foldloop.train import (
    GradientTransformation,
    adagrad,
    adam,
    adamw,
    apply_gradients,
    chain,
    clip_by_value,
    rmsprop,
    scale_by_learning_rate,
    sgd,
)

# Any: optimizers whose states differ.
OPTIMIZERS: dict[str, Callable[[], GradientTransformation[Any]]] = {
    "sgd": lambda: sgd(lr=1.0),
    "sgd-momentum": lambda: sgd(lr=1.0, momentum=0.9),
    "adam": lambda: adam(amsgrad=True),
    "adamw": lambda: adamw(),
    "rmsprop": lambda: rmsprop(centered=True),
    "adagrad": lambda: adagrad(),
    "chain": lambda: chain(clip_by_value(1.0), scale_by_learning_rate(0.1)),
}

MISFITS: dict[str, tuple[torch.Tensor, str]] = {
    "short": (torch.ones(10), r"has shape \(10,\) but its parameter has shape \(1000,\)"),
    "broadcast": (torch.ones(1), r"has shape \(1,\) but its parameter has shape \(1000,\)"),
    "dtype": (
        torch.ones(1000, dtype=torch.float64),
        r"has dtype torch.float64 but its parameter has dtype",
    ),
    "device": (
        torch.ones(1000, device="meta"),
        r"has device meta but its parameter has device cpu",
    ),
}


@pytest.mark.parametrize("donate", [False, True])
@pytest.mark.parametrize("misfit", list(MISFITS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_gradient_that_does_not_fit_its_parameter_is_refused_naming_its_path(
    name: str, misfit: str, donate: bool
) -> None:
    optimizer = OPTIMIZERS[name]()
    params = {"layer": {"w": torch.zeros(1000), "b": torch.zeros(2)}}
    state = optimizer.init(params)
    grad, message = MISFITS[misfit]
    grads = {"layer": {"w": grad, "b": torch.ones(2)}}
    with pytest.raises(ValueError, match=rf"grads at 'layer.w' {message}.*torch.autograd.grad"):
        apply_gradients(optimizer, grads, state, params, donate=donate)
    assert not params["layer"]["w"].any()  # refused before anything was written


@pytest.mark.parametrize("make", [adam, adamw, lambda: sgd(0.1, momentum=0.9)])
@pytest.mark.parametrize("donate", [False, True])
def test_a_fused_step_refuses_moments_of_other_shapes_before_the_kernel_reads_them(
    make: Callable[[], GradientTransformation[Any]], donate: bool
) -> None:
    optimizer = make()
    state = optimizer.init({"w": torch.zeros(3)})
    params = {"w": torch.zeros(4)}
    for _ in range(2):  # the first step of SGD's fused kernel does not read the buffer
        state = apply_gradients(optimizer, {"w": torch.ones(3)}, state, {"w": torch.zeros(3)})[1]
    with pytest.raises(ValueError, match=r"at 'w' has shape \(3,\) but its parameter has shape"):
        apply_gradients(optimizer, {"w": torch.ones(4)}, state, params, donate=donate)
