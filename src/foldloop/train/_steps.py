"""Pure supervised steps built from an ``nn.Module``: ``(state, batch) -> state``."""

from typing import Any, TypeVar, cast, overload

import torch
from torch import nn

from foldloop.core import State, Step

from ._arguments import require_trainable
from ._batches import (
    Batch,
    EvalOutputTransform,
    LossFn,
    PrepareBatch,
    ReduceGrads,
    TrainOutputTransform,
    loss_item,
    prediction,
    require_scalar_loss,
    unpack_batch,
)
from ._checks import require_whole
from ._donation import Lease
from ._grad_mode import without_grad
from ._module import Template
from ._optimizers import GradientTransformation, apply_gradients
from ._randomness import draws_no_random, loss_draws_no_random, seeded_where_drawn
from ._train_state import Tensors, TrainState

B = TypeVar("B")
S = TypeVar("S")


@overload
def supervised_training_step(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    output_transform: TrainOutputTransform = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
) -> Step[TrainState, Batch]: ...


@overload
def supervised_training_step(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: TrainOutputTransform = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
) -> Step[TrainState, B]: ...


def supervised_training_step(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    # Any: the batch type is the overloads' B; the default reads a Batch.
    prepare_batch: PrepareBatch[Any] = unpack_batch,
    output_transform: TrainOutputTransform = loss_item,
    gradient_accumulation_steps: int = 1,
    donate: bool = False,
    reduce_grads: ReduceGrads | None = None,
) -> Step[TrainState, Any]:
    """A pure training step: forward, loss, gradients and update, on the state's tensors.

    Ignite's ``supervised_training_step`` without its side effects: the model is called on
    the state's parameters, as ``torch.func.functional_call`` would (in train mode, set once
    on a private copy), the gradients come from ``torch.autograd.grad`` and `apply_gradients`
    makes the new parameters out of place, so the state given to the step is never changed.
    With ``donate=True`` the given state is consumed instead: once the forward and backward
    passes have succeeded, the parameters and optimizer moments are updated in place in its
    tensors, and reading it afterwards raises `DonatedError`. Dropout (or any random draw in the
    model or the loss) draws from a seed made of ``(state.value.seed, state.iteration)``: a
    resumed run draws the same numbers, and the caller's random stream is left as it was. A
    model of torch's usual layers without dropout, with one of torch's losses, draws none, so it
    is not seeded. The step may be called from several threads at
    once (the module copy and the seeded section are locked).

    Args:
        model: the template; it is read once here and never changed.
        optimizer: a pure optimizer (`adamw`, `sgd`, a `chain`, ...).
        loss_fn: ``loss_fn(y_pred, y)``, a scalar tensor.
        prepare_batch: turns a batch into ``(x, y)``; by default a batch is that pair.
        output_transform: ``(x, y, y_pred, loss) -> output`` stored in ``TrainState.output``;
            by default the loss as a float.
        gradient_accumulation_steps: update every this many iterations (of the whole run, as
            Ignite counts them) with the sum of the gradients of ``loss / steps``.
        donate: consume the state each call is given, updating its tensors in place (no
            copies of the parameters and moments; see ``docs/training.md``, Donation).
        reduce_grads: applied to the gradients by name just before each update (once per
            accumulation window), e.g. ``foldloop.distributed.average_gradients`` to average
            them across processes; ``None`` (the default) leaves them as they are.

    Raises:
        ValueError: the model has no trainable parameters, or ``gradient_accumulation_steps``
            is not a whole number >= 1. While running (as the ``__cause__`` of a
            `foldloop.RunError`): ``ValueError`` for a loss that is not a scalar or an
            optimizer state that does not fit the parameters, ``TypeError`` for a batch that
            is not ``(x, y)``, `DonatedError` for a state that a donating step consumed.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop import Loop
        >>> from foldloop.train import init_train_state, sgd
        >>> model, optimizer = nn.Linear(1, 1), sgd(lr=0.1)
        >>> step = supervised_training_step(model, optimizer, nn.functional.mse_loss)
        >>> batch = (torch.ones(4, 1), torch.zeros(4, 1))
        >>> final = Loop(step).run(init_train_state(model, optimizer), [batch] * 20)
        >>> final.value.step, final.value.output < 1e-3
        (20, True)
    """
    require_trainable(model)
    template = Template.of(model, training=True)
    steps = require_whole("gradient_accumulation_steps", gradient_accumulation_steps, minimum=1)
    # Seeded only where the module or the loss may draw random numbers (checked once here).
    may_draw = not (draws_no_random(template.module) and loss_draws_no_random(loss_fn))

    def training_step(state: State[TrainState], batch: object) -> State[TrainState]:
        value = state.value
        x, y = prepare_batch(batch)
        params = _differentiable(value.params)
        with seeded_where_drawn(may_draw, value.seed, state.iteration, params.values()):
            y_pred, buffers = template(params, value.buffers, x)
            loss = require_scalar_loss(loss_fn(y_pred, y))
        grads = _gradients(loss if steps == 1 else loss / steps, params)
        output = output_transform(x, y, y_pred.detach(), loss.detach())
        del params, y_pred, loss  # free the graph now: its nodes hold the parameters until then
        new_params, opt_state, pending = _descend(
            optimizer, value, grads, state.iteration, steps, donate, reduce_grads
        )
        # Without an update the new state holds the given one's tensors, so it shares its lease.
        count, lease = (
            (value.step, value.lease) if pending is not None else (value.step + 1, Lease())
        )
        kept = (value.seed, output, pending)
        return state.replace(
            value=TrainState(new_params, buffers, opt_state, count, *kept, lease=lease)
        )

    return training_step


