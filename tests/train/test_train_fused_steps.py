"""The ``apply`` of Adam, AdamW and SGD: torch's fused arithmetic bit for bit (out of place or
donated), the chain where the kernel does not apply, and pure unless donated."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from train_problem import Params, mlp_problem

from foldloop.train import (
    Optimizer,
    adam,
    adamw,
    apply_gradients,
    apply_updates,
    rmsprop,
    sgd,
)
from foldloop.train._optimizers import _fused_inputs
from foldloop.tree import tree_leaves, tree_map

STEPS = 50
Kwargs = dict[str, Any]  # Any: keyword arguments of mixed types, passed to both libraries

adam_kwargs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.05),
        "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
        "eps": st.one_of(st.just(1e-8), st.floats(1e-8, 1e-4)),
        "weight_decay": st.one_of(st.just(0.0), st.floats(1e-4, 0.1)),
        "amsgrad": st.booleans(),
    }
)


def sgd_momentum(**kwargs: Any) -> Optimizer:  # Any: adam's keywords, of mixed types
    return sgd(kwargs["lr"], momentum=kwargs["betas"][0], weight_decay=kwargs["weight_decay"])


PAIRS: list[tuple[Callable[..., Optimizer], type[torch.optim.Optimizer]]] = [
    (adam, torch.optim.Adam),
    (adamw, torch.optim.AdamW),
]


def clone(tree: object) -> Any:  # Any: a tree of the same shape as given
    return tree_map(lambda leaf: leaf.clone() if isinstance(leaf, torch.Tensor) else leaf, tree)


def assert_bit_identical(ours: object, theirs: object) -> None:
    pairs = zip(tree_leaves(ours), tree_leaves(theirs), strict=True)
    assert all(torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b for a, b in pairs)


@contextmanager
def kernels(path: str) -> Iterator[bool]:
    """The ``apply`` path to test: torch's fused kernel on copies (``"fused"``) or on the given
    tensors (``"donated"``; yields ``donate=True``), or the chain's ``update`` and
    ``apply_updates`` for devices the kernel does not take (``"fallback"``)."""
    with pytest.MonkeyPatch.context() as patch:
        if path == "fallback":
            patch.setattr(_fused_inputs, "_FUSED_DEVICES", ())
        yield path == "donated"


PATHS = ["fused", "donated", "fallback"]
PURE_PATHS = ["fused", "fallback"]


@pytest.fixture(params=PURE_PATHS)
def pure_path(request: pytest.FixtureRequest) -> Iterator[bool]:
    with kernels(request.param) as donate:
        yield donate


Step = tuple[Params, Params, Params, Any, Params]  # Any: the chain's state


def lockstep(
    optimizer: Optimizer, theirs: Callable[[list[nn.Parameter]], torch.optim.Optimizer], path: str
) -> Iterator[Step]:
    """Each step of ``optimizer``'s ``apply`` (on ``path``) fed torch's parameters and
    gradients: ``(torch's parameters before, the gradients, ours after, our state, torch's
    parameters after)``."""
    initial, gradient = mlp_problem()
    reference = {name: nn.Parameter(p.clone()) for name, p in initial.items()}
    torch_optimizer = theirs(list(reference.values()))
    state = optimizer.init(initial)
    with kernels(path) as donate:
        for _ in range(STEPS):
            current = {name: p.detach().clone() for name, p in reference.items()}
            grads = gradient(current)
            for name, p in reference.items():
                p.grad = grads[name].clone()
            torch_optimizer.step()
            new, state = apply_gradients(optimizer, grads, state, current, donate=donate)
            yield current, grads, new, state, {name: p.detach() for name, p in reference.items()}


@settings(max_examples=10)
@given(kwargs=adam_kwargs, pair=st.sampled_from(PAIRS), path=st.sampled_from(PATHS))
def test_apply_computes_what_torch_computes_bit_for_bit(
    kwargs: Kwargs,
    pair: tuple[Callable[..., Optimizer], type[torch.optim.Optimizer]],
    path: str,
) -> None:
    """Fed torch's parameters and gradients at every step, ``apply`` ends exactly where torch's
    fused step does on the fused kernel's paths (out of place or donated), and where its
    single-tensor step does to float rounding on the fallback (the chain)."""
    ours, theirs = pair
    implementation = {"foreach": False} if path == "fallback" else {"fused": True}
    steps = lockstep(ours(**kwargs), lambda ps: theirs(ps, **{**kwargs, **implementation}), path)
    for _, _, new, _, expected in steps:
        if path == "fallback":
            torch.testing.assert_close(new, expected, rtol=1e-5, atol=1e-6)
        else:
            assert_bit_identical(new, expected)


@st.composite
def sgd_kwargs(draw: st.DrawFn) -> Kwargs:
    momentum = draw(st.one_of(st.just(0.0), st.floats(0.05, 0.95)))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov or not momentum else draw(st.floats(0.0, 0.5))
    weight_decay = draw(st.one_of(st.just(0.0), st.floats(1e-4, 0.1)))
    return {
        "lr": draw(st.floats(1e-3, 0.2)),
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": nesterov,
        "weight_decay": weight_decay,
    }


@settings(max_examples=10)
@given(kwargs=sgd_kwargs(), path=st.sampled_from(PATHS))
def test_sgd_apply_computes_what_torch_computes_bit_for_bit(kwargs: Kwargs, path: str) -> None:
    """Fed torch's parameters and gradients at every step, ``sgd``'s ``apply`` ends where
    ``torch.optim.SGD(fused=True)`` does; the fallback is ``update`` + ``apply_updates``."""
    optimizer = sgd(**kwargs)
    steps = lockstep(optimizer, lambda ps: torch.optim.SGD(ps, fused=True, **kwargs), path)
    chained_state = optimizer.init(mlp_problem()[0])
    for current, grads, new, state, expected in steps:
        if path == "fallback":
            updates, chained_state = optimizer.update(grads, chained_state, current)
            assert_bit_identical((new, state), (apply_updates(current, updates), chained_state))
        else:
            assert_bit_identical(new, expected)


@settings(max_examples=5)
@given(kwargs=adam_kwargs, make=st.sampled_from([adam, adamw, sgd_momentum]))
def test_the_fused_kernel_in_place_and_on_copies_agree_bit_for_bit(
    kwargs: Kwargs, make: Callable[..., Optimizer]
) -> None:
    """Donated, the kernel updates the given tensors themselves (no copies), and ends where the
    out-of-place step does, bit for bit."""
    optimizer = make(**kwargs)
    params, gradient = mlp_problem()
    state = optimizer.init(params)
    donated: tuple[Params, Any] = clone((params, state))  # Any: the chain's state
    for _ in range(5):
        grads = gradient(params)
        params, state = apply_gradients(optimizer, grads, state, params)
        given = [t for t in tree_leaves(donated) if isinstance(t, torch.Tensor)]
        donated = apply_gradients(optimizer, grads, donated[1], donated[0], donate=True)
        new = [t for t in tree_leaves(donated) if isinstance(t, torch.Tensor)]
        assert_bit_identical(donated, (params, state))
        # every tensor is a given one (the clone above made the fresh moments dense)
        assert all(a is b for a, b in zip(new, given, strict=True))


@settings(max_examples=5)
@given(kwargs=adam_kwargs, make=st.sampled_from([adam, adamw]))
def test_apply_is_update_then_apply_updates_to_float_rounding(
    kwargs: Kwargs, make: Callable[..., Optimizer]
) -> None:
    optimizer = make(**kwargs)
    params, gradient = mlp_problem()
    state = optimizer.init(params)
    for _ in range(5):
        grads = gradient(params)
        updates, chained_state = optimizer.update(grads, state, params)
        chained = apply_updates(params, updates)
        params, state = apply_gradients(optimizer, grads, state, params)
        torch.testing.assert_close(params, chained, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(
            tree_leaves(state), tree_leaves(chained_state), rtol=1e-6, atol=1e-7
        )


FUSED: list[Callable[[], Optimizer]] = [
    lambda: adam(0.01, weight_decay=0.1, amsgrad=True),
    lambda: adamw(0.01, amsgrad=True),
    lambda: sgd(0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda: sgd(0.1),
]


@pytest.mark.parametrize("make", FUSED)
def test_apply_changes_none_of_its_inputs(make: Callable[[], Optimizer], pure_path: bool) -> None:
    optimizer = make()
    params, gradient = mlp_problem()
    state = optimizer.init(params)
    assert optimizer.apply is not None
    for _ in range(4):
        grads = gradient(params)
        saved = clone((grads, state, params))
        new_params, new_state = optimizer.apply(grads, state, params, donate=pure_path)
        assert_bit_identical((grads, state, params), saved)
        params, state = new_params, new_state


@pytest.mark.parametrize("path", PATHS)
def test_apply_keeps_requires_grad_as_the_parameters_had_it(path: str) -> None:
    optimizer = adamw(0.1)
    params = {"a": torch.ones(2, requires_grad=True), "b": torch.ones(2)}
    grads = {"a": torch.ones(2), "b": torch.ones(2)}
    assert optimizer.apply is not None
    with kernels(path) as donate:
        new, _ = optimizer.apply(grads, optimizer.init(params), params, donate=donate)
    assert (new["a"].requires_grad, new["b"].requires_grad) == (True, False)
    assert new["a"].grad_fn is None  # a fresh leaf, ready to be differentiated again


def test_apply_refuses_a_state_of_another_optimizer() -> None:
    params = {"w": torch.zeros(2)}
    optimizer = adamw()
    assert optimizer.apply is not None
    with pytest.raises(ValueError, match="a chain of 3 transformations needs a tuple"):
        optimizer.apply(params, sgd(0.1, momentum=0.9).init(params), params)


def test_apply_refuses_moments_that_do_not_fit_the_parameters() -> None:
    optimizer = adam()
    state = optimizer.init({"w": torch.zeros(2)})
    assert optimizer.apply is not None
    with pytest.raises(ValueError, match="exp_avg does not match updates: keys only in"):
        optimizer.apply({"v": torch.zeros(2)}, state, {"v": torch.zeros(2)})


def test_optimizers_without_a_fused_step_fall_back_to_update_and_apply_updates() -> None:
    optimizer = rmsprop(0.5, momentum=0.9)
    params = {"w": torch.tensor([1.0])}
    grads = {"w": torch.tensor([2.0])}
    assert optimizer.apply is None
    new, state = apply_gradients(optimizer, grads, optimizer.init(params), params)
    updates, expected_state = optimizer.update(grads, optimizer.init(params), params)
    assert_bit_identical((new, state), (apply_updates(params, updates), expected_state))


@pytest.mark.parametrize("make", FUSED)
@pytest.mark.parametrize("path", PATHS)
def test_apply_reads_tensors_of_any_memory_layout(make: Callable[[], Optimizer], path: str) -> None:
    """Column-major parameters and gradients step as their contiguous copies do (torch's fused
    kernels walk memory in order, so ``apply`` must hand them contiguous tensors)."""
    optimizer = make()
    generator = torch.Generator().manual_seed(0)
    values = [torch.randn(3, 4, generator=generator) for _ in range(2)]
    contiguous = {"w": values[0]}
    column_major = {"w": values[0].t().contiguous().t()}
    grads, column_grads = {"w": values[1]}, {"w": values[1].t().contiguous().t()}
    assert not column_major["w"].is_contiguous() and not column_grads["w"].is_contiguous()
    assert optimizer.apply is not None
    expected, _ = optimizer.apply(grads, optimizer.init(contiguous), contiguous)
    with kernels(path) as donate:
        state = optimizer.init(column_major)
        got, _ = optimizer.apply(column_grads, state, column_major, donate=donate)
    if path == "fallback":
        torch.testing.assert_close(got, expected)
    else:
        assert_bit_identical(got, expected)


@pytest.mark.parametrize("make", FUSED)
def test_apply_takes_trees_whose_keys_come_in_another_order(make: Callable[[], Optimizer]) -> None:
    """The gradients may list their keys in another order than the parameters (dicts of tensors
    take a fast path only when the orders agree): the same numbers, by key."""
    optimizer = make()
    params = {"b": torch.ones(2), "a": torch.ones(3)}
    grads = {"b": torch.full((2,), 0.5), "a": torch.full((3,), 2.0)}
    state = optimizer.init(params)
    same_order, _ = apply_gradients(optimizer, grads, state, params)
    other_order, _ = apply_gradients(optimizer, dict(reversed(grads.items())), state, params)
    assert sorted(same_order) == sorted(other_order) == ["a", "b"]
    assert all(torch.equal(same_order[key], other_order[key]) for key in same_order)
