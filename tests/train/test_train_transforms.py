"""Single transformations: clipping against torch.nn.utils, chain's identity, schedules' steps."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from train_problem import mlp_problem

from foldloop.train import (
    CountState,
    chain,
    clip_by_global_norm,
    clip_by_value,
    scale_by_learning_rate,
    scale_by_schedule,
)

Params = dict[str, torch.Tensor]


def grads_scaled_by(factor: float) -> tuple[Params, Params]:
    params, gradient = mlp_problem()
    return params, {name: g * factor for name, g in gradient(params).items()}


def torch_clipped(grads: Params, clip: str, limit: float) -> Params:
    holders = {name: torch.nn.Parameter(torch.zeros_like(g)) for name, g in grads.items()}
    for name, holder in holders.items():
        holder.grad = grads[name].clone()
    if clip == "norm":
        torch.nn.utils.clip_grad_norm_(holders.values(), limit)
    else:
        torch.nn.utils.clip_grad_value_(holders.values(), limit)
    return {name: holder.grad for name, holder in holders.items() if holder.grad is not None}


@settings(max_examples=20)
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 10.0))
def test_clip_by_global_norm_is_clip_grad_norm(scale: float, max_norm: float) -> None:
    params, grads = grads_scaled_by(scale)
    clip = clip_by_global_norm(max_norm)
    clipped, _ = clip.update(grads, clip.init(params), params)
    # torch sums the squared norms in parameter order and foldloop in sorted-key order, so the
    # two may round the total norm differently in its last bit.
    torch.testing.assert_close(clipped, torch_clipped(grads, "norm", max_norm))


@settings(max_examples=20)
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 10.0))
def test_clip_by_value_is_clip_grad_value(scale: float, clip_value: float) -> None:
    params, grads = grads_scaled_by(scale)
    clip = clip_by_value(clip_value)
    clipped, _ = clip.update(grads, clip.init(params), params)
    torch.testing.assert_close(clipped, torch_clipped(grads, "value", clip_value), rtol=0, atol=0)


def test_chain_of_nothing_is_the_identity() -> None:
    params, grads = grads_scaled_by(1.0)
    identity = chain()
    state = identity.init(params)
    updates, new_state = identity.update(grads, state, params)
    assert updates is grads
    assert state == new_state == ()


def test_chain_runs_its_transformations_in_order() -> None:
    params = {"w": torch.zeros(1)}
    grads = {"w": torch.tensor([4.0])}
    clip_then_scale = chain(clip_by_value(1.0), scale_by_learning_rate(2.0))
    scale_then_clip = chain(scale_by_learning_rate(2.0), clip_by_value(1.0))
    first, _ = clip_then_scale.update(grads, clip_then_scale.init(params), params)
    second, _ = scale_then_clip.update(grads, scale_then_clip.init(params), params)
    assert (first["w"].item(), second["w"].item()) == (-2.0, -1.0)


def test_a_schedule_is_read_at_the_count_kept_in_the_state() -> None:
    params = {"w": torch.zeros(1)}
    seen: list[int] = []

    def recording(step: int) -> float:
        seen.append(step)
        return 1.0

    transform = scale_by_schedule(recording)
    state = transform.init(params)
    for _ in range(3):
        _, state = transform.update({"w": torch.ones(1)}, state, params)
    assert (seen, state) == ([0, 1, 2], CountState(count=3))
    transform.update({"w": torch.ones(1)}, CountState(count=1), params)
    assert seen[-1] == 1  # replaying an old state replays its step


def test_a_learning_rate_schedule_turning_negative_is_refused_at_that_step() -> None:
    params = {"w": torch.zeros(1)}
    transform = scale_by_learning_rate(lambda step: 0.1 - step * 0.1)
    state = transform.init(params)
    _, state = transform.update({"w": torch.ones(1)}, state, params)
    _, state = transform.update({"w": torch.ones(1)}, state, params)
    with pytest.raises(ValueError, match=r"learning rate is -0\.1\d* at step 2"):
        transform.update({"w": torch.ones(1)}, state, params)
