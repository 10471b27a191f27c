"""What torch's fused optimizer kernels are given: dense tensors, copies unless donated."""

from collections.abc import Sequence

import torch

from ._leaves import require_fit

Tensors = list[torch.Tensor]

# The devices and dtypes that torch's fused optimizer kernels take.
_FUSED_DEVICES = ("cpu", "cuda")
_FUSED_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def kernel_takes(
    owner: str, names: Sequence[str], leaves: Sequence[Tensors], params: object
) -> bool:
    """Whether torch's fused kernel takes these tensors (all of the first parameter's device and
    dtype, which it supports), after refusing gradients (``leaves[0]``) or state tensors
    (``leaves[2:]``) that do not fit the parameters (``leaves[1]``): checked before a kernel
    reads them, in one pass (a step's hot path); ``names`` name the state trees.
    """
    grads, param_leaves, *states = leaves
    shapes = [p.shape for p in param_leaves]
    if [g.shape for g in grads] != shapes:
        require_fit(owner, "grads", grads, param_leaves, params, same_kind=True)
    for name, state in zip(names[2:], states, strict=True):
        if [t.shape for t in state] != shapes:
            require_fit(owner, name, state, param_leaves, params, same_kind=False)
    kinds = {(t.dtype, t.device) for tensors in leaves for t in tensors}
    if len(kinds) > 1:  # the gradients must have their parameters' kinds; the state may differ
        require_fit(owner, "grads", grads, param_leaves, params, same_kind=True)
        return False
    [(dtype, device)] = kinds
    return device.type in _FUSED_DEVICES and dtype in _FUSED_DTYPES


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
    grads = _dense(leaves[0])
    if donate:
        return grads, [_dense(old) for old in leaves[1:]]
    # torch._foreach_clone (private, tested with torch 2.13): one call copies every tensor of a
    # tree, where a clone per tensor costs a Python round trip each (18 for Adam on 6 tensors,
    # ~1/3 of the copying time on a small model). It keeps a dense tensor's strides, so a
    # column-major one is made contiguous after (a broadcast moment comes out contiguous).
    return grads, [_dense(torch._foreach_clone(old)) for old in leaves[1:]]


def _dense(tensors: Sequence[torch.Tensor]) -> Tensors:
    """``tensors``, each made contiguous where it is not (a copy then; the rest as they are)."""
    return [t if t.is_contiguous() else t.contiguous() for t in tensors]
