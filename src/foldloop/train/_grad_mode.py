"""Autograd off for a call, as ``@without_grad`` does, at a fifth of its cost."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import torch

P = ParamSpec("P")
R = TypeVar("R")


def without_grad(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` run with autograd off, the caller's grad mode restored after (also after an
    error), as ``@without_grad`` runs it, without building a context manager on every call
    (~2 us a call; a step makes one or two such calls).

    Example:
        >>> import torch
        >>> @without_grad
        ... def doubled(t: torch.Tensor) -> torch.Tensor:
        ...     return t * 2
        >>> doubled(torch.ones(1, requires_grad=True)).requires_grad, torch.is_grad_enabled()
        (False, True)
    """

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)  # what torch.no_grad() itself calls
        try:
            return fn(*args, **kwargs)
        finally:
            torch._C._set_grad_enabled(enabled)

    return call
