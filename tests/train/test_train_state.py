"""TrainState: a pytree compared bitwise; params_of/buffers_of copy, load_into writes back."""

from typing import Any

import attrs
import pytest
import torch
from supervised_problem import classifier
from torch import nn

from foldloop import State
from foldloop.train import (
    TrainState,
    adam,
    buffers_of,
    init_train_state,
    load_into,
    params_of,
    sgd,
)
from foldloop.tree import tree_paths


def small_state(**changes: Any) -> TrainState:  # Any: any field, each of its own type
    state = TrainState({"w": torch.tensor([1.0, 2.0])}, {"n": torch.tensor(3)}, (), step=1)
    return attrs.evolve(state, **changes)


def test_states_with_equal_tensors_are_equal_and_states_compare_inside_state() -> None:
    assert small_state() == small_state()
    assert State(value=small_state()) == State(value=small_state())


@pytest.mark.parametrize(
    "changes",
    [
        {"params": {"w": torch.tensor([1.0, 2.5])}},  # a value
        {"params": {"w": torch.tensor([1.0, 2.0], dtype=torch.float64)}},  # a dtype
        {"params": {"w": torch.tensor([1.0, 2.0]), "v": torch.tensor(0.0)}},  # the structure
        {"params": {"w": 1.0}},  # a tensor against a number
        {"step": 2},
        {"output": 0.5},
        {"grads": {"w": torch.zeros(2)}},
    ],
)
def test_any_difference_makes_states_unequal(changes: dict[str, object]) -> None:
    assert small_state() != small_state(**changes)


def test_a_train_state_is_a_pytree_with_named_leaves_and_unhashable() -> None:
    state = init_train_state(nn.Linear(2, 1), adam(0.1))
    paths = tree_paths(state)
    assert "params.weight" in paths and "opt_state.0.exp_avg.bias" in paths
    assert "step" in paths and "seed" in paths
    with pytest.raises(TypeError):
        hash(state)


def test_params_of_copies_trainable_parameters_only_and_buffers_of_copies_buffers() -> None:
    model = classifier()
    model.get_parameter("4.bias").requires_grad_(False)
    params, buffers = params_of(model), buffers_of(model)
    assert sorted(params) == ["0.weight", "1.bias", "1.weight", "4.weight"]
    assert sorted(buffers) == ["1.num_batches_tracked", "1.running_mean", "1.running_var"]
    for name, tensor in {**params, **buffers}.items():
        original = model.get_parameter(name) if name in params else model.get_buffer(name)
        assert torch.equal(tensor, original)
        assert tensor.data_ptr() != original.data_ptr()
        assert tensor.is_leaf and tensor.requires_grad == (name in params)


def test_load_into_writes_params_and_buffers_back_into_a_module() -> None:
    source, target = classifier(seed=1), classifier(seed=2)
    state = init_train_state(source, sgd(0.1))
    load_into(target, state)
    for (name, a), b in zip(source.state_dict().items(), target.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_load_into_refuses_a_state_of_another_module() -> None:
    state = init_train_state(nn.Linear(2, 1), sgd(0.1))
    with pytest.raises(KeyError, match="does not have: \\['bias', 'weight'\\]"):
        load_into(nn.Sequential(nn.Linear(2, 1)), state)


def test_init_train_state_refuses_a_model_without_parameters_and_a_negative_seed() -> None:
    with pytest.raises(ValueError, match="ReLU has no trainable parameters"):
        init_train_state(nn.ReLU(), sgd(0.1))
    frozen = nn.Linear(2, 1).requires_grad_(False)
    with pytest.raises(ValueError, match="Linear has no trainable parameters"):
        init_train_state(frozen, sgd(0.1))
    with pytest.raises(ValueError, match="seed must be a whole number"):
        init_train_state(nn.Linear(2, 1), sgd(0.1), seed=-1)
