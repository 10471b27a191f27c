"""A rank that fails is named on every other rank: the failing rank writes ``rank R failed:
<error>`` into the process group's store before it exits, and a collective that breaks on a
survivor is turned into `RankFailed` naming R."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

import torch.distributed as dist
from torch._C._distributed_c10d import Store  # dist.Store, as its stubs name it

from ._group import grouped, rank, world_size

R = TypeVar("R")


class RankFailed(RuntimeError):
    """Rank ``rank`` failed: raised by `run_parallel` for a rank that raised, died or did not
    finish in time, and on a surviving rank by a collective that broke because rank ``rank``
    raised (it recorded its error with `failures_reported`; the broken collective's error is
    the ``__cause__``).

    Example:
        >>> RankFailed(1, "ValueError: bad").rank
        1
    """

    def __init__(self, rank: int, detail: str) -> None:
        super().__init__(f"rank {rank} failed: {detail}")
        self.rank = rank
        self.detail = detail

    def __reduce__(self) -> tuple[type[RankFailed], tuple[int, str]]:
        return RankFailed, (self.rank, self.detail)  # pickles (run_parallel's results)


_KEY = "foldloop/failed/"
_LOOK_FOR = 2.0
"""Seconds a survivor waits for a failed rank's record once its collective broke."""


@contextmanager
def failures_reported() -> Iterator[None]:
    """Run the block; if it raises on this rank of its own accord (not because a peer failed),
    record ``rank R failed: <error>`` in the process group's store before the error goes on,
    so that the other ranks, whose next collective breaks when this process exits, raise
    `RankFailed` naming this rank instead of a bare connection error. Nothing is recorded
    without a group. Wrap a job's whole body in it (``foldloop.examples.digits`` does).

    Example:
        >>> with failures_reported():
        ...     pass
    """
    try:
        yield
    except BaseException as error:
        if grouped() and not _from_a_peer(error):
            _record(f"rank {rank()} failed: {_last_line(_root(error))}")
        raise


def named(collective: Callable[[], R]) -> R:
    """``collective()``; when it breaks (a peer left or timed out), `RankFailed` naming the
    first rank that recorded its failure in the store (the broken collective its cause), or
    the original error when none did within a couple of seconds."""
    try:
        return collective()
    except RuntimeError as error:
        failed = _recorded()
        if failed is None:
            raise
        raise RankFailed(*failed) from error


def _record(line: str) -> None:
    # The store's host may be gone too: the survivors then get the bare error.
    with suppress(RuntimeError):
        _store().set(_KEY + str(rank()), line)


def _recorded() -> tuple[int, str] | None:
    """The lowest rank that recorded a failure, and what it recorded; None if none did."""
    others = [r for r in range(world_size()) if r != rank()]
    give_up = time.monotonic() + _LOOK_FOR
    try:
        store = _store()
        while True:
            for r in others:
                if store.check([_KEY + str(r)]):
                    detail = store.get(_KEY + str(r)).decode()
                    return r, detail.removeprefix(f"rank {r} failed: ")
            if time.monotonic() > give_up:
                return None
            time.sleep(0.05)
    except RuntimeError:  # the store went with its host (rank 0, under run_parallel)
        return None


def _store() -> Store:
    # Private but stable since torch 1.x: the store the default group was made with (torchrun's
    # agent store, or rank 0's TCPStore); no public accessor exists.
    return dist.distributed_c10d._get_default_store()


def _from_a_peer(error: BaseException) -> bool:
    chain: BaseException | None = error
    while chain is not None:
        if isinstance(chain, RankFailed | dist.DistError):
            return True
        chain = chain.__cause__
    return False


def _root(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def _last_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
