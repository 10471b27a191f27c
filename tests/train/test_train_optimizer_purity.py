"""Optimizers are pure: nothing they are given changes, and their state is a checkpointable tree."""

from collections.abc import Callable
from typing import Any

import pytest
import torch
from train_problem import mlp_problem

from foldloop.train import (
    GradientTransformation,
    adagrad,
    adam,
    adamw,
    add_decayed_weights,
    apply_updates,
    chain,
    clip_by_global_norm,
    clip_by_value,
    rmsprop,
    scale_by_learning_rate,
    scale_by_schedule,
    sgd,
    step_schedule,
)
from foldloop.tree import tree_flatten_with_paths, tree_leaves, tree_map, tree_unflatten

# Any: a list mixing transformations whose states differ.
EVERY_OPTIMIZER: list[Callable[[], GradientTransformation[Any]]] = [
    lambda: sgd(0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda: sgd(0.1, momentum=0.5, dampening=0.5),
    lambda: adam(0.01, weight_decay=0.1, amsgrad=True),
    lambda: adamw(0.01, amsgrad=True),
    lambda: rmsprop(0.01, momentum=0.9, centered=True, weight_decay=0.1),
    lambda: adagrad(0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1),
    lambda: chain(clip_by_global_norm(0.1), clip_by_value(0.01), add_decayed_weights(0.1)),
    lambda: scale_by_schedule(step_schedule(1.0, 2)),
    lambda: scale_by_learning_rate(step_schedule(0.1, 1)),
]


def clone(tree: object) -> Any:  # Any: returns a tree of the same shape as given
    return tree_map(lambda leaf: leaf.clone() if isinstance(leaf, torch.Tensor) else leaf, tree)


def assert_bit_identical(before: object, after: object) -> None:
    assert all(
        torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b
        for a, b in zip(tree_leaves(before), tree_leaves(after), strict=True)
    )


@pytest.mark.parametrize("make", EVERY_OPTIMIZER)
def test_update_changes_none_of_its_inputs(make: Callable[[], GradientTransformation[Any]]) -> None:
    optimizer = make()
    params, gradient = mlp_problem()
    state = optimizer.init(params)
    for _ in range(3):  # a few steps, so that every state is past its first-step special case
        grads = gradient(params)
        saved = clone((grads, state, params))
        updates, new_state = optimizer.update(grads, state, params)
        new_params = apply_updates(params, updates)
        assert_bit_identical(saved, (grads, state, params))
        assert not any(
            torch.equal(a, b)
            for a, b in zip(tree_leaves(params), tree_leaves(new_params), strict=True)
        )
        state, params = new_state, new_params


@pytest.mark.parametrize("make", EVERY_OPTIMIZER)
def test_the_state_is_a_tree_that_rebuilds_from_its_paths(
    make: Callable[[], GradientTransformation[Any]],
) -> None:
    optimizer = make()
    params, gradient = mlp_problem()
    _, state = optimizer.update(gradient(params), optimizer.init(params), params)
    paths, leaves, spec = tree_flatten_with_paths(state)
    by_path = dict(zip(paths, leaves, strict=True))  # what a checkpoint stores
    assert_bit_identical(tree_unflatten(spec, [by_path[path] for path in paths]), state)


def test_moment_paths_name_the_parameters() -> None:
    params, _ = mlp_problem()
    paths, _, _ = tree_flatten_with_paths(adam().init(params))
    assert "0.exp_avg.0.weight" in paths
    assert "1.count" in paths


def test_updates_do_not_track_gradients() -> None:
    params, gradient = mlp_problem()
    tracked = tree_map(lambda p: p.requires_grad_(), clone(params))
    grads = tree_map(lambda g: g.requires_grad_(), gradient(params))
    optimizer = adam(0.1, amsgrad=True)
    updates, state = optimizer.update(grads, optimizer.init(tracked), tracked)
    tensors = [leaf for leaf in tree_leaves((updates, state)) if isinstance(leaf, torch.Tensor)]
    assert len(tensors) == 4 * 4  # updates, exp_avg, exp_avg_sq, max_exp_avg_sq
    assert not any(tensor.requires_grad for tensor in tensors)


def test_apply_updates_keeps_requires_grad_on_fresh_leaves() -> None:
    params = {"a": torch.ones(2, requires_grad=True), "b": torch.ones(2)}
    new = apply_updates(params, {"a": torch.ones(2), "b": torch.ones(2)})
    assert new["a"].requires_grad and new["a"].is_leaf
    assert not new["b"].requires_grad
