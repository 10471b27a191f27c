"""Adam and AdamW as one kernel: new parameters and moments straight from the gradients."""

from collections.abc import Sequence

import attrs
import torch

from foldloop.tree import tree_unflatten

from .._grad_mode import without_grad
from ._apply import update_then_apply
from ._base import ApplyFn, ChainState, GradientTransformation, P, require_chain_state
from ._fused_inputs import Tensors, kernel_inputs, kernel_takes
from ._leaves import as_leaves_like, flatten_alike, require_state
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


@attrs.frozen
class AdamChain:
    """Where `adam`/`adamw` keep what their fused step reads: the chain it implements, the
    learning rate (negated, as `scale_by_learning_rate` keeps it), and where the `AdamState`
    sits in the chain's state (the learning rate's `CountState` is last)."""

    owner: str
    chained: GradientTransformation[ChainState]
    lr: NegatedLearningRate
    adam_at: int
    length: int


def fused_adam(chain: AdamChain, hyper: AdamHyper) -> ApplyFn[ChainState]:
    """The ``apply`` of `adam`/`adamw`: their chain's update and `apply_updates` as one kernel.

    On a CPU or a CUDA device this is torch's fused Adam kernel (that of
    ``torch.optim.Adam(fused=True)``: one pass over each tensor), bit for bit; it updates
    copies of the parameters and moments, or with ``donate`` the given tensors themselves.
    Elsewhere (another device, a dtype the kernel does not take) it is the chain's ``update``
    and `apply_updates`: there is no third implementation.
    """

    @without_grad
    def apply(
        grads: P, state: ChainState, params: P, *, donate: bool = False
    ) -> tuple[P, ChainState]:
        require_chain_state(state, chain.length)
        moments = require_state(chain.owner, state[chain.adam_at], AdamState)
        schedule = require_state(chain.owner, state[-1], CountState)
        trees: dict[str, object] = {
            "updates": grads,
            "params": params,
            "exp_avg": moments.exp_avg,
            "exp_avg_sq": moments.exp_avg_sq,
        }
        if hyper.amsgrad:
            trees["max_exp_avg_sq"] = moments.max_exp_avg_sq
        spec, leaves = flatten_alike(chain.owner, **trees)
        if not kernel_takes(chain.owner, list(trees), leaves, params):
            return update_then_apply(chain.chained, grads, state, params, donate)
        step, rate = moments.count + 1, -chain.lr(schedule.count)
        new_params, *new_moments = _fused(hyper, rate, step, leaves, donate)
        new_max = tree_unflatten(spec, new_moments[2]) if hyper.amsgrad else None
        exp_avg, exp_avg_sq = (tree_unflatten(spec, moment) for moment in new_moments[:2])
        new_state = list(state)
        new_state[chain.adam_at] = AdamState(step, exp_avg, exp_avg_sq, new_max)
        new_state[-1] = CountState(schedule.count + 1)
        updated: P = tree_unflatten(spec, as_leaves_like(new_params, leaves[1]))
        return updated, tuple(new_state)

    return apply


def _fused(
    hyper: AdamHyper, lr: float, step: int, leaves: Sequence[Tensors], donate: bool
) -> list[Tensors]:
    """The parameters and moments after torch's fused kernel updated them in place: copies of
    the given ones, or with ``donate`` the given ones (where contiguous)."""
    grads, news = kernel_inputs(leaves, donate)
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
