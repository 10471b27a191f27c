"""Run a function on N local processes in one gloo group: for tests and notebooks."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import socket
import time
import traceback
from collections.abc import Callable, Container, Sequence
from datetime import timedelta
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import ParamSpec, TypeVar

from ._faults import RankFailed, failures_reported

P = ParamSpec("P")
R = TypeVar("R")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago.

    Example:
        >>> 0 < free_port() < 65536
        True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_parallel(
    fn: Callable[P, R],
    nprocs: int,
    *args: P.args,
    **kwargs: P.kwargs,
) -> list[R]:
    """``fn(*args, **kwargs)`` on ``nprocs`` fresh processes (spawned, as torchrun's are) that
    form one gloo process group on 127.0.0.1 with a free port, each with torchrun's environment
    (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``) and the group
    already joined; their results, in rank order. Ignite's ``idist.Parallel`` for tests and
    notebooks. ``fn``, its arguments and its result must pickle (``fn`` defined at module level).

    Every wait is bounded: collectives time out after ``FOLDLOOP_COLLECTIVE_TIMEOUT`` seconds
    (default 60), and the whole run after ``FOLDLOOP_PARALLEL_TIMEOUT`` (default 300).

    Raises:
        RankFailed: a rank raised (its traceback in the message), died without a result, or
            the run outlasted its timeout; the first rank to fail is named, the others are
            ended.

    Example:
        >>> run_parallel(os.getpid, 1)[0] != os.getpid()  # runs elsewhere, even with one
        True
    """
    context = multiprocessing.get_context("spawn")
    results: Queue[tuple[int, bool, bytes]] = context.Queue()
    port = free_port()
    collective = float(os.environ.get("FOLDLOOP_COLLECTIVE_TIMEOUT", "60"))
    deadline = time.monotonic() + float(os.environ.get("FOLDLOOP_PARALLEL_TIMEOUT", "300"))
    procs = [
        context.Process(
            target=_child,
            args=(rank, nprocs, port, collective, results, pickle.dumps((fn, args, kwargs))),
            daemon=True,
        )
        for rank in range(nprocs)
    ]
    for p in procs:
        p.start()
    got: dict[int, R] = {}
    try:
        while len(got) < nprocs:
            try:
                rank, ok, payload = results.get(timeout=0.05)
            except queue.Empty:
                _check_alive(procs, got, deadline)
                continue
            if not ok:
                _fail(results, {rank: payload.decode()}, procs)
            got[rank] = pickle.loads(payload)
    finally:
        for p in procs:
            p.join(timeout=5 if len(got) == nprocs else 0.5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    return [got[r] for r in range(nprocs)]


def _fail(
    results: Queue[tuple[int, bool, bytes]], failed: dict[int, str], procs: Sequence[BaseProcess]
) -> None:
    """Raise `RankFailed` for the rank that failed first of its own accord: a rank that died
    (it exited with an error code, reporting nothing) before one that raised, and a rank that
    failed only because a peer left a collective (its error raised inside
    ``torch.distributed``) only when no other rank reported within a grace second."""
    grace = time.monotonic() + 1.0
    while len(failed) < len(procs) and time.monotonic() < grace:
        try:
            rank, ok, payload = results.get(timeout=0.05)
        except queue.Empty:
            continue
        if not ok:
            failed[rank] = payload.decode()
    for rank, p in enumerate(procs):  # a rank that reported an error exits with 0
        if rank not in failed and p.exitcode not in (None, 0):
            failed = {rank: f"the process exited with code {p.exitcode}, no result", **failed}
    own = [r for r, detail in failed.items() if "distributed_c10d.py" not in detail]
    first = (own or list(failed))[0]
    others = sorted(set(failed) - {first})
    also = f"\n(then rank(s) {others} failed too, in a collective)" if others else ""
    raise RankFailed(first, failed[first] + also)


def _check_alive(procs: Sequence[BaseProcess], got: Container[int], deadline: float) -> None:
    for rank, p in enumerate(procs):
        if rank not in got and p.exitcode is not None:
            # A result may still be on its way through the queue: look once more, later.
            time.sleep(0.5)
            if rank not in got and p.exitcode != 0:
                raise RankFailed(rank, f"the process exited with code {p.exitcode}, no result")
    if time.monotonic() > deadline:
        missing = min(r for r in range(len(procs)) if r not in got)
        raise RankFailed(missing, "no result before FOLDLOOP_PARALLEL_TIMEOUT")


def _child(
    rank: int,
    world: int,
    port: int,
    timeout: float,
    results: Queue[tuple[int, bool, bytes]],
    call: bytes,
) -> None:
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world),
        LOCAL_WORLD_SIZE=str(world),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
    )
    import torch.distributed as dist

    try:
        fn, args, kwargs = pickle.loads(call)
        dist.init_process_group("gloo", timeout=timedelta(seconds=timeout))
        with failures_reported():
            out = pickle.dumps(fn(*args, **kwargs))
    except BaseException as error:
        detail = "".join(traceback.format_exception(error))
        # Reported before the group is left: the peers see the connection close after this.
        results.put((rank, False, detail.encode()))
    else:
        results.put((rank, True, out))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
