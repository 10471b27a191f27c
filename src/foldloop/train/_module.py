"""An ``nn.Module`` called as a pure function of named tensors, in a mode fixed once."""

from collections.abc import Mapping
from copy import deepcopy
from itertools import chain

import attrs
import torch
from torch import nn
from torch.func import functional_call

from ._train_state import Tensors


@attrs.frozen
class Template:
    """A private copy of a module's structure in one mode (train or eval), sharing its tensors.

    Train and eval mode are set once, on the copy, when a step is built: the user's module is
    never switched, so a trainer and an evaluator built from the same module can run side by
    side, and nothing calls ``model.train()`` on every step. The copy shares the module's
    tensors (no memory is spent on it) and ``functional_call`` swaps the state's tensors in
    for each call.

    Example:
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
        >>> template = Template.of(model, training=False)
        >>> template.module.training, model.training
        (False, True)
        >>> template.module[0].weight is model[0].weight
        True
    """

    module: nn.Module
    tie_weights: bool
    param_names: frozenset[str]

    @classmethod
    def of(cls, model: nn.Module, training: bool) -> "Template":
        """The template of ``model`` in train (``training=True``) or eval mode."""
        tensors = chain(model.parameters(), model.buffers())
        copy = deepcopy(model, memo={id(t): t for t in tensors})
        names = frozenset(name for name, p in model.named_parameters() if p.requires_grad)
        return cls(copy.train(training), _has_tied_tensors(model), names)

    def __call__(
        self, params: Tensors, buffers: Tensors, x: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The module's output on ``x``, and its buffers after the call.

        The buffers are fresh copies (BatchNorm in train mode updates them in place); the given
        tensors are not changed.

        Raises:
            ValueError: ``params`` are not the trainable parameters of this module.
        """
        self.require_params(params)
        tensors = {**params, **{name: b.clone() for name, b in buffers.items()}}
        y_pred = functional_call(self.module, tensors, (x,), tie_weights=self.tie_weights)
        return y_pred, {name: tensors[name] for name in buffers}

    def require_params(self, params: Mapping[str, object]) -> None:
        """Refuse parameters whose names are not those of this module's trainable parameters.

        Example:
            >>> from torch import nn
            >>> Template.of(nn.Linear(1, 1), training=True).require_params({"weight": 0})
            Traceback (most recent call last):
            ...
            ValueError: the state's parameters do not fit Linear: missing ['bias'], unknown []; ...
        """
        if params.keys() == self.param_names:
            return
        missing = sorted(self.param_names - params.keys())
        unknown = sorted(params.keys() - self.param_names)
        raise ValueError(
            f"the state's parameters do not fit {type(self.module).__name__}: missing {missing}, "
            f"unknown {unknown}; make the state with init_train_state(model, ...) from the "
            "model this step was built from"
        )


def _has_tied_tensors(model: nn.Module) -> bool:
    """Whether a tensor is reachable under two names (tied embeddings): ``functional_call``
    must then tie them, which costs time on every call, so it is only asked to when needed."""
    every = sum(1 for _ in model.named_parameters(remove_duplicate=False))
    every += sum(1 for _ in model.named_buffers(remove_duplicate=False))
    unique = sum(1 for _ in model.parameters()) + sum(1 for _ in model.buffers())
    return every != unique
