"""The process group, from the environment ``torchrun`` sets; rank and world size."""

from __future__ import annotations

import os
from datetime import timedelta

import torch
import torch.distributed as dist

DEFAULT_TIMEOUT = timedelta(seconds=120)
"""How long a collective waits for the other ranks before it raises (``init_from_env``)."""

_TORCHRUN = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def backend_for(device: torch.device | str) -> str:
    """The ``torch.distributed`` backend for tensors on ``device``: nccl for CUDA, else gloo.

    Example:
        >>> backend_for("cpu"), backend_for("cuda:0")
        ('gloo', 'nccl')
    """
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def init_from_env(
    *, device: torch.device | str | None = None, timeout: timedelta = DEFAULT_TIMEOUT
) -> bool:
    """Join the process group that ``torchrun`` describes in the environment (``RANK``,
    ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``; ``LOCAL_RANK`` picks the CUDA device),
    with gloo on the CPU and nccl on CUDA; every collective then raises after ``timeout``
    instead of waiting forever for a rank that failed. Returns whether this process is in a
    group of more than one process. Nothing is done in a single process (no ``WORLD_SIZE``, or
    ``WORLD_SIZE=1``), nor when a group already exists.

    Args:
        device: where the tensors to reduce live; by default CUDA when it is available
            (device ``LOCAL_RANK``, which is made the current one), else the CPU.
        timeout: how long any collective waits for the other ranks.

    Raises:
        ValueError: ``WORLD_SIZE`` is above 1 and another of torchrun's variables is missing.

    Example:
        >>> init_from_env()  # a single process: nothing to join
        False
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size() > 1
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return False
    missing = [name for name in _TORCHRUN if name not in os.environ]
    if missing:
        raise ValueError(
            f"WORLD_SIZE={world} but {', '.join(missing)} not set: launch with torchrun, "
            "or set all of RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT"
        )
    where = torch.device(
        ("cuda" if torch.cuda.is_available() else "cpu") if device is None else device
    )
    if where.type == "cuda":
        # The device asked for, or (by default) this process's: LOCAL_RANK.
        torch.cuda.set_device(
            where if device is not None else int(os.environ.get("LOCAL_RANK", "0"))
        )
    dist.init_process_group(backend_for(where), timeout=timeout)
    return True


def rank() -> int:
    """This process's rank in the group; 0 without a group.

    Example:
        >>> rank()
        0
    """
    return dist.get_rank() if grouped() else 0


def world_size() -> int:
    """The number of processes in the group; 1 without a group.

    Example:
        >>> world_size()
        1
    """
    return dist.get_world_size() if grouped() else 1


def is_main() -> bool:
    """Whether this is rank 0, the process that runs the taps that write (always, alone).

    Example:
        >>> is_main()
        True
    """
    return rank() == 0


def grouped() -> bool:
    return dist.is_available() and dist.is_initialized()
