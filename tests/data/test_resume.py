"""A run over ``SeededBatches`` stopped anywhere and resumed on a fresh source object sees the
batches, and ends in the state, of the uninterrupted run, loading no item twice; a shuffling
``DataLoader`` resumed mid-pass warns instead of differing silently."""

from __future__ import annotations

from typing import Literal

import attrs
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch.utils.data import DataLoader, DistributedSampler

from foldloop import DataWarning, IterationCompleted, Loop, State, on, once, where
from foldloop.data import SeededBatches

from .datasets import Counting

Seen = tuple[tuple[int, ...], ...]  # the batches the step saw, as item ids


def _record(state: State[Seen], batch: torch.Tensor) -> State[Seen]:
    return state.replace(value=(*state.value, tuple(batch.tolist())))


@attrs.frozen
class Plan:
    """A run over a seeded source, and where it is stopped before being resumed."""

    n: int
    batch_size: int
    drop_last: bool
    seed: int
    epoch_length: int | None
    max_epochs: int | None
    max_iters: int | None
    cuts: frozenset[int]  # terminate_epoch() at IterationCompleted of these iterations
    stop: Literal["scan", "terminate", "max_iters"]
    at: int  # the event (scan) or iteration (terminate, max_iters) it stops at, modulo their number

    def source(self) -> tuple[SeededBatches[torch.Tensor], Counting]:
        dataset = Counting(self.n)
        source: SeededBatches[torch.Tensor] = SeededBatches(
            dataset, self.batch_size, seed=self.seed, drop_last=self.drop_last
        )
        return source, dataset

    def loop(self, terminate_at: int | None = None) -> Loop[Seen, torch.Tensor]:
        loop: Loop[Seen, torch.Tensor] = Loop(_record)
        cuts = self.cuts
        loop.attach(
            on(IterationCompleted, where(lambda s, e: s.iteration in cuts)), State.terminate_epoch
        )
        if terminate_at is not None:
            loop.attach(on(IterationCompleted, once(terminate_at)), State.terminate)
        return loop

    def limits(self) -> dict[str, int | None]:
        return {
            "epoch_length": self.epoch_length,
            "max_epochs": self.max_epochs,
            "max_iters": self.max_iters,
        }


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(1, 16))
    drop_last = draw(st.booleans())
    # Mostly several batches a pass, so that most stops fall inside one.
    most = max(1, n // 3) if draw(st.integers(0, 3)) else (n if drop_last else n + 2)
    batch_size = draw(st.integers(1, most))
    per_pass = n // batch_size if drop_last else -(-n // batch_size)
    epoch_length = draw(st.one_of(st.none(), st.integers(1, per_pass + 3)))
    by_iters = draw(st.booleans())
    return Plan(
        n=n,
        batch_size=batch_size,
        drop_last=drop_last,
        seed=draw(st.integers(0, 2**32)),
        epoch_length=epoch_length,
        max_epochs=None if by_iters else draw(st.integers(1, 3)),
        max_iters=draw(st.integers(1, 20)) if by_iters else None,
        cuts=frozenset(draw(st.lists(st.integers(1, 20), max_size=2))),
        stop=draw(st.sampled_from(["scan", "terminate", "max_iters"])),
        at=draw(st.integers(0, 2**16)),
    )


@given(plans())
def test_a_run_stopped_anywhere_and_resumed_on_a_fresh_source_is_the_uninterrupted_run(
    plan: Plan,
) -> None:
    source, whole_data = plan.source()
    events = [state for _, state in plan.loop().scan((), source, **plan.limits())]
    whole = events[-1]
    first_source, first_data = plan.source()
    stopped = _stopped(plan, first_source, len(events), whole.iteration)
    rest_source, rest_data = plan.source()  # a new object, as after a restart
    resumed = plan.loop().run(stopped, rest_source, **_resume_limits(plan))
    assert resumed.value == whole.value  # the same batches, in the same order
    assert (resumed.epoch, resumed.iteration) == (whole.epoch, whole.iteration)
    if plan.stop == "scan":
        assert resumed == whole  # counts included: the run was suspended, not ended
    assert first_data.read + rest_data.read == whole_data.read  # no item loaded twice


def _stopped(
    plan: Plan, source: SeededBatches[torch.Tensor], events: int, iterations: int
) -> State[Seen]:
    at = plan.at % iterations + 1  # an iteration of the whole run
    if plan.stop == "terminate":
        # terminate() wins over terminate_epoch() at the same event: the cut is never made
        assume(at not in plan.cuts)
        return plan.loop(terminate_at=at).run((), source, **plan.limits())
    if plan.stop == "max_iters":
        return plan.loop().run((), source, epoch_length=plan.epoch_length, max_iters=at)
    last: State[Seen] = State(value=())
    for i, (_, state) in enumerate(plan.loop().scan((), source, **plan.limits())):
        last = state
        if i == plan.at % events:
            break
    return last


def _resume_limits(plan: Plan) -> dict[str, int | None]:
    if plan.stop == "max_iters":  # the first part ran to max_iters: say where to end now
        return {"max_epochs": plan.max_epochs, "max_iters": plan.max_iters}
    return {}


# -- the warning, on torch's own loaders ------------------------------------------------------


def _stopped_at(loop: Loop[Seen, torch.Tensor], data: DataLoader[int], k: int) -> State[Seen]:
    for event, state in loop.scan((), data, max_epochs=2):
        if isinstance(event, IterationCompleted) and state.iteration == k:
            return state
    raise AssertionError("the run ended first")


def test_a_shuffling_dataloader_resumed_mid_pass_warns_naming_the_source_to_use() -> None:
    loop: Loop[Seen, torch.Tensor] = Loop(_record)
    loader: DataLoader[int] = DataLoader(Counting(20), batch_size=4, shuffle=True)
    torch.manual_seed(0)
    whole = loop.run((), loader, max_epochs=2)
    torch.manual_seed(0)
    stopped = _stopped_at(loop, loader, 2)
    with pytest.warns(DataWarning, match=r"on a DataLoader whose sampler shuffles \(RandomSampler"):
        resumed = loop.run(stopped, loader)
    assert resumed.value != whole.value  # what the warning is about
    with pytest.warns(DataWarning, match=r"Use foldloop\.data\.SeededBatches\(dataset, batch_size"):
        loop.run(stopped, loader)


def test_a_shuffling_distributed_sampler_warns_too() -> None:
    loop: Loop[Seen, torch.Tensor] = Loop(_record)
    dataset = Counting(20)
    sampler: DistributedSampler[int] = DistributedSampler(
        dataset, num_replicas=1, rank=0, shuffle=True, seed=3
    )
    loader: DataLoader[int] = DataLoader(dataset, batch_size=4, sampler=sampler)
    stopped = _stopped_at(loop, loader, 2)
    with pytest.warns(DataWarning, match=r"\(DistributedSampler with shuffle=True\)"):
        loop.run(stopped, loader)


def test_an_ordered_dataloader_resumes_by_skipping_without_a_warning() -> None:
    # (pytest turns any warning into an error here)
    loop: Loop[Seen, torch.Tensor] = Loop(_record)
    loader: DataLoader[int] = DataLoader(Counting(10), batch_size=3)
    whole = loop.run((), loader, max_epochs=2)
    assert loop.run(_stopped_at(loop, loader, 2), loader) == whole


def test_seeded_batches_resume_mid_pass_without_a_warning() -> None:
    loop: Loop[Seen, torch.Tensor] = Loop(_record)
    source: SeededBatches[torch.Tensor] = SeededBatches(Counting(20), 4, seed=0)
    whole = loop.run((), source, max_epochs=2)
    stopped = None
    for event, state in loop.scan((), source, max_epochs=2):
        if isinstance(event, IterationCompleted) and state.iteration == 7:
            stopped = state
            break
    assert stopped is not None
    assert loop.run(stopped, SeededBatches(Counting(20), 4, seed=0)) == whole
