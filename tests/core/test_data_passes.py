"""Passes over the data: which pass a run is in, data that starts at any batch of any pass
(``ResumableData``), and the warning for resuming mid-pass on data whose order changes."""

from __future__ import annotations

import itertools
import random
import warnings
from collections.abc import Iterable, Iterator

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from foldloop import (
    DataExhausted,
    DataWarning,
    EpochTerminated,
    IterationCompleted,
    Loop,
    ResumableData,
    RunError,
    State,
    on,
    once,
)

from .shapes import RunShape, Trace, run_shapes, shape_data, shape_loop

# -- a resumable source in plain Python --------------------------------------------------------


class Passes:
    """``ResumableData`` over ``n`` items, without ``len``: pass ``p`` visits them in an order
    of its own (a shuffle seeded by ``p``); a batch is ``100 * p + item``. Counts what it
    yields and where it was opened."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.yielded = 0
        self.opened: list[tuple[int, int]] = []

    def order(self, pass_index: int) -> list[int]:
        items = list(range(self.n))
        random.Random(pass_index).shuffle(items)
        return items

    def __iter__(self) -> Iterator[int]:
        raise AssertionError("the loop opens resumable data with iter_from, never iter()")

    def iter_from(self, pass_index: int, drawn: int) -> Iterator[int]:
        self.opened.append((pass_index, drawn))
        for item in self.order(pass_index)[drawn:]:
            self.yielded += 1
            yield 100 * pass_index + item


class SizedPasses(Passes):
    def __len__(self) -> int:
        return self.n


def _passes(shape: RunShape) -> Passes:
    assert shape.data_length is not None
    return SizedPasses(shape.data_length) if shape.sized else Passes(shape.data_length)


def _limits(shape: RunShape) -> dict[str, int | None]:
    return {
        "max_epochs": shape.max_epochs,
        "epoch_length": shape.epoch_length,
        "max_iters": shape.max_iters,
    }


def _final(
    shape: RunShape, data: Iterable[object], initial: State[Trace] | None = None
) -> State[Trace]:
    loop = shape_loop(shape, record_batches=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # data running out twice at once
        try:
            if initial is None:
                return loop.run((), data, **_limits(shape))
            return loop.run(initial, data)
        except RunError as error:
            return error.state


def _batches(state: State[Trace]) -> list[int]:
    return [n for kind, n in state.value if kind == "batch"]


def _without_batches(state: State[Trace]) -> Trace:
    return tuple(entry for entry in state.value if entry[0] != "batch")


_shapes_with_data = run_shapes(failures=False).filter(
    lambda s: s.data_length is not None and not s.one_shot
)


@given(_shapes_with_data)
def test_each_pass_is_drawn_in_its_own_order_where_a_list_would_be_drawn(shape: RunShape) -> None:
    # The same shape over a list and over resumable data: the same events and steps, and the
    # i-th batch of each pass is item i of that pass's order, i being what the list gave.
    data = shape_data(shape)  # a list, or a re-iterable without len (as the source then)
    assert data is not None
    over_list = _final(shape, data)
    source = _passes(shape)
    over_passes = _final(shape, source)
    assert _without_batches(over_passes) == _without_batches(over_list)
    assert dict(over_passes.counts) == dict(over_list.counts)
    drawn = [(b // 100, source.order(b // 100).index(b % 100)) for b in _batches(over_passes)]
    assert [i for _, i in drawn] == _batches(over_list)
    # A pass goes on from batch to batch; a new one (any number of passes later, when passes
    # were cut before drawing anything) starts at its first batch.
    for (p, i), (q, j) in itertools.pairwise(drawn):
        assert (q, j) == (p, i + 1) or (q > p and j == 0)
    passes = over_passes.count(DataExhausted) + over_passes.count(EpochTerminated)
    assert over_passes._at.pass_index == passes >= max((p for p, _ in drawn), default=0)


@given(_shapes_with_data, st.integers(0, 60))
def test_split_law_on_resumable_data_a_fresh_source_goes_on_where_the_run_stopped(
    shape: RunShape, k: int
) -> None:
    whole_source = _passes(shape)
    whole = _final(shape, whole_source)
    assume(not whole.running)  # a refused shape (terminate_epoch at Started) has no rest
    first = _passes(shape)
    last: State[Trace] | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        events = shape_loop(shape, record_batches=True).scan((), first, **_limits(shape))
        for i, (_, state) in enumerate(events):
            last = state
            if i == k:
                break
    assert last is not None
    rest = _passes(shape)
    resumed = _final(shape, rest, last) if last.running else last
    assert resumed == whole
    assert _batches(resumed) == _batches(whole)
    # Nothing is read twice: the two halves yield what the whole run yielded.
    assert first.yielded + rest.yielded == whole_source.yielded


# -- the pass index, by hand ----------------------------------------------------------------


def _collect(state: State[list[int]], batch: int) -> State[list[int]]:
    return state.replace(value=[*state.value, batch])


def test_the_pass_index_grows_where_the_data_runs_out_and_where_an_epoch_is_cut() -> None:
    loop: Loop[list[int], int] = Loop(_collect)
    passes: list[tuple[str, int]] = []
    loop.tap(DataExhausted, lambda s: passes.append(("exhausted", s._at.pass_index)))
    loop.tap(EpochTerminated, lambda s: passes.append(("cut", s._at.pass_index)))
    loop.attach(on(IterationCompleted, once(4)), State.terminate_epoch)
    final = loop.run([], [0, 1, 2], max_epochs=4, epoch_length=2)
    # epoch 1: 0 1 | epoch 2: 2, runs out, 0, cut | epoch 3: 0 1 | epoch 4: 2, runs out, 0
    assert final.value == [0, 1, 2, 0, 0, 1, 2, 0]
    assert passes == [("exhausted", 1), ("cut", 2), ("exhausted", 3)]
    assert final._at.pass_index == 3


def test_resumable_data_is_opened_at_the_pass_and_batch_where_the_run_stopped() -> None:
    loop: Loop[list[int], int] = Loop(_collect)
    whole = loop.run([], SizedPasses(3), max_epochs=3, epoch_length=2)
    stopped = None
    for event, state in loop.scan([], SizedPasses(3), max_epochs=3, epoch_length=2):
        if isinstance(event, IterationCompleted) and state.iteration == 5:
            stopped = state
            break
    assert stopped is not None and (stopped._at.pass_index, stopped._at.drawn) == (1, 2)
    source = SizedPasses(3)
    assert loop.run(stopped, source) == whole
    assert source.opened == [(1, 2)] and source.yielded == 1


def test_a_failure_to_open_the_data_carries_the_last_good_state() -> None:
    class Broken(SizedPasses):
        def iter_from(self, pass_index: int, drawn: int) -> Iterator[int]:
            raise OSError("the shard is gone")

    loop: Loop[list[int], int] = Loop(_collect)
    stopped = loop.run([], SizedPasses(4), max_iters=2)
    with pytest.raises(RunError, match="opening the data failed") as raised:
        loop.run(stopped, Broken(4), max_iters=4)
    assert isinstance(raised.value.__cause__, OSError)
    carried = raised.value.state
    assert carried.iteration == 2 and carried.value == stopped.value
    retried = loop.run(carried, SizedPasses(4))
    assert retried.value == loop.run([], SizedPasses(4), max_iters=4).value


def test_the_protocol_is_checkable_at_run_time() -> None:
    assert isinstance(SizedPasses(2), ResumableData)
    assert not isinstance([1, 2], ResumableData)


# -- the warning ----------------------------------------------------------------------------


class RandomSampler:  # named as torch's: the rule reads class names, not torch's classes
    pass


class ShuffledSampler:
    shuffle = True  # as a DistributedSampler(shuffle=True)


@attrs.frozen
class FakeLoader:
    """A re-iterable with a torch DataLoader's sampler attributes, counting its iterations."""

    items: list[int]
    sampler: object = None
    batch_sampler: object = None
    iterations: list[int] = attrs.field(factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[int]:
        self.iterations.append(1)
        return iter(self.items)


@attrs.frozen
class BatchSampler:
    sampler: object


def _stopped_after(n: int, data: Iterable[int], **limits: int) -> State[list[int]]:
    loop: Loop[list[int], int] = Loop(_collect)
    for event, state in loop.scan([], data, **limits):
        if isinstance(event, IterationCompleted) and state.iteration == n:
            return state
    raise AssertionError("the run ended before iteration n")


@pytest.mark.parametrize(
    ("loader", "named"),
    [
        (FakeLoader([0, 1, 2], sampler=RandomSampler()), "(RandomSampler)"),
        (FakeLoader([0, 1, 2], sampler=ShuffledSampler()), "(ShuffledSampler with shuffle=True)"),
        (FakeLoader([0, 1, 2], batch_sampler=BatchSampler(RandomSampler())), "(RandomSampler)"),
    ],
)
def test_resuming_mid_pass_on_a_shuffling_loader_warns_and_names_the_fix(
    loader: FakeLoader, named: str
) -> None:
    stopped = _stopped_after(1, loader, max_epochs=2)
    loop: Loop[list[int], int] = Loop(_collect)
    with pytest.warns(DataWarning) as caught:
        loop.run(stopped, loader)
    [warning] = caught
    message = str(warning.message)
    assert f"a DataLoader whose sampler shuffles {named}" in message
    assert "after batch 1 of pass 0" in message
    assert "foldloop.data.SeededBatches" in message
    assert warning.filename == __file__  # it points at the run() call


def test_resuming_on_a_list_or_an_ordered_loader_does_not_warn() -> None:
    # (pytest turns any warning into an error here)
    loop: Loop[list[int], int] = Loop(_collect)
    for data in ([0, 1, 2], FakeLoader([0, 1, 2], sampler=object())):
        stopped = _stopped_after(1, data, max_epochs=2)
        assert loop.run(stopped, data).value == [0, 1, 2, 0, 1, 2]


def test_resuming_where_a_sized_pass_is_over_neither_warns_nor_iterates_the_data() -> None:
    loader = FakeLoader([0, 1, 2], sampler=RandomSampler())
    stopped = _stopped_after(3, loader, max_epochs=2)
    assert stopped._at.drawn == 3
    fresh = attrs.evolve(loader, iterations=[])
    final = Loop(_collect).run(stopped, fresh)
    assert final.value == [0, 1, 2, 0, 1, 2]
    assert len(fresh.iterations) == 1  # the next pass only: the finished one is not re-read
