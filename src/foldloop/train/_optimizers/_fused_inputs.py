"""What torch's fused optimizer kernels are given: contiguous copies, never the caller's tensors."""

from collections.abc import Sequence

import torch

from ._recycler import Recycler

Tensors = list[torch.Tensor]

# Below this many bytes of parameters, new tensors come cheap from the allocator's free lists.
_RECYCLE_FROM_BYTES = 16 * 2**20
# The devices and dtypes that torch's fused optimizer kernels take.
_FUSED_DEVICES = ("cpu", "cuda")
_FUSED_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def fused_kernel_takes(leaves: Sequence[Tensors]) -> bool:
    """Whether every tensor has the first parameter's device and dtype, which the kernel takes."""
    first = leaves[1][0]
    if first.device.type not in _FUSED_DEVICES or first.dtype not in _FUSED_DTYPES:
        return False
    return all(t.device == first.device and t.dtype == first.dtype for ts in leaves for t in ts)


def _worth_recycling(params: Tensors) -> bool:
    """Whether recycled buffers pay: large parameters on the CPU (on a GPU the caching
    allocator already reuses memory)."""
    return params[0].device.type == "cpu" and (
        sum(p.numel() * p.element_size() for p in params) >= _RECYCLE_FROM_BYTES
    )


def kernel_inputs(
    leaves: Sequence[Tensors], recycler: Recycler | None
) -> tuple[Tensors, list[Tensors]]:
    """The gradients (``leaves[0]``) and copies of the other trees' tensors, all contiguous.

    A fused kernel walks each tensor's memory in order, so a column-major gradient would be
    read wrongly; and it updates its tensors in place, so it gets copies: in buffers from
    ``recycler`` for large parameters on a CPU, fresh ones otherwise. A broadcast fresh moment
    becomes a dense copy.

    Example:
        >>> import torch
        >>> grads, (params,) = kernel_inputs([[torch.ones(2, 2).t()], [torch.zeros(2)]], None)
        >>> grads[0].is_contiguous(), params
        (True, [tensor([0., 0.])])
    """
    grads = [g if g.is_contiguous() else g.contiguous() for g in leaves[0]]
    olds = leaves[1:]
    if recycler is not None and _worth_recycling(olds[0]):
        news = recycler.like(olds[0], len(olds))
        for new, old in zip(news, olds, strict=True):
            torch._foreach_copy_(new, old)
    else:
        news = [[t.clone(memory_format=torch.contiguous_format) for t in old] for old in olds]
    return grads, news
