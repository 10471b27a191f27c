"""Which process of a data-parallel run a tap that writes or prints runs on: declared by its
``rank`` argument (rank 0 by default), read from the process group at each call."""

from __future__ import annotations

import torch.distributed as dist


def require_rank(rank: object, where: str) -> int | None:
    """``rank`` when it is ``None`` or an int >= 0; else a ValueError naming ``where``.

    Example:
        >>> require_rank(0, "JsonLines"), require_rank(None, "JsonLines")
        (0, None)
    """
    if rank is None or (isinstance(rank, int) and not isinstance(rank, bool) and rank >= 0):
        return rank
    raise ValueError(
        f"{where}: rank must be an int >= 0 (the one process that runs this tap when a process "
        f"group is initialised) or None (every process), got {rank!r}"
    )


def runs_here(rank: int | None) -> bool:
    """Whether a tap declared for ``rank`` runs in this process: always without a process
    group or for ``rank=None``; else only in the process of that rank.

    Example:
        >>> runs_here(0), runs_here(1), runs_here(None)  # no process group: every tap runs
        (True, True, True)
    """
    if rank is None or not (dist.is_available() and dist.is_initialized()):
        return True
    return dist.get_rank() == rank
