"""``SeededBatches``: each pass's order is a function of ``(seed, pass)``; a pass starts at
any batch without loading the ones before; it loads as a plain ``DataLoader`` would."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from foldloop import ResumableData
from foldloop.data import SeededBatches, pass_seed

from .datasets import Counting, WorkerSeeds, ids


@st.composite
def sources(draw: st.DrawFn) -> tuple[SeededBatches[torch.Tensor], Counting]:
    n = draw(st.integers(1, 40))
    drop_last = draw(st.booleans())
    batch_size = draw(st.integers(1, n if drop_last else n + 3))
    dataset = Counting(n)
    source: SeededBatches[torch.Tensor] = SeededBatches(
        dataset,
        batch_size,
        seed=draw(st.integers(0, 2**64 - 1)),
        shuffle=draw(st.booleans()),
        drop_last=drop_last,
    )
    return source, dataset


@given(sources(), st.integers(0, 5), st.data())
def test_a_pass_from_batch_k_is_the_pass_from_its_start_less_k_batches_loading_none_of_them(
    made: tuple[SeededBatches[torch.Tensor], Counting], pass_index: int, data: st.DataObject
) -> None:
    source, dataset = made
    whole = ids(list(source.iter_from(pass_index, 0)))
    assert len(whole) == len(source)
    k = data.draw(st.integers(0, len(source) + 1), label="k")
    dataset.read.clear()
    rest = ids(list(source.iter_from(pass_index, k)))
    assert rest == whole[k:]
    assert dataset.read == [i for batch in whole[k:] for i in batch]  # nothing before batch k


@given(sources(), st.integers(0, 5))
def test_a_pass_visits_its_order_cut_into_batches(
    made: tuple[SeededBatches[torch.Tensor], Counting], pass_index: int
) -> None:
    source, dataset = made
    order = source.order(pass_index)
    assert sorted(order) == list(range(len(dataset)))
    batches = ids(list(source.iter_from(pass_index, 0)))
    flat = [i for batch in batches for i in batch]
    assert flat == order[: len(flat)]
    assert len(order) - len(flat) < max(len(batch) for batch in batches) + 1  # dropped < a batch


def test_the_order_is_a_function_of_the_seed_and_the_pass() -> None:
    def order(seed: int, pass_index: int) -> list[int]:
        return SeededBatches(Counting(50), 5, seed=seed).order(pass_index)

    assert order(3, 2) == order(3, 2)
    assert len({tuple(order(seed, p)) for seed in range(3) for p in range(3)}) == 9
    generator = torch.Generator().manual_seed(pass_seed(3, 2))
    assert order(3, 2) == torch.randperm(50, generator=generator).tolist()
    assert SeededBatches(Counting(6), 2, seed=5, shuffle=False).order(4) == list(range(6))


def test_plain_iteration_is_pass_0_every_time() -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches(Counting(9), 2, seed=1)
    assert ids(list(source)) == ids(list(source)) == ids(list(source.iter_from(0, 0)))
    assert ids(list(source)) != ids(list(source.iter_from(1, 0)))
    assert isinstance(source, ResumableData)


def test_a_pass_gives_the_batches_of_a_plain_dataloader_over_its_order() -> None:
    dataset = TensorDataset(torch.randn(23, 3), torch.arange(23))
    for drop_last in (False, True):
        source: SeededBatches[list[torch.Tensor]] = SeededBatches(
            dataset, 4, seed=11, drop_last=drop_last
        )
        plain = DataLoader(dataset, 4, sampler=source.order(2), drop_last=drop_last)
        ours = list(source.iter_from(2, 0))
        theirs = list(plain)
        assert len(ours) == len(theirs) == len(source)
        for a, b in zip(ours, theirs, strict=True):
            assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_collate_fn_makes_the_batches() -> None:
    source = SeededBatches(Counting(7), 3, seed=0, collate_fn=tuple, shuffle=False)
    assert list(source.iter_from(0, 1)) == [(3, 4, 5), (6,)]


def test_iterating_leaves_torchs_global_generator_alone() -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches(Counting(10), 3, seed=0)
    before = torch.get_rng_state()
    list(source.iter_from(4, 1))
    assert torch.equal(torch.get_rng_state(), before)


def test_worker_processes_load_the_same_batches_with_seeds_from_seed_and_pass() -> None:
    dataset = WorkerSeeds(12)

    def batches(workers: int, seed: int) -> list[list[tuple[int, int]]]:
        source = SeededBatches(
            dataset, 3, seed=seed, num_workers=workers, timeout=30 if workers else 0,
            collate_fn=list,
        )  # fmt: skip
        return list(source.iter_from(1, 1))

    two = batches(2, seed=4)
    assert [[i for i, _ in b] for b in two] == [[i for i, _ in b] for b in batches(0, seed=4)]
    assert two == batches(2, seed=4)  # the workers' seeds too
    assert [s for b in two for _, s in b] != [s for b in batches(2, seed=5) for _, s in b]


def _seed_worker(worker_id: int) -> None:
    torch.manual_seed(1000 + worker_id)


def test_worker_init_fn_runs_in_each_worker() -> None:
    source = SeededBatches(
        WorkerSeeds(4), 1, seed=0, num_workers=2, timeout=30, collate_fn=list,
        worker_init_fn=_seed_worker,
    )  # fmt: skip
    assert {seed for batch in source for _, seed in batch} == {1000, 1001}


def test_pin_memory_reaches_the_dataloader() -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches(Counting(4), 2, seed=0, pin_memory=True)
    if torch.accelerator.is_available():
        assert all(batch.is_pinned() for batch in source)
    else:  # torch says it cannot pin: the option got there
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no acc"):
            list(source)


def test_the_source_says_what_it_is() -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches(list(range(10)), 4, seed=2)
    assert repr(source) == (
        "SeededBatches(<list of 10>, batch_size=4, seed=2, shuffle=True, 3 batches per pass)"
    )


# -- arguments ------------------------------------------------------------------------------


class NoLength:
    def __getitem__(self, index: int) -> int:
        return index


class NoIndex:
    def __len__(self) -> int:
        return 3


class Stream(torch.utils.data.IterableDataset[int]):
    def __iter__(self):  # type: ignore[no-untyped-def]  # torch's stub types it loosely
        return iter([1, 2])


@pytest.mark.parametrize(
    ("dataset", "kwargs", "error", "says"),
    [
        (NoLength(), {}, TypeError, "which has no __len__; define them"),
        (NoIndex(), {}, TypeError, "which has no __getitem__; define them"),
        (object(), {}, TypeError, "has no __len__ and no __getitem__"),
        (Stream(), {}, TypeError, "the iterable-style Stream: its items have no index"),
        ([], {}, ValueError, "an empty dataset"),
        ([1, 2], {"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0; pass the"),
        ([1, 2], {"batch_size": 2.0}, TypeError, "batch_size must be an int, got 2.0"),
        ([1, 2], {"batch_size": True}, TypeError, "batch_size must be an int, got True"),
        ([1, 2], {"seed": "0"}, TypeError, "seed must be an int, got '0' of type str; pass"),
        ([1, 2], {"seed": -1}, ValueError, "seed must be from 0 to 2**64 - 1, got -1"),
        ([1, 2], {"seed": 2**64}, ValueError, "seed must be from 0 to 2**64 - 1"),
        ([1, 2], {"shuffle": 1}, TypeError, "shuffle must be True or False, got 1"),
        ([1, 2], {"drop_last": None}, TypeError, "drop_last must be True or False"),
        ([1, 2], {"pin_memory": "yes"}, TypeError, "pin_memory must be True or False"),
        ([1, 2], {"batch_size": 3, "drop_last": True}, ValueError, "pass a batch_size <= 2"),
        ([1, 2], {"num_workers": -1}, ValueError, "num_workers must be >= 0, got -1; pass 0"),
        ([1, 2], {"num_workers": 1.5}, TypeError, "num_workers must be an int, got 1.5"),
        ([1, 2], {"collate_fn": 3}, TypeError, "collate_fn must be a function (list of"),
        ([1, 2], {"worker_init_fn": "f"}, TypeError, "worker_init_fn must be a function"),
        ([1, 2], {"timeout": -1}, ValueError, "timeout must be >= 0 (0 waits for ever)"),
        ([1, 2], {"timeout": "1"}, TypeError, "timeout must be a number of seconds"),
    ],
)
def test_bad_arguments_are_refused_up_front_saying_what_to_pass(
    dataset: object, kwargs: dict[str, object], error: type[Exception], says: str
) -> None:
    arguments: dict[str, object] = {"batch_size": 1, "seed": 0, **kwargs}
    with pytest.raises(error) as raised:
        SeededBatches(dataset, **arguments)  # type: ignore[arg-type]  # wrong on purpose
    assert says in str(raised.value)


@pytest.mark.parametrize(
    ("pass_index", "drawn", "error"),
    [(-1, 0, ValueError), (0, -2, ValueError), (0.0, 0, TypeError), (0, None, TypeError)],
)
def test_iter_from_refuses_a_position_that_is_not_a_count(
    pass_index: object, drawn: object, error: type[Exception]
) -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches([1, 2, 3], 2, seed=0)
    with pytest.raises(error, match="must be"):
        source.iter_from(pass_index, drawn)  # type: ignore[arg-type]  # wrong on purpose
