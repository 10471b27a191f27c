"""A template calls its module on the state's tensors, as the module with those tensors would."""

import copy
from collections.abc import Callable

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrizations

from foldloop.train import buffers_of, params_of
from foldloop.train._module import Template


class TiedLayers(nn.Module):
    """Two layers sharing one weight: one tensor under two names."""

    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(4, 4)
        self.second = nn.Linear(4, 4)
        self.second.weight = self.first.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.second(torch.tanh(self.first(x)))
        return out


class LastOutput(nn.Module):
    """An LSTM's output sequence (an LSTM returns a tuple)."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(4, 4, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.lstm(x.unsqueeze(1))[0]
        return out.squeeze(1)


MODELS: dict[str, Callable[[], nn.Module]] = {
    "an MLP with batch norm": lambda: nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4)
    ),
    "tied weights": TiedLayers,
    "a weight-normed layer": lambda: parametrizations.weight_norm(nn.Linear(4, 4)),
    "an LSTM": LastOutput,
}


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("training", [True, False])
def test_a_template_call_equals_the_module_holding_the_same_tensors(
    make: Callable[[], nn.Module], training: bool
) -> None:
    torch.manual_seed(0)
    model = make()
    params = {name: p + 0.5 for name, p in params_of(model).items()}  # not the module's own
    buffers = buffers_of(model)
    x = torch.randn(6, 4)
    expected_module = copy.deepcopy(model).train(training)
    with torch.no_grad():
        for name, p in expected_module.named_parameters():
            p.copy_(params[name])
    expected = expected_module(x)
    template = Template.of(model, training)
    y_pred, new_buffers = template(params, buffers, x)
    torch.testing.assert_close(y_pred, expected)
    expected_buffers = dict(expected_module.named_buffers())
    torch.testing.assert_close(new_buffers, {n: expected_buffers[n] for n in new_buffers})


def test_the_template_gets_its_own_tensors_back_even_when_the_call_fails() -> None:
    model = nn.Linear(4, 4)
    template = Template.of(model, training=True)
    params = {name: torch.zeros_like(p) for name, p in params_of(model).items()}
    with pytest.raises(RuntimeError):
        template(params, {}, torch.ones(2, 5))  # 5 features for a 4-feature layer
    assert template.module.weight is model.weight and template.module.bias is model.bias


def test_the_template_gets_its_own_tensors_back_when_a_name_is_unknown_half_way() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
    template = Template.of(model, training=True)
    own = {name: t for name, t in template.module.state_dict(keep_vars=True).items()}
    params = {name: torch.zeros_like(p) for name, p in params_of(model).items()}
    buffers = {**buffers_of(model), "1.no_such_buffer": torch.zeros(4)}
    with pytest.raises(KeyError, match="no_such_buffer"):
        template(params, buffers, torch.ones(2, 4))  # the parameters are swapped in first
    now = template.module.state_dict(keep_vars=True)
    assert all(now[name] is tensor for name, tensor in own.items())
