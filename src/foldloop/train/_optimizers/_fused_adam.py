"""Adam and AdamW in one pass: new parameters and moments straight from the gradients."""

from collections.abc import Sequence

import attrs
import torch

from foldloop.tree import tree_unflatten

from ._base import ApplyFn, ChainState, P, require_chain_state
from ._fused_inputs import Tensors, fused_kernel_takes, kernel_inputs
from ._leaves import as_leaves_like, flatten_alike, require_state
from ._recycler import Recycler
from ._scaling import NegatedLearningRate
from ._states import AdamState, CountState


@attrs.frozen
class AdamHyper:
    """Adam's settings, checked by the optimizer that owns them."""

    beta1: float
    beta2: float
    eps: float
    amsgrad: bool
    weight_decay: float
    decoupled: bool


def fused_adam(
    owner: str, hyper: AdamHyper, lr: NegatedLearningRate, adam_at: int, length: int
) -> ApplyFn[ChainState]:
    """The ``apply`` of `adam`/`adamw`: their chain's update and `apply_updates` as one kernel.

    On a CPU or a CUDA device the new parameters and moments are copies of the old ones that
    torch's fused Adam kernel then updates in place (the kernel of
    ``torch.optim.Adam(fused=True)``: one pass over each tensor), so the given tensors are
    never written and the results equal torch's fused step bit for bit. On a CPU, once the
    parameters reach 16 MiB, the copies go into buffers from the `Recycler` when one is given.
    Elsewhere (another device, a dtype the kernel does not take) the multi-tensor kernels do
    ``torch.optim.Adam``'s single-tensor arithmetic, operation for operation, into new tensors.

    Args:
        owner: the optimizer's name, for error messages.
        hyper: the hyper-parameters.
        lr: the learning rate schedule, negated (as `scale_by_learning_rate` keeps it).
        adam_at: where the `AdamState` sits in the chain's state; the `CountState` of the
            learning rate is last.
        length: how many states the chain has.
    """

    @torch.no_grad()
    def apply(
        grads: P, state: ChainState, params: P, recycler: Recycler | None = None
    ) -> tuple[P, ChainState]:
        require_chain_state(state, length)
        moments = require_state(owner, state[adam_at], AdamState)
        schedule = require_state(owner, state[-1], CountState)
        trees: dict[str, object] = {
            "updates": grads,
            "params": params,
            "exp_avg": moments.exp_avg,
            "exp_avg_sq": moments.exp_avg_sq,
        }
        if hyper.amsgrad:
            trees["max_exp_avg_sq"] = moments.max_exp_avg_sq
        spec, leaves = flatten_alike(owner, **trees)
        step, rate = moments.count + 1, -lr(schedule.count)
        if fused_kernel_takes(leaves):
            new_params, *new_moments = _fused(hyper, rate, step, leaves, recycler)
        else:
            new_params, *new_moments = _multi_tensor(hyper, _Factors.at(hyper, rate, step), leaves)
        new_max = tree_unflatten(spec, new_moments[2]) if hyper.amsgrad else None
        exp_avg, exp_avg_sq = (tree_unflatten(spec, moment) for moment in new_moments[:2])
        new_state = list(state)
        new_state[adam_at] = AdamState(step, exp_avg, exp_avg_sq, new_max)
        new_state[-1] = CountState(schedule.count + 1)
        updated: P = tree_unflatten(spec, as_leaves_like(new_params, leaves[1]))
        return updated, tuple(new_state)

    return apply


def _fused(
    hyper: AdamHyper, lr: float, step: int, leaves: Sequence[Tensors], recycler: Recycler | None
) -> list[Tensors]:
    """Copies of the parameters and moments, updated in place by torch's fused kernel."""
    grads, news = kernel_inputs(leaves, recycler)
    params, exp_avg, exp_avg_sq, *max_sq = news
    kernel = torch._fused_adamw_ if hyper.decoupled else torch._fused_adam_
    step_count = torch.full((), float(step), dtype=torch.float32, device=params[0].device)
    steps = [step_count] * len(params)  # the kernel only reads it
    kernel(
        params,
        grads,
        exp_avg,
        exp_avg_sq,
        max_sq[0] if hyper.amsgrad else [],
        steps,
        lr=lr,
        beta1=hyper.beta1,
        beta2=hyper.beta2,
        weight_decay=hyper.weight_decay,
        eps=hyper.eps,
        amsgrad=hyper.amsgrad,
        maximize=False,
    )
    return [params, exp_avg, exp_avg_sq, max_sq[0] if hyper.amsgrad else []]


@attrs.frozen
class _Factors:
    """The scalars of one Adam step, computed as ``torch.optim.Adam`` computes them."""

    step_size: float
    correction2_root: float
    decay: float

    @classmethod
    def at(cls, hyper: AdamHyper, lr: float, step: int) -> "_Factors":
        correction1 = 1 - hyper.beta1**step
        correction2 = 1 - hyper.beta2**step
        return cls(lr / correction1, correction2**0.5, 1 - lr * hyper.weight_decay)


def _multi_tensor(hyper: AdamHyper, factors: _Factors, leaves: Sequence[Tensors]) -> list[Tensors]:
    """``torch.optim.Adam``'s single-tensor step, operation for operation, over all tensors
    at once, into new tensors (where the fused kernel cannot run)."""
    grads, params, exp_avg, exp_avg_sq, *max_sq = leaves
    if hyper.weight_decay != 0 and not hyper.decoupled:
        grads = list(torch._foreach_add(grads, params, alpha=hyper.weight_decay))
    new_avg = torch._foreach_lerp(exp_avg, grads, 1 - hyper.beta1)
    new_sq = torch._foreach_mul(exp_avg_sq, hyper.beta2)
    torch._foreach_addcmul_(new_sq, grads, grads, value=1 - hyper.beta2)
    new_max = list(torch._foreach_maximum(max_sq[0], new_sq)) if hyper.amsgrad else []
    denominator = torch._foreach_sqrt(new_max if hyper.amsgrad else new_sq)
    torch._foreach_div_(denominator, factors.correction2_root)
    torch._foreach_add_(denominator, hyper.eps)
    if hyper.weight_decay != 0 and hyper.decoupled:
        new_params = torch._foreach_mul(params, factors.decay)
        torch._foreach_addcdiv_(new_params, new_avg, denominator, value=-factors.step_size)
    else:
        new_params = torch._foreach_addcdiv(params, new_avg, denominator, value=-factors.step_size)
    return [list(new_params), list(new_avg), list(new_sq), new_max]
