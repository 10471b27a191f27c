"""What torch's fused optimizer kernels are given: dense tensors, copies unless donated."""

from collections.abc import Sequence

import torch

from ._leaves import require_fit

Tensors = list[torch.Tensor]

# The devices and dtypes that torch's fused optimizer kernels take.
_FUSED_DEVICES = ("cpu", "cuda")
_FUSED_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def fused_kernel_takes(leaves: Sequence[Tensors]) -> bool:
    """Whether every tensor has the first parameter's device and dtype, which the kernel takes."""
    first = leaves[1][0]
    if first.device.type not in _FUSED_DEVICES or first.dtype not in _FUSED_DTYPES:
        return False
    return all(t.device == first.device and t.dtype == first.dtype for ts in leaves for t in ts)


def require_kernel_fit(
    owner: str, names: Sequence[str], leaves: Sequence[Tensors], params: object
) -> None:
    """Refuse gradients (``leaves[0]``) or state tensors (``leaves[2:]``) that do not fit the
    parameters (``leaves[1]``), before a kernel reads them; ``names`` name the trees."""
    require_fit(owner, "grads", leaves[0], leaves[1], params, same_kind=True)
    for name, state_leaves in zip(names[2:], leaves[2:], strict=True):
        require_fit(owner, name, state_leaves, leaves[1], params, same_kind=False)


def kernel_inputs(leaves: Sequence[Tensors], donate: bool) -> tuple[Tensors, list[Tensors]]:
    """The gradients (``leaves[0]``) and the tensors for the kernel to update in place.

    A fused kernel walks each tensor's memory in order, so every tensor it gets is contiguous
    (a column-major gradient would be read wrongly). Without ``donate`` it updates copies of
    the parameters and state tensors; with it, the given tensors themselves where they are
    contiguous (a fresh moment, one number broadcast, becomes a dense tensor first).

    Example:
        >>> import torch
        >>> grads, (params,) = kernel_inputs([[torch.ones(2, 2).t()], [torch.zeros(2)]], False)
        >>> grads[0].is_contiguous(), params
        (True, [tensor([0., 0.])])
    """
    grads = [_dense(g) for g in leaves[0]]
    if donate:
        return grads, [[_dense(t) for t in old] for old in leaves[1:]]
    return grads, [
        [t.clone(memory_format=torch.contiguous_format) for t in old] for old in leaves[1:]
    ]


def _dense(tensor: torch.Tensor) -> torch.Tensor:
    return tensor if tensor.is_contiguous() else tensor.contiguous()
