"""The evaluation step runs without grad and gives the caller's grad mode back, even on error."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from foldloop import Loop, RunError
from foldloop.train import TrainState, buffers_of, params_of, supervised_evaluation_step


class _Fails(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert not torch.is_grad_enabled()
        raise RuntimeError("forward failed")


@pytest.mark.parametrize("grad_enabled", [True, False])
def test_the_step_runs_without_grad_and_restores_the_grad_mode(grad_enabled: bool) -> None:
    model = nn.Linear(2, 2)
    state = TrainState(params_of(model), buffers_of(model), ())
    with torch.set_grad_enabled(grad_enabled):
        final = Loop(supervised_evaluation_step(model)).run(
            state, [(torch.ones(3, 2), torch.zeros(3))]
        )
        assert torch.is_grad_enabled() is grad_enabled
    y_pred, _ = final.value.output
    assert not y_pred.requires_grad and y_pred.grad_fn is None


@pytest.mark.parametrize("grad_enabled", [True, False])
def test_a_failing_forward_leaves_the_grad_mode_as_it_was(grad_enabled: bool) -> None:
    model = _Fails()
    state = TrainState(params_of(model), buffers_of(model), ())
    with torch.set_grad_enabled(grad_enabled):
        with pytest.raises(RunError) as raised:
            Loop(supervised_evaluation_step(model)).run(state, [(torch.ones(1, 2), torch.zeros(1))])
        assert torch.is_grad_enabled() is grad_enabled
    assert "forward failed" in str(raised.value.__cause__)
