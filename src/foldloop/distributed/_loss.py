"""A loss weighted by this rank's share of the global batch: the exact global mean when the
ranks' slices differ in size (``uneven="split"``)."""

from __future__ import annotations

import torch
import torch.distributed as dist

from foldloop.train import LossFn

from ._faults import named
from ._group import grouped


def item_weighted(loss_fn: LossFn) -> LossFn:
    """``loss_fn`` scaled on each rank by ``world_size * n / N``, where ``n`` is this rank's
    item count (``y_pred``'s first dimension) and ``N`` the global batch's (one all-reduce of
    the count): with a mean loss, the gradients that `average_gradients` averages then add up
    to the gradient of the mean over the whole global batch, ``sum_r n_r * g_r / N``, even
    when the slices differ in size (`shard` with ``uneven="split"``: 15 and 14 items of 29).
    Equal slices give a factor of exactly 1. Each rank's loss (the step's output) is its
    weighted share: their mean over ranks is the global batch's mean loss. Without a group
    (checked at each call) it is ``loss_fn``'s value.

    Example:
        >>> import torch.nn.functional as F
        >>> y_pred, y = torch.tensor([[2.0, 0.0]]), torch.tensor([0])
        >>> bool(item_weighted(F.cross_entropy)(y_pred, y) == F.cross_entropy(y_pred, y))
        True
    """

    def weighted(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if not grouped():
            return loss_fn(y_pred, y)
        count = torch.tensor([y_pred.shape[0]], dtype=torch.float64, device=y_pred.device)
        total = count.clone()
        named(lambda: dist.all_reduce(total))
        return loss_fn(y_pred, y) * float(dist.get_world_size() * count / total)

    return weighted
