"""ReduceLROnPlateau: torch's scheduler's trajectory, through the optimizer's multiplier."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from foldloop import EpochCompleted, Loop, Slot, State
from foldloop.handlers import ReduceLROnPlateau
from foldloop.testing import check_handler_is_pure, make_state
from foldloop.train import (
    TrainState,
    chain,
    init_train_state,
    multiplier_of,
    scale_by_multiplier,
    sgd,
    supervised_trainer,
)

OPTIMIZER = chain(sgd(lr=1.0), scale_by_multiplier())
PARAMS = {"w": torch.zeros(1)}


def torch_lrs(scores: list[float], **settings: object) -> list[float]:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **settings)  # type: ignore[arg-type]  # settings drawn below
    lrs = []
    for score in scores:
        scheduler.step(score)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


@given(
    st.lists(st.integers(-20, 20).map(lambda x: x / 4), min_size=1, max_size=25),
    st.sampled_from(["min", "max"]),
    st.sampled_from([0.1, 0.5, 0.9]),
    st.integers(0, 3),
    st.sampled_from([0.0, 1e-4, 0.1, 0.5]),
    st.sampled_from(["rel", "abs"]),
    st.integers(0, 2),
    st.sampled_from([0.0, 0.01, 0.3]),
    st.sampled_from([0.0, 1e-8, 0.05]),
)
def test_multiplier_follows_torchs_learning_rate(
    scores: list[float],
    mode: str,
    factor: float,
    patience: int,
    threshold: float,
    threshold_mode: str,
    cooldown: int,
    min_lr: float,
    eps: float,
) -> None:
    settings = dict(
        mode=mode, factor=factor, patience=patience, threshold=threshold,
        threshold_mode=threshold_mode, cooldown=cooldown, eps=eps,
    )  # fmt: skip
    plateau = ReduceLROnPlateau(
        lambda s: scores[s.epoch - 1],
        min_multiplier=min_lr,
        **settings,  # type: ignore[arg-type]
    )
    state = make_state(TrainState(PARAMS, {}, OPTIMIZER.init(PARAMS)))
    multipliers = []
    for epoch in range(1, len(scores) + 1):
        state = plateau(make_state(state.value, epoch=epoch, slots=slots_of(state, plateau)))
        multipliers.append(multiplier_of(state.value.opt_state))
    assert multipliers == torch_lrs(scores, min_lr=min_lr, **settings)


# Any: the slots hold values of different types, as make_state takes them.
def slots_of(state: State[TrainState], plateau: ReduceLROnPlateau) -> dict[Slot[Any], object]:
    return {
        plateau.best: state.get(plateau.best),
        plateau.bad: state.get(plateau.bad),
        plateau.cooldown_left: state.get(plateau.cooldown_left),
    }


def test_a_trainer_run_changes_the_lr_as_torchs_scheduler_with_sgd() -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = torch.randn(12, 3), torch.randn(12, 1)
    data = list(zip(torch.split(x, 4), torch.split(y, 4), strict=True))
    scores = [1.0, 0.9, 0.95, 0.97, 0.96, 0.99]
    optimizer = chain(sgd(lr=0.1, momentum=0.5), scale_by_multiplier())
    trainer = supervised_trainer(model, optimizer, nn.functional.mse_loss)
    plateau = ReduceLROnPlateau(lambda s: scores[s.epoch - 1], factor=0.5, patience=1)
    trainer.attach(EpochCompleted, plateau)
    final = trainer.run(init_train_state(model, optimizer), data, max_epochs=len(scores))

    reference = copy.deepcopy(model)
    torch_sgd = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.5)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_sgd, factor=0.5, patience=1)
    for score in scores:
        for xb, yb in data:
            torch_sgd.zero_grad()
            torch.autograd.backward(nn.functional.mse_loss(reference(xb), yb))
            torch_sgd.step()
        scheduler.step(score)
    assert torch_sgd.param_groups[0]["lr"] == pytest.approx(0.1 * 0.25)
    assert multiplier_of(final.value.opt_state) == 0.25
    for name, tensor in reference.named_parameters():
        torch.testing.assert_close(final.value.params[name], tensor.detach())


def test_pure_and_refuses_a_missing_multiplier() -> None:
    plateau = ReduceLROnPlateau(lambda s: 2.0, patience=0)
    state = make_state(TrainState(PARAMS, {}, OPTIMIZER.init(PARAMS)), slots={plateau.best: 1.0})
    check_handler_is_pure(lambda s, e: plateau(s), state, EpochCompleted())
    without = make_state(TrainState(PARAMS, {}, sgd(lr=0.1).init(PARAMS)))
    with pytest.raises(LookupError, match=r"chain\(sgd\(lr=0.1\), scale_by_multiplier\(\)\)"):
        plateau(plateau(without))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"factor": 1.0}, r"factor must be in \(0, 1\)"),
        ({"factor": 0.0}, r"factor must be in \(0, 1\)"),
        ({"patience": -1}, "patience must be a whole number >= 0"),
        ({"cooldown": -1}, "cooldown must be a whole number >= 0"),
        ({"mode": "lowest"}, "mode must be one of 'min', 'max'"),
        ({"threshold_mode": "relative"}, "threshold_mode must be one of 'rel', 'abs'"),
        ({"min_multiplier": -0.1}, "min_multiplier must be a number"),
        ({"eps": -1.0}, "eps must be a number"),
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReduceLROnPlateau("loss", **kwargs)  # type: ignore[arg-type]  # the errors tested


def test_typed_for_train_states_only() -> None:
    loop: Loop[TrainState, int] = Loop(lambda s, b: s)
    loop.attach(EpochCompleted, ReduceLROnPlateau("val_loss"))
