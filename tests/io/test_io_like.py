"""``load(path, like=template)``: the checkpoint must have the template's structure, the message
names the path that differs, and tensors go to the template's devices."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest
import torch
from checkpoint_states import Box, Pair, Ping, Scored, difference

from foldloop import Slot, State
from foldloop.io import CheckpointError, load, save

SAVED = {
    "w": torch.zeros(2, 3),
    "items": [1, "a", (2.5, None)],
    "pair": Pair(Box(torch.ones(2, dtype=torch.int64), 3), OrderedDict(a=1)),
    "kind": Ping,
}
BEST: Slot[object] = Slot("best", None)


def _like(**changes: object) -> State[dict[str, object]]:
    return State(value={**SAVED, **changes})


@pytest.mark.parametrize(
    ("template", "path", "saw"),
    [
        (
            _like(w=torch.zeros(3, 3)),
            "value.w",
            r"float32 tensor of shape \[2, 3\], the template a float32 tensor of shape \[3, 3\]",
        ),
        (
            _like(w=torch.zeros(2, 3, dtype=torch.float64)),
            "value.w",
            "the template a float64 tensor",
        ),
        (_like(w=[0.0]), "value.w", "the template a list"),
        (_like(items=[1, "a"]), "value.items", "a list of 3 items, the template a list of 2 items"),
        (_like(items=(1, "a", (2.5, None))), "value.items", "the template a tuple"),
        (
            _like(items=[1.0, "a", (2.5, None)]),
            "value.items.0",
            "holds an int, the template a float",
        ),
        (
            _like(items=[True, "a", (2.5, None)]),
            "value.items.0",
            "holds an int, the template a bool",
        ),
        (_like(pair=(1, 2)), "value.pair", "holds a Pair, the template a tuple"),
        (
            _like(pair=Pair(1, OrderedDict(a=1))),
            "value.pair.left",
            "holds a Box, the template an int",
        ),
        (
            _like(pair=Pair(Box(torch.ones(3, dtype=torch.int64), 3), OrderedDict(a=1))),
            "value.pair.left.content",
            r"shape \[2\]",
        ),
        (
            _like(pair=Pair(Box(torch.ones(2, dtype=torch.int64), 3), {"a": 1})),
            "value.pair.right",
            "holds an OrderedDict, the template a dict",
        ),
        (_like(kind=Scored(1)), "value.kind", "the event kind Ping, the template a Scored"),
        (
            State(value={"w": SAVED["w"]}),
            "value",
            r"with keys the template lacks, \['items', 'kind', 'pair'\]",
        ),
        (_like(extra=1), "value", r"without the template's keys \['extra'\]"),
        (State(value=[1]), "value", "holds a dict"),
    ],
)
def test_a_template_of_another_structure_is_refused_naming_the_path(
    tmp_path: Path, template: State[object], path: str, saw: str
) -> None:
    checkpoint = save(State(value=SAVED), tmp_path / "ckpt")
    with pytest.raises(CheckpointError, match=rf"does not match the template at {path}: .*{saw}"):
        load(checkpoint, like=template)


def test_none_on_either_side_matches_anything(tmp_path: Path) -> None:
    checkpoint = save(State(value={"output": 1.5, "grads": None}), tmp_path / "ckpt")
    loaded = load(checkpoint, like=State(value={"output": None, "grads": {"w": torch.zeros(1)}}))
    value: object = loaded.value
    assert value == {"output": 1.5, "grads": None}
    assert load(checkpoint, like=State(value=None)).value == {"output": 1.5, "grads": None}


def test_slots_are_checked_where_both_have_them_and_position_is_not(tmp_path: Path) -> None:
    other: Slot[object] = Slot("other", None)
    saved = State(value=0, epoch=4, iteration=9).put(BEST, torch.zeros(2)).put(other, 1)
    checkpoint = save(saved, tmp_path / "ckpt")
    fresh = load(checkpoint, like=State(value=0))  # a fresh template: no slots yet
    assert difference(fresh, saved) is None
    with pytest.raises(
        CheckpointError,
        match=r"template at slots\.best: .*the template a float32 tensor of shape \[3\]",
    ):
        load(checkpoint, like=State(value=0).put(BEST, torch.zeros(3)))


def test_the_result_is_typed_as_the_template(tmp_path: Path) -> None:
    template: State[dict[str, torch.Tensor]] = State(value={"w": torch.zeros(2)})
    checkpoint = save(template, tmp_path / "ckpt")
    loaded: State[dict[str, torch.Tensor]] = load(checkpoint, like=template)
    untyped: State[object] = load(checkpoint)
    assert torch.equal(loaded.value["w"], torch.zeros(2)) and untyped == untyped


def test_tensors_go_to_the_template_tensors_device_and_keep_requires_grad(tmp_path: Path) -> None:
    # The meta device stands in for an accelerator here (the tests run on the CPU).
    saved = State(value={"w": torch.ones(2, requires_grad=True), "n": torch.ones(2)})
    checkpoint = save(saved, tmp_path / "ckpt")
    template = State(value={"w": torch.zeros(2, device="meta"), "n": torch.zeros(2)})
    loaded = load(checkpoint, like=template).value
    assert loaded["w"].device.type == "meta" and loaded["w"].requires_grad
    assert loaded["n"].device.type == "cpu" and not loaded["n"].requires_grad
    plain = load(checkpoint).value
    assert isinstance(plain, dict)
    assert plain["w"].device.type == "cpu" and plain["w"].requires_grad and plain["w"].is_leaf


def test_like_must_be_a_state(tmp_path: Path) -> None:
    checkpoint = save(State(value=1), tmp_path / "ckpt")
    with pytest.raises(TypeError, match="like= takes a State"):
        load(checkpoint, like=1)  # type: ignore[call-overload]  # wrong on purpose
