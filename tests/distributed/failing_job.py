"""Run by ``torchrun --nproc-per-node 2 -m tests.distributed.failing_job``: rank 1's step
raises; each rank prints what it saw (see `workers.raise_in_a_step_on_rank_1`)."""

from foldloop.distributed import init_from_env, rank

from .workers import raise_in_a_step_on_rank_1

if __name__ == "__main__":
    init_from_env()
    seen = raise_in_a_step_on_rank_1()
    print(f"rank {rank()}: named {seen['failed']} at iteration {seen['iteration']}: "
          f"{seen['message']}", flush=True)  # fmt: skip
