"""``without_grad``: a call with autograd off, the caller's grad mode back afterwards."""

import inspect

import pytest
import torch

from foldloop.train._grad_mode import without_grad


@without_grad
def _scaled(t: torch.Tensor, factor: float = 2.0) -> torch.Tensor:
    return t * factor


@without_grad
def _failing(t: torch.Tensor) -> torch.Tensor:
    raise RuntimeError(f"no result for {tuple(t.shape)}")


@pytest.mark.parametrize("enabled", [True, False])
def test_the_call_builds_no_graph_and_leaves_the_grad_mode_as_it_was(enabled: bool) -> None:
    with torch.set_grad_enabled(enabled):
        out = _scaled(torch.ones(2, requires_grad=True), factor=3.0)
        assert torch.is_grad_enabled() is enabled
    assert not out.requires_grad and out.grad_fn is None
    assert out.tolist() == [3.0, 3.0]


def test_the_grad_mode_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError, match="no result"):
        _failing(torch.ones(2))
    assert torch.is_grad_enabled()


def test_the_wrapped_function_keeps_its_name_and_signature() -> None:
    assert _scaled.__name__ == "_scaled"
    assert list(inspect.signature(_scaled).parameters) == ["t", "factor"]
