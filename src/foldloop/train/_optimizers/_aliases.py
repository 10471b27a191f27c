"""The common optimizers, with ``torch.optim``'s keyword names, as chains of transformations."""

from typing import Any, TypeAlias

from .._checks import require_betas, require_non_negative, require_unit_interval
from .._schedules import Schedule, inverse_time_decay
from ._adam import scale_by_adam
from ._base import ChainState, GradientTransformation, chain
from ._fused_adam import AdamChain, AdamHyper, fused_adam
from ._fused_sgd import SgdHyper, fused_sgd
from ._momentum import require_momentum, trace
from ._rms import scale_by_rms, scale_by_rss
from ._scaling import (
    NegatedLearningRate,
    add_decayed_weights,
    scale_by_learning_rate,
    scale_by_negated_learning_rate,
    scale_by_schedule,
)

Optimizer: TypeAlias = GradientTransformation[ChainState]
"""What `sgd`, `adam` and the others return: a `chain` of transformations."""

# Any: the pieces of one optimizer keep different state types (see `chain`).
_Parts: TypeAlias = list[GradientTransformation[Any]]


def sgd(
    lr: float | Schedule,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> Optimizer:
    """Stochastic gradient descent, step for step as ``torch.optim.SGD``.

    Args:
        lr: the learning rate, a number >= 0 or a schedule ``step -> float``.
        momentum: the momentum factor (0 for none).
        dampening: how much of each gradient the momentum buffer leaves out.
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        weight_decay: L2 penalty added to the gradients.

    Raises:
        ValueError: a negative ``lr``, ``momentum``, ``dampening`` or ``weight_decay``, or
            ``nesterov`` without momentum.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = sgd(lr=0.1, momentum=0.9)
        >>> state = optimizer.init(params)
        >>> for _ in range(2):
        ...     updates, state = optimizer.update({"w": torch.tensor([1.0])}, state, params)
        ...     params = apply_updates(params, updates)
        >>> params
        {'w': tensor([0.7100])}
    """
    decay, damping = require_momentum("sgd", momentum, dampening, nesterov)
    parts = _weight_decay("sgd", weight_decay)
    if decay:
        parts.append(trace(decay, damping, nesterov))
    negated = NegatedLearningRate.of(lr)
    chained = chain(*parts, scale_by_negated_learning_rate(negated))
    hyper = SgdHyper(decay, damping, nesterov, weight_decay)
    trace_at = len(parts) - 1 if decay else None
    return chained._replace(apply=fused_sgd(chained, hyper, negated, trace_at, len(parts) + 1))


def adam(
    lr: float | Schedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
) -> Optimizer:
    """Adam, step for step as ``torch.optim.Adam`` (``weight_decay`` is an L2 penalty).

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside
            ``[0, 1)``.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = adam(lr=0.1)
        >>> updates, _ = optimizer.update(
        ...     {"w": torch.tensor([3.0])}, optimizer.init(params), params
        ... )
        >>> apply_updates(params, updates)
        {'w': tensor([0.9000])}
    """
    hyper = _adam_hyper("adam", betas, eps, weight_decay, amsgrad, decoupled=False)
    parts = _weight_decay("adam", weight_decay)
    parts.append(scale_by_adam((hyper.beta1, hyper.beta2), hyper.eps, amsgrad))
    return _fused_adam_chain("adam", hyper, parts, len(parts) - 1, lr)


def adamw(
    lr: float | Schedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
) -> Optimizer:
    """AdamW, as ``torch.optim.AdamW``: the weights decay by ``lr * weight_decay`` each step.

    Raises:
        ValueError: a negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside
            ``[0, 1)``.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = adamw(lr=0.1, weight_decay=0.5)
        >>> updates, _ = optimizer.update(
        ...     {"w": torch.tensor([3.0])}, optimizer.init(params), params
        ... )
        >>> apply_updates(params, updates)
        {'w': tensor([0.8500])}
    """
    hyper = _adam_hyper("adamw", betas, eps, weight_decay, amsgrad, decoupled=True)
    parts = [scale_by_adam((hyper.beta1, hyper.beta2), hyper.eps, amsgrad)]
    parts.extend(_weight_decay("adamw", weight_decay))
    return _fused_adam_chain("adamw", hyper, parts, 0, lr)


def rmsprop(
    lr: float | Schedule = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> Optimizer:
    """RMSprop, step for step as ``torch.optim.RMSprop``.

    Raises:
        ValueError: a negative ``lr``, ``eps``, ``weight_decay`` or ``momentum``, or ``alpha``
            outside ``[0, 1)``.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = rmsprop(lr=0.01, alpha=0.75)
        >>> updates, _ = optimizer.update(
        ...     {"w": torch.tensor([3.0])}, optimizer.init(params), params
        ... )
        >>> apply_updates(params, updates)
        {'w': tensor([0.9800])}
    """
    parts = _weight_decay("rmsprop", weight_decay)
    decay = require_unit_interval("rmsprop: alpha", alpha)
    parts.append(scale_by_rms(decay, require_non_negative("rmsprop: eps", eps), centered))
    if require_non_negative("rmsprop: momentum", momentum):
        parts.append(trace(momentum))
    return chain(*parts, scale_by_learning_rate(lr))


def adagrad(
    lr: float | Schedule = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> Optimizer:
    """Adagrad, step for step as ``torch.optim.Adagrad``.

    ``lr_decay`` divides the learning rate at step ``t`` by ``1 + t * lr_decay``.

    Raises:
        ValueError: a negative ``lr``, ``lr_decay``, ``weight_decay``,
            ``initial_accumulator_value`` or ``eps``.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = adagrad(lr=0.5)
        >>> updates, _ = optimizer.update(
        ...     {"w": torch.tensor([3.0])}, optimizer.init(params), params
        ... )
        >>> apply_updates(params, updates)
        {'w': tensor([0.5000])}
    """
    parts = _weight_decay("adagrad", weight_decay)
    start = require_non_negative("adagrad: initial_accumulator_value", initial_accumulator_value)
    parts.append(scale_by_rss(start, require_non_negative("adagrad: eps", eps)))
    if require_non_negative("adagrad: lr_decay", lr_decay):
        parts.append(scale_by_schedule(inverse_time_decay(1.0, lr_decay)))
    return chain(*parts, scale_by_learning_rate(lr))


def _adam_hyper(
    owner: str,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    decoupled: bool,
) -> AdamHyper:
    beta1, beta2 = _betas(owner, betas)
    return AdamHyper(
        beta1,
        beta2,
        require_non_negative(f"{owner}: eps", eps),
        amsgrad,
        require_non_negative(f"{owner}: weight_decay", weight_decay),
        decoupled,
    )


def _fused_adam_chain(
    owner: str, hyper: AdamHyper, parts: _Parts, adam_at: int, lr: float | Schedule
) -> Optimizer:
    """``chain(*parts, scale_by_learning_rate(lr))``, with `fused_adam` as its ``apply``;
    ``parts[adam_at]`` is the `scale_by_adam`."""
    negated = NegatedLearningRate.of(lr)
    chained = chain(*parts, scale_by_negated_learning_rate(negated))
    fused = fused_adam(AdamChain(owner, chained, negated, adam_at, len(parts) + 1), hyper)
    return chained._replace(apply=fused)


def _weight_decay(owner: str, weight_decay: float) -> _Parts:
    """``[add_decayed_weights(weight_decay)]``, or no part at all for 0."""
    if not require_non_negative(f"{owner}: weight_decay", weight_decay):
        return []
    return [add_decayed_weights(weight_decay)]


def _betas(owner: str, betas: tuple[float, float]) -> tuple[float, float]:
    return require_betas(f"{owner}: betas", betas)
