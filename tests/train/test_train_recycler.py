"""The recycler reuses a buffer only when nothing else can reach the buffer or its memory."""

import weakref
from collections.abc import Callable

import pytest
import torch

from foldloop.train import Recycler


def shapes() -> list[torch.Tensor]:
    return [torch.zeros(3, 4), torch.zeros(5)]


def addresses(group: list[torch.Tensor]) -> list[int]:
    return [buffer.data_ptr() for buffer in group]


def test_a_released_group_is_handed_out_again() -> None:
    recycler = Recycler()
    [group] = recycler.like(shapes())
    before = addresses(group)
    del group
    [again] = recycler.like(shapes())
    assert addresses(again) == before


def test_groups_asked_for_at_once_are_distinct() -> None:
    groups = Recycler().like(shapes(), count=3)
    assert len({ptr for group in groups for ptr in addresses(group)}) == 6


def test_the_groups_have_the_shapes_dtypes_and_devices_asked_for() -> None:
    like = [torch.zeros(2, 3, dtype=torch.float64), torch.zeros(4, dtype=torch.int32)]
    [group] = Recycler().like(like)
    assert [(b.shape, b.dtype, b.device) for b in group] == [
        (t.shape, t.dtype, t.device) for t in like
    ]
    assert not any(b.requires_grad for b in group)


# Each way of keeping a buffer (or its memory) reachable, starting from the buffer.
HOLDERS: dict[str, Callable[[torch.Tensor], object]] = {
    "the tensor itself": lambda buffer: buffer,
    "a dict holding it": lambda buffer: {"w": buffer},
    "a view": lambda buffer: buffer[0],
    "a detached alias": lambda buffer: buffer.detach(),
    "a NumPy array": lambda buffer: buffer.numpy(),
    "its storage": lambda buffer: buffer.untyped_storage(),
    "an autograd graph": lambda buffer: buffer.requires_grad_() * torch.ones(1, requires_grad=True),
    "a DLPack capsule": lambda buffer: buffer.__dlpack__(),
}


@pytest.mark.parametrize("hold", HOLDERS.values(), ids=HOLDERS.keys())
def test_a_group_anything_can_still_reach_is_never_handed_out_again(
    hold: Callable[[torch.Tensor], object],
) -> None:
    recycler = Recycler()
    [group] = recycler.like(shapes())
    holder = hold(group[1])
    first = addresses(group)
    del group
    [other] = recycler.like(shapes())
    assert not set(addresses(other)) & set(first)
    del holder, other
    [third] = recycler.like(shapes())
    assert addresses(third) == first  # once let go, the oldest unseen group comes back


def test_values_written_into_a_held_group_are_not_overwritten() -> None:
    recycler = Recycler()
    [group] = recycler.like([torch.zeros(4)])
    group[0].fill_(1.0)
    kept = group[0]
    del group
    for _ in range(5):
        [other] = recycler.like([torch.zeros(4)])
        other[0].fill_(2.0)
    assert torch.equal(kept, torch.ones(4))


def test_the_pool_never_keeps_more_groups_than_its_capacity() -> None:
    recycler = Recycler(capacity=3)
    held = [recycler.like(shapes()) for _ in range(10)]  # all in use: ten new groups
    alive = [weakref.ref(group[0]) for [group] in held]
    del held
    assert sum(ref() is not None for ref in alive) == 3  # the pool keeps only three alive


def test_parameters_of_another_shape_start_a_new_pool() -> None:
    recycler = Recycler()
    [group] = recycler.like(shapes())
    del group
    [other] = recycler.like([torch.zeros(7)])
    assert other[0].shape == (7,)
