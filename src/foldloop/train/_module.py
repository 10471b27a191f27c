"""An ``nn.Module`` called as a pure function of named tensors, in a mode fixed once."""

import threading
from collections.abc import Mapping
from copy import deepcopy
from itertools import chain

import attrs
import torch
from torch import nn
from torch.func import functional_call

from ._train_state import Tensors

# Where a module keeps one named tensor: its owner's ``_parameters`` or ``_buffers``, and the key.
_Place = tuple[dict[str, torch.Tensor | None], str]


@attrs.frozen
class Template:
    """A private copy of a module's structure in one mode (train or eval), sharing its tensors.

    Train and eval mode are set once, on the copy, when a step is built: the user's module is
    never switched, so a trainer and an evaluator built from the same module can run side by
    side, and nothing calls ``model.train()`` on every step. The copy shares the module's
    tensors (no memory is spent on it). For each call the state's tensors take the places of
    the copy's own (``functional_call`` does the same, through a slower general path that this
    one keeps for tied weights), and the copy's own go back after the call. A lock holds the
    copy for one call at a time, so steps built on it may run in several threads at once.

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
    places: dict[str, _Place] = attrs.field(eq=False, repr=False)
    lock: threading.Lock = attrs.field(factory=threading.Lock, eq=False, repr=False)

    @classmethod
    def of(cls, model: nn.Module, training: bool) -> "Template":
        """The template of ``model`` in train (``training=True``) or eval mode."""
        tensors = chain(model.parameters(), model.buffers())
        copy = deepcopy(model, memo={id(t): t for t in tensors})
        names = frozenset(name for name, p in model.named_parameters() if p.requires_grad)
        return cls(copy.train(training), _has_tied_tensors(model), names, _places(copy))

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
        tensors: Mapping[str, torch.Tensor]
        if buffers:
            tensors = {**params, **{name: b.clone() for name, b in buffers.items()}}
        else:  # (a model without buffers: nothing to copy or hand back)
            tensors = params
        with self.lock:  # uncontended: well under 1 us; the copy's tensors are swapped here
            if self.tie_weights:
                y_pred = functional_call(self.module, dict(tensors), (x,), tie_weights=True)
            else:
                y_pred = self._call_with(tensors, x)
        return y_pred, {name: tensors[name] for name in buffers} if buffers else {}

    def _call_with(self, tensors: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        places, own = self.places, []  # one pass, no list built per call: ~6 us a step
        try:
            for name, tensor in tensors.items():
                table, key = places[name]
                own.append((table, key, table[key]))
                table[key] = tensor
            y_pred: torch.Tensor = self.module(x)
        finally:  # the copy's own tensors back, also after a failure half way through
            for table, key, previous in own:
                table[key] = previous
        return y_pred

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


def _places(module: nn.Module) -> dict[str, _Place]:
    """The place of every parameter and buffer of ``module``, by its dotted name."""
    places = {}
    for prefix, owner in module.named_modules(remove_duplicate=False):
        stem = f"{prefix}." if prefix else ""
        for table in (owner._parameters, owner._buffers):
            for key in table:
                places[stem + key] = (table, key)
    return places


def _has_tied_tensors(model: nn.Module) -> bool:
    """Whether a tensor is reachable under two names (tied embeddings): ``functional_call``
    must then tie them, which costs time on every call, so it is only asked to when needed."""
    every = sum(1 for _ in model.named_parameters(remove_duplicate=False))
    every += sum(1 for _ in model.named_buffers(remove_duplicate=False))
    unique = sum(1 for _ in model.parameters()) + sum(1 for _ in model.buffers())
    return every != unique
