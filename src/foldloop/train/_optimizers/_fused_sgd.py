"""SGD in one pass: new parameters and momentum buffer straight from the gradients."""

import attrs
import torch

from foldloop.tree import tree_unflatten

from ._apply import apply_updates
from ._base import ApplyFn, ChainState, GradientTransformation, P, require_chain_state
from ._fused_inputs import fused_kernel_takes, kernel_inputs
from ._leaves import as_leaves_like, flatten_alike, require_state
from ._recycler import Recycler
from ._scaling import NegatedLearningRate
from ._states import CountState, TraceState


@attrs.frozen
class SgdHyper:
    """SGD's settings, checked by `sgd`."""

    momentum: float
    dampening: float
    nesterov: bool
    weight_decay: float


def fused_sgd(
    chained: GradientTransformation[ChainState],
    hyper: SgdHyper,
    lr: NegatedLearningRate,
    trace_at: int | None,
    length: int,
) -> ApplyFn[ChainState]:
    """The ``apply`` of `sgd`: its chain's update and `apply_updates` as one kernel.

    On a CPU or a CUDA device the new parameters and momentum buffer are copies of the old
    ones that torch's fused SGD kernel then updates in place (the kernel of
    ``torch.optim.SGD(fused=True)``), so the given tensors are never written and the results
    equal torch's fused step bit for bit; for large parameters on a CPU the copies go into
    buffers from the `Recycler` when one is given. Elsewhere it is ``chained.update`` and
    `apply_updates`.

    Args:
        chained: the chain whose step this fuses.
        hyper: the hyper-parameters.
        lr: the learning rate schedule, negated (as `scale_by_learning_rate` keeps it).
        trace_at: where the momentum's `TraceState` sits in the chain's state (``None``
            without momentum); the `CountState` of the learning rate is last.
        length: how many states the chain has.
    """

    @torch.no_grad()
    def apply(
        grads: P, state: ChainState, params: P, recycler: Recycler | None = None
    ) -> tuple[P, ChainState]:
        require_chain_state(state, length)
        schedule = require_state("sgd", state[-1], CountState)
        trees: dict[str, object] = {"updates": grads, "params": params}
        trace = None
        if trace_at is not None:
            trace = require_state("sgd", state[trace_at], TraceState)
            trees["momentum_buffer"] = trace.momentum_buffer
        spec, leaves = flatten_alike("sgd", **trees)
        if not fused_kernel_takes(leaves):
            updates, chained_state = chained.update(grads, state, params)
            return apply_updates(params, updates), chained_state
        grads_in, (new_params, *buffers) = kernel_inputs(leaves, recycler)
        torch._fused_sgd_(
            new_params,
            grads_in,
            buffers[0] if trace is not None else [],
            weight_decay=hyper.weight_decay,
            momentum=hyper.momentum,
            lr=-lr(schedule.count),
            dampening=hyper.dampening,
            nesterov=hyper.nesterov,
            maximize=False,
            is_first_step=trace is not None and trace.count == 0,
        )
        new_state = list(state)
        if trace is not None and trace_at is not None:
            new_state[trace_at] = TraceState(trace.count + 1, tree_unflatten(spec, buffers[0]))
        new_state[-1] = CountState(schedule.count + 1)
        updated: P = tree_unflatten(spec, as_leaves_like(new_params, leaves[1]))
        return updated, tuple(new_state)

    return apply
