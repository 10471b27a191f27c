"""Data-parallel runs on ``torch.distributed`` (gloo on the CPU, nccl on CUDA, launched by
``torchrun``): the process group from the environment, data sharded by rank from one seeded
order, gradients averaged in one bucketed all-reduce (weighted by item counts for uneven
slices), buffers broadcast from rank 0, metric accumulators merged across ranks, and a failed
rank named on every other.

Imports torch. See ``docs/distributed.md``.
"""

from ._data import shard as shard
from ._faults import RankFailed as RankFailed
from ._faults import failures_reported as failures_reported
from ._group import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from ._group import backend_for as backend_for
from ._group import grouped as grouped
from ._group import init_from_env as init_from_env
from ._group import is_main as is_main
from ._group import rank as rank
from ._group import world_size as world_size
from ._loss import item_weighted as item_weighted
from ._metrics import Across as Across
from ._metrics import merge_across as merge_across
from ._parallel import free_port as free_port
from ._parallel import run_parallel as run_parallel
from ._reduce import average_gradients as average_gradients
from ._reduce import broadcast as broadcast
from ._reduce import broadcast_buffers as broadcast_buffers
from ._reduce import broadcast_state as broadcast_state

__all__ = [
    "DEFAULT_TIMEOUT",
    "Across",
    "RankFailed",
    "average_gradients",
    "backend_for",
    "broadcast",
    "broadcast_buffers",
    "broadcast_state",
    "failures_reported",
    "free_port",
    "grouped",
    "init_from_env",
    "is_main",
    "item_weighted",
    "merge_across",
    "rank",
    "run_parallel",
    "shard",
    "world_size",
]
