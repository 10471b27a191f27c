"""SGD in one pass: new parameters and momentum buffer straight from the gradients."""

import attrs
import torch

from foldloop.tree import tree_unflatten

from .._grad_mode import without_grad
from ._apply import update_then_apply
from ._base import ApplyFn, ChainState, GradientTransformation, P, require_chain_state
from ._fused_inputs import kernel_inputs, kernel_takes
from ._leaves import as_leaves_like, flatten_alike, require_state
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

    On a CPU or a CUDA device this is torch's fused SGD kernel (that of
    ``torch.optim.SGD(fused=True)``), bit for bit; it updates copies of the parameters and
    momentum buffer, or with ``donate`` the given tensors themselves. Elsewhere it is
    ``chained.update`` and `apply_updates`.

    Args:
        chained: the chain whose step this fuses.
        hyper: the hyper-parameters.
        lr: the learning rate schedule, negated (as `scale_by_learning_rate` keeps it).
        trace_at: where the momentum's `TraceState` sits in the chain's state (``None``
            without momentum); the `CountState` of the learning rate is last.
        length: how many states the chain has.
    """

    @without_grad
    def apply(
        grads: P, state: ChainState, params: P, *, donate: bool = False
    ) -> tuple[P, ChainState]:
        require_chain_state(state, length)
        schedule = require_state("sgd", state[-1], CountState)
        trees: dict[str, object] = {"updates": grads, "params": params}
        trace = None
        if trace_at is not None:
            trace = require_state("sgd", state[trace_at], TraceState)
            trees["momentum_buffer"] = trace.momentum_buffer
        spec, leaves = flatten_alike("sgd", **trees)
        if not kernel_takes("sgd", list(trees), leaves, params):
            return update_then_apply(chained, grads, state, params, donate)
        grads_in, (new_params, *buffers) = kernel_inputs(leaves, donate)
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
