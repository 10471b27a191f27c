"""The training edges a newcomer from Ignite hit (issue 14): a ``torch.optim`` optimizer, a
missing loss, junk hyper-parameters and devices are refused before a loop is built, with the
foldloop spelling; ``device=`` moves the state and each batch."""

from typing import Any

import pytest
import torch
from supervised_problem import batches, classifier
from torch import nn

from foldloop.metrics import MeanAbsoluteError, MeanSquaredError
from foldloop.train import (
    adam,
    chain,
    init_train_state,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)

CROSS_ENTROPY = nn.functional.cross_entropy
ONE_BETA: Any = (0.9,)  # Any: the mistake (one beta) that mypy would refuse too


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        (lambda model: torch.optim.Adam(model.parameters()), r"got a torch.optim.Adam;.*adam\("),
        (lambda model: torch.optim.Adam, r"got the class torch.optim.Adam;.*train.adam\(lr="),
        (lambda model: torch.optim.SGD, r"got the class torch.optim.SGD;.*train.sgd\(lr="),
        (lambda model: "adam", r"takes a foldloop optimizer \(init/update\), got str"),
    ],
    ids=["adam-instance", "adam-class", "sgd-class", "a-name"],
)
def test_a_torch_optimizer_is_refused_with_its_foldloop_counterpart(
    optimizer: Any, message: str
) -> None:
    model = classifier()
    with pytest.raises(TypeError, match=message):
        supervised_trainer(model, optimizer(model), CROSS_ENTROPY)
    with pytest.raises(TypeError, match=message.replace("supervised_trainer", "init_train_state")):
        init_train_state(model, optimizer(model))


def test_a_missing_loss_and_a_model_that_is_no_module_are_refused_when_built() -> None:
    with pytest.raises(TypeError, match=r"loss_fn\(y_pred, y\).*got None.*mse_loss"):
        supervised_trainer(classifier(), sgd(lr=0.1), None)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"takes a torch.nn.Module as its model, got str"):
        supervised_trainer("resnet", sgd(lr=0.1), CROSS_ENTROPY)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"supervised_evaluator takes a torch.nn.Module"):
        supervised_evaluator("resnet")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"init_train_state takes a torch.nn.Module"):
        init_train_state("resnet", sgd(lr=0.1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: adam(betas=ONE_BETA), ValueError, r"betas must be a pair.*betas=\(0.9, 0.999\)"),
        (lambda: sgd(lr=float("inf")), ValueError, "must be a finite number, got inf"),
        (lambda: adam(lr=float("nan")), ValueError, "must be a finite number, got nan"),
        (lambda: adam(eps=float("inf")), ValueError, "adam: eps must be a finite number"),
    ],
)
def test_hyper_parameters_are_refused_with_what_to_write(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()


def test_a_chain_state_of_the_wrong_length_is_told_in_numbers() -> None:
    optimizer = chain(sgd(lr=0.1), sgd(lr=0.1))
    params = {"w": torch.ones(1)}
    with pytest.raises(ValueError, match="needs a tuple of 2 states, got a tuple of 0"):
        optimizer.update(params, (), params)  # the state () is of the wrong length


def test_training_on_a_device_gives_the_run_of_the_default_device() -> None:
    model, data = classifier(), batches(3)
    plain = supervised_trainer(model, adam(lr=0.01), CROSS_ENTROPY)
    placed = supervised_trainer(model, adam(lr=0.01), CROSS_ENTROPY, device="cpu")
    start = init_train_state(model, adam(lr=0.01), device=torch.device("cpu"))
    expected = plain.run(start, data, max_epochs=2)
    got = placed.run(start, data, max_epochs=2)
    assert got == expected
    assert all(t.device.type == "cpu" for t in got.value.params.values())
    evaluator = supervised_evaluator(model, device="cpu")
    y_pred, y = evaluator.run(got.value, data).value.output
    assert y_pred.shape == (6, 3) and y.device.type == "cpu"


@pytest.mark.parametrize(
    ("device", "error", "message"),
    [
        ("gpu", ValueError, r"device='gpu' is not a device torch can name; write 'cpu', 'cuda'"),
        (0.5, TypeError, "device takes a str or a torch.device, got float"),
    ],
)
def test_a_device_torch_cannot_name_is_refused(
    device: Any, error: type[Exception], message: str
) -> None:
    for build in (
        lambda: supervised_trainer(classifier(), sgd(lr=0.1), CROSS_ENTROPY, device=device),
        lambda: supervised_evaluator(classifier(), device=device),
        lambda: init_train_state(classifier(), sgd(lr=0.1), device=device),
    ):
        with pytest.raises(error, match=message):
            build()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_cuda_on_a_machine_without_it_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="torch sees no CUDA device here"):
        supervised_trainer(classifier(), sgd(lr=0.1), CROSS_ENTROPY, device="cuda")


@pytest.mark.parametrize("metric", [MeanSquaredError(), MeanAbsoluteError()])
def test_errors_of_complex_tensors_are_refused_not_computed_on_their_real_part(
    metric: MeanSquaredError | MeanAbsoluteError,
) -> None:
    batch = (torch.tensor([1 + 1j]), torch.tensor([1 + 0j]))
    with pytest.raises(TypeError, match=r"takes real tensors.*torch.view_as_real"):
        metric.fold([batch])
