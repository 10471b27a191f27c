"""Steps are pure: the given state, the module template and the global RNG are left as they were."""

from collections.abc import Callable
from typing import Any

import attrs
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from supervised_problem import batches, classifier, deep_copy, one_thread

from foldloop import State
from foldloop.train import (
    GradientTransformation,
    TrainState,
    adamw,
    init_train_state,
    params_of,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)

# Any: optimizers whose states differ.
OPTIMIZERS: list[Callable[[], GradientTransformation[Any]]] = [
    lambda: adamw(0.01),
    lambda: sgd(0.1, momentum=0.9, weight_decay=0.01),
]


@given(
    optimizer=st.sampled_from(OPTIMIZERS),
    accumulation=st.integers(1, 3),
    iterations=st.integers(1, 5),
    batch_norm=st.booleans(),
)
def test_a_training_run_changes_nothing_it_was_given(
    optimizer: Callable[[], GradientTransformation[Any]],
    accumulation: int,
    iterations: int,
    batch_norm: bool,
) -> None:
    model = classifier(batch_norm=batch_norm)
    template = {name: t.clone() for name, t in model.state_dict().items()}
    trainer = supervised_trainer(
        model, optimizer(), F.cross_entropy, gradient_accumulation_steps=accumulation
    )
    data = batches(iterations)
    saved_data = [(x.clone(), y.clone()) for x, y in data]
    rng = torch.get_rng_state()
    with one_thread():
        seen = [
            (event, state, deep_copy(state))
            for event, state in trainer.scan(init_train_state(model, optimizer()), data)
        ]
    for event, state, copy in seen:  # the later steps changed none of the earlier states
        assert state == copy, f"the state after {type(event).__name__} changed"
    assert all(torch.equal(t, model.state_dict()[name]) for name, t in template.items())
    assert model.training
    assert all(torch.equal(a, b) for a, b in zip(_flat(data), _flat(saved_data), strict=True))
    assert torch.equal(torch.get_rng_state(), rng)


def _flat(data: list[tuple[torch.Tensor, torch.Tensor]]) -> list[torch.Tensor]:
    return [tensor for pair in data for tensor in pair]


def test_training_updates_parameters_and_batch_norm_statistics_in_the_new_state_only() -> None:
    model = classifier()
    trainer = supervised_trainer(model, adamw(0.01), F.cross_entropy)
    initial = init_train_state(model, adamw(0.01))
    final = trainer.run(initial, batches(3)).value
    assert final.step == 3 and final.grads is None and isinstance(final.output, float)
    assert int(final.buffers["1.num_batches_tracked"]) == 3
    assert int(initial.buffers["1.num_batches_tracked"]) == 0
    assert not torch.equal(final.buffers["1.running_mean"], initial.buffers["1.running_mean"])
    assert all(not torch.equal(final.params[n], p) for n, p in initial.params.items())
    assert all(p.requires_grad and p.is_leaf and p.grad is None for p in final.params.values())
    assert torch.equal(model.get_buffer("1.running_mean"), torch.zeros(8))


def test_dropout_is_on_in_training_drawn_from_the_seed_and_off_in_evaluation() -> None:
    model = classifier(dropout=0.5, batch_norm=False).eval()  # the user's mode does not matter
    trainer = supervised_trainer(model, sgd(0.1), F.cross_entropy)

    def trained(seed: int) -> TrainState:
        return trainer.run(init_train_state(model, sgd(0.1), seed=seed), batches(2)).value

    assert trained(1) == trained(1)
    assert trained(1) != trained(2)
    evaluator = supervised_evaluator(model)
    predictions = [
        evaluator.run(attrs.evolve(trained(1), seed=seed), batches(1)).value.output[0]
        for seed in (1, 2)
    ]
    assert torch.equal(predictions[0], predictions[1])
    assert not model.training


def test_evaluation_changes_only_the_output_and_leaves_the_template_in_train_mode() -> None:
    model = classifier()
    initial = State(value=init_train_state(model, sgd(0.1)))
    saved = deep_copy(initial)
    final = supervised_evaluator(model).run(initial, batches(2))
    assert initial == saved and model.training
    y_pred, y = final.value.output
    assert y_pred.shape == (6, 3) and not y_pred.requires_grad
    assert final.value == TrainState(
        saved.value.params, saved.value.buffers, saved.value.opt_state, output=(y_pred, y)
    )


def test_frozen_parameters_are_read_from_the_template_and_never_trained() -> None:
    model = classifier(batch_norm=False)
    model.get_submodule("0").requires_grad_(False)
    frozen = model.get_parameter("0.weight").clone()
    trainer = supervised_trainer(model, sgd(0.1), F.cross_entropy)
    state = trainer.run(init_train_state(model, sgd(0.1)), batches(2)).value
    assert sorted(state.params) == sorted(params_of(model)) == ["4.bias", "4.weight"]
    assert torch.equal(model.get_parameter("0.weight"), frozen)
