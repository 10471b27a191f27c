"""What ``save`` (and ``digest``) refuse, before anything is written: each refusal names the leaf's
path in the state and how to fix it."""

from __future__ import annotations

import enum
from collections import defaultdict
from pathlib import Path

import attrs
import numpy as np
import pytest
import torch
from checkpoint_states import Box
from torch import nn

from foldloop import Event, Slot, State
from foldloop.io import CheckpointError, digest, save


class Colour(enum.IntEnum):
    RED = 1


@attrs.frozen
class Plain:  # an attrs class, not registered as a tree node
    x: int


@attrs.frozen
class Noted(Event):
    note: object


SLOT: Slot[object] = Slot("held", None)


def local_event() -> Event:
    @attrs.frozen
    class Local(Event):
        pass

    return Local()


REFUSED = [
    (nn.Parameter(torch.zeros(2)), "value.x", "t.detach()"),
    (np.zeros(2), "value.x", "torch.from_numpy(x)"),
    (np.float64(1.5), "value.x", "x.item()"),
    (Plain(1), "value.x", "register_attrs"),
    (object(), "value.x", "keep it out of the state"),
    (lambda: 1, "value.x", "keep it out of the state"),
    ({1, 2}, "value.x", "keep it out of the state"),
    (Colour.RED, "value.x", "int(x)"),
    (defaultdict(int), "value.x", "dict(x)"),
    (torch.zeros(2, dtype=torch.complex128), "value.x", "torch.view_as_real(t)"),
    (torch.zeros(2).to_sparse(), "value.x", "t.to_dense()"),
    (torch.zeros(2, device="meta"), "value.x", "holds no data"),
    ({(1, 2): 0}, "value.x", "keys are str or int"),
    ({True: 0}, "value.x", "keys are str or int"),
    (2**20000, "value.x", "str(n)"),
    ([1, Box(ValueError("e"), 1)], "value.x.1.content", "keep it out of the state"),
    (local_event(), "value.x", "top level of a module"),
]


@pytest.mark.parametrize(("leaf", "path", "fix"), REFUSED, ids=lambda v: type(v).__name__)
def test_save_refuses_what_it_cannot_store_naming_where_and_the_fix(
    tmp_path: Path, leaf: object, path: str, fix: str
) -> None:
    with pytest.raises(CheckpointError) as raised:
        save(State(value={"x": leaf}), tmp_path / "ckpt")
    assert f"{path} holds" in str(raised.value) and fix in str(raised.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary directory
    with pytest.raises(CheckpointError):
        digest(State(value={"x": leaf}))


@pytest.mark.parametrize(
    ("state", "path"),
    [
        (State(value=None).put(SLOT, {"a": object()}), "slots.held.a"),
        (State(value=None).emit(Noted(note=object())), "pending.0.note"),
        (State(value=None)._with(6, [torch.zeros(1), object()]), "batch.1"),
    ],
)
def test_refusals_name_the_path_in_every_part_of_the_state(
    tmp_path: Path, state: State[None], path: str
) -> None:
    with pytest.raises(CheckpointError, match=rf"{path} holds"):
        save(state, tmp_path / "ckpt")


def test_two_tensors_whose_paths_collide_are_refused(tmp_path: Path) -> None:
    state = State(value={"a.b": torch.zeros(1), "a": {"b": torch.ones(1)}})
    with pytest.raises(CheckpointError, match=r"'value\.a\.b' is also the name"):
        save(state, tmp_path / "ckpt")


def test_the_same_tensor_twice_and_views_of_one_storage_are_stored_apart(tmp_path: Path) -> None:
    base = torch.arange(12.0)
    state = State(value={"a": base, "b": base, "c": base[2:5], "d": base.view(3, 4).T})
    from foldloop.io import load

    loaded = load(save(state, tmp_path / "ckpt")).value
    assert isinstance(loaded, dict)
    for key in "abcd":
        assert torch.equal(loaded[key], state.value[key]) and loaded[key].is_contiguous()
    assert loaded["a"].untyped_storage().data_ptr() != loaded["b"].untyped_storage().data_ptr()
    assert loaded["c"].untyped_storage().nbytes() == 3 * 4  # the view alone, not its base


def test_save_refuses_an_existing_path_and_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "mine").write_text("keep")
    with pytest.raises(FileExistsError, match="choose a new path"):
        save(State(value=1), tmp_path / "ckpt")
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["mine"]
    with pytest.raises(FileExistsError):
        save(State(value=1), tmp_path / "ckpt" / "mine")


def test_save_takes_only_a_state(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="expected a foldloop State"):
        save({"value": 1}, tmp_path / "ckpt")  # type: ignore[arg-type]  # wrong on purpose


def test_a_tree_that_contains_itself_is_refused(tmp_path: Path) -> None:
    cycle: list[object] = [1]
    cycle.append(cycle)
    with pytest.raises(CheckpointError, match="contains itself"):
        save(State(value=cycle), tmp_path / "ckpt")
    assert list(tmp_path.iterdir()) == []
