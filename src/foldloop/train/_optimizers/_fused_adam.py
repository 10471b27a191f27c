"""Adam and AdamW in one pass: new parameters and moments straight from the gradients."""

from collections.abc import Sequence

import attrs
import torch

from foldloop.tree import tree_unflatten

from ._base import ApplyFn, ChainState, P, require_chain_state
from ._leaves import flatten_alike, require_state
from ._recycler import Recycler
from ._scaling import NegatedLearningRate
from ._states import AdamState, CountState

Tensors = list[torch.Tensor]


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

    The arithmetic is ``torch.optim.Adam``'s single-tensor step, operation for operation, so on
    a CPU the parameters are those torch computes; but every result goes to a new tensor. For
    large parameters on a CPU (16 MiB and more) the new tensors come from the `Recycler` when
    one is given, one operation per tensor writing into its buffer; otherwise the multi-tensor
    kernels make them.

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
        step = moments.count + 1
        factors = _Factors.at(hyper, -lr(schedule.count), step)
        if recycler is not None and _worth_recycling(leaves[1]):
            new_params, *new_moments = _per_tensor(hyper, factors, leaves, recycler)
        else:
            new_params, *new_moments = _multi_tensor(hyper, factors, leaves)
        for new, old in zip(new_params, leaves[1], strict=True):
            if new.requires_grad != old.requires_grad:
                new.requires_grad_(old.requires_grad)
        new_max = tree_unflatten(spec, new_moments[2]) if hyper.amsgrad else None
        exp_avg, exp_avg_sq = (tree_unflatten(spec, moment) for moment in new_moments[:2])
        new_state = list(state)
        new_state[adam_at] = AdamState(step, exp_avg, exp_avg_sq, new_max)
        new_state[-1] = CountState(schedule.count + 1)
        updated: P = tree_unflatten(spec, new_params)
        return updated, tuple(new_state)

    return apply


# Below this many bytes of parameters, new tensors come cheap from the allocator's free lists
# and the multi-tensor kernels (fewer Python calls) are faster than recycling.
_RECYCLE_FROM_BYTES = 16 * 2**20


def _worth_recycling(params: Tensors) -> bool:
    """Whether recycled buffers pay: large parameters, all on the CPU (on a GPU the caching
    allocator already reuses memory, and one kernel per tensor would cost launches)."""
    return all(p.device.type == "cpu" for p in params) and (
        sum(p.numel() * p.element_size() for p in params) >= _RECYCLE_FROM_BYTES
    )


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


def _per_tensor(
    hyper: AdamHyper, factors: _Factors, leaves: Sequence[Tensors], recycler: Recycler
) -> list[Tensors]:
    """One operation per tensor and step, each writing into a recycled buffer."""
    grads, params, exp_avg, exp_avg_sq, *max_sq = leaves
    coupled = hyper.weight_decay != 0 and not hyper.decoupled
    decoupled = hyper.weight_decay != 0 and hyper.decoupled
    new_params, new_avg, new_sq, scratch, *extra = recycler.like(
        params, 4 + hyper.amsgrad + coupled
    )
    new_max = extra.pop() if hyper.amsgrad else []
    decayed = extra.pop() if coupled else grads
    for i, param in enumerate(params):
        grad = grads[i]
        if coupled:
            grad = torch.add(grad, param, alpha=hyper.weight_decay, out=decayed[i])
        torch.lerp(exp_avg[i], grad, 1 - hyper.beta1, out=new_avg[i])
        torch.mul(exp_avg_sq[i], hyper.beta2, out=new_sq[i]).addcmul_(
            grad, grad, value=1 - hyper.beta2
        )
        second = new_sq[i]
        if hyper.amsgrad:
            second = torch.maximum(max_sq[0][i], second, out=new_max[i])
        denominator = torch.sqrt(second, out=scratch[i])
        denominator.div_(factors.correction2_root).add_(hyper.eps)
        if decoupled:
            torch.mul(param, factors.decay, out=new_params[i]).addcdiv_(
                new_avg[i], denominator, value=-factors.step_size
            )
        else:
            torch.addcdiv(
                param, new_avg[i], denominator, value=-factors.step_size, out=new_params[i]
            )
    return [new_params, new_avg, new_sq, new_max]


def _multi_tensor(hyper: AdamHyper, factors: _Factors, leaves: Sequence[Tensors]) -> list[Tensors]:
    """The same operations as `_per_tensor`, each over all tensors at once, into new tensors."""
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