def _differentiable(params: Tensors) -> Tensors:
    """``params``, or (when some do not require grad, as loaded ones may not) copies that do."""
    if all(p.requires_grad for p in params.values()):
        return params
    return {name: p.detach().requires_grad_() for name, p in params.items()}


def _gradients(loss: torch.Tensor, params: Tensors) -> dict[str, torch.Tensor]:
    """The gradient of ``loss`` for each parameter; zeros for one the loss does not use."""
    # cast: with allow_unused, grad gives None for an unused input; its annotation omits that.
    grads = cast(
        tuple[torch.Tensor | None, ...],
        torch.autograd.grad(loss, list(params.values()), allow_unused=True),
    )
    return {
        name: torch.zeros_like(p) if g is None else g
        for (name, p), g in zip(params.items(), grads, strict=True)
    }


def _descend(
    optimizer: GradientTransformation[S],
    value: TrainState,
    grads: dict[str, torch.Tensor],
    iteration: int,
    steps: int,
    donate: bool,
    reduce_grads: ReduceGrads | None = None,
) -> tuple[Tensors, object, Tensors | None]:
    """The parameters and optimizer state after this iteration, and the gradients still pending.

    Without accumulation (``steps == 1``) every iteration updates; with it, the gradients are
    summed and the update comes at the last iteration of each window of ``steps``. With
    ``donate`` the update writes into ``value``'s tensors, and ``value`` is marked consumed.
    """
    if steps > 1:
        grads = _accumulated(value.grads, grads, first=(iteration - 1) % steps == 0)
        if iteration % steps:
            return value.params, value.opt_state, grads
    if reduce_grads is not None:
        grads = reduce_grads(grads)
    # cast: opt_state is what this optimizer's init or update made (init_train_state); each
    # transformation checks at run time that it got its own state back.
    opt_state = cast(S, value.opt_state)
    try:
        params, new_state = apply_gradients(
            optimizer, grads, opt_state, value.params, donate=donate
        )
    except (ValueError, TypeError):
        raise  # refused before anything was written: the given state is as it was
    except BaseException:
        if donate:  # torch's kernel failed and may have written part of the given state
            value.lease.consume(iteration)
        raise
    if donate:
        value.lease.consume(iteration)
    return params, new_state, None


def _accumulated(
    pending: Tensors | None, grads: dict[str, torch.Tensor], first: bool
) -> dict[str, torch.Tensor]:
    """``pending + grads``, out of place; just ``grads`` at the first iteration of a window."""
    if first or pending is None:
        return grads
    # _foreach_add: one call for all tensors (one multi-tensor kernel on CUDA).
    summed = torch._foreach_add([pending[name] for name in grads], list(grads.values()))
    return dict(zip(grads, summed, strict=True))


@overload
def supervised_evaluation_step(
    model: nn.Module, *, output_transform: EvalOutputTransform = ...
) -> Step[TrainState, Batch]: ...


@overload
def supervised_evaluation_step(
    model: nn.Module,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: EvalOutputTransform = ...,
) -> Step[TrainState, B]: ...


def supervised_evaluation_step(
    model: nn.Module,
    *,
    # Any: the batch type is the overloads' B; the default reads a Batch.
    prepare_batch: PrepareBatch[Any] = unpack_batch,
    output_transform: EvalOutputTransform = prediction,
) -> Step[TrainState, Any]:
    """A pure evaluation step: the model in eval mode on the state's tensors, without grad.

    Ignite's ``supervised_evaluation_step``: only ``TrainState.output`` changes, to
    ``output_transform(x, y, y_pred)`` (by default ``(y_pred, y)``). Eval mode is set once, on
    a private copy of the model. A model that may draw random numbers in eval mode (a layer or
    hook of the user's own) draws them from ``(state.value.seed, state.iteration)``, as a
    training step does, and leaves the caller's random stream as it was; one built of torch's
    usual layers draws none there, so it is not seeded.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop import Loop
        >>> from foldloop.train import TrainState
        >>> state = TrainState({"weight": torch.full((1, 1), 2.0)}, {}, ())
        >>> step = supervised_evaluation_step(nn.Linear(1, 1, bias=False))
        >>> Loop(step).run(state, [(torch.ones(1, 1), torch.ones(1))]).value.output
        (tensor([[2.]]), tensor([1.]))
    """
    template = Template.of(model, training=False)
    forward = without_grad(template)  # the module's output on the state's tensors, no graph
    # Seeded only where the module may draw random numbers: in eval mode torch's usual layers
    # draw none (checked once here).
    may_draw = not draws_no_random(template.module)

    def evaluation_step(state: State[TrainState], batch: object) -> State[TrainState]:
        value = state.value
        x, y = prepare_batch(batch)
        value.lease.check()  # (once: the fields are read below without the properties' checks)
        params, buffers = value._params, value._buffers
        with seeded_where_drawn(may_draw, value.seed, state.iteration, params.values()):
            y_pred, _ = forward(params, buffers, x)
        return state.replace(value=_with_output(value, output_transform(x, y, y_pred)))

    return evaluation_step


def _with_output(value: TrainState, output: object) -> TrainState:
    """``value`` (its lease checked by the caller) with a new ``output``, holding the same
    tensors, so sharing its lease (donating one consumes both). Built by TrainState's own
    constructor from the fields as they are: ``attrs.evolve`` costs ~10 us more a batch."""
    return TrainState(
        value._params,
        value._buffers,
        value._opt_state,
        value.step,
        value.seed,
        output,
        value._grads,
        lease=value.lease,
    )
