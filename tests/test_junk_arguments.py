"""Junk for every public argument: each is refused before any work (a ``TypeError`` or
``ValueError`` raised by the call itself, no event fired), never run silently and never an
unclear ``AttributeError``/``IndexError``/unpacking error from deep inside (issue 14).

Table-driven: each row builds a valid call, and the junk replaces one argument of it.
"""

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from foldloop import (
    Event,
    IterationCompleted,
    Loop,
    Slot,
    Started,
    State,
    after,
    before,
    every,
    on,
    once,
    where,
)
from foldloop.metrics import Accuracy, ConfusionMatrix, MeanSquaredError, TopKCategoricalAccuracy
from foldloop.train import (
    adagrad,
    adam,
    adamw,
    clip_by_global_norm,
    constant_schedule,
    cosine_annealing,
    cyclical,
    exponential_decay,
    init_train_state,
    linear_schedule,
    multistep_schedule,
    piecewise_linear,
    rmsprop,
    sgd,
    step_schedule,
    supervised_evaluator,
    supervised_trainer,
)

JUNK: dict[str, object] = {
    "None": None,
    "str": "x",
    "negative": -1,
    "nan": float("nan"),
    "object": object(),
    "list": [],
}

FIRED: list[str] = []


def _loop() -> Loop[int, Any]:
    loop: Loop[int, Any] = Loop(lambda state, batch: state)
    loop.tap(Started, lambda: FIRED.append("Started"))
    return loop


def _with(valid: dict[str, Any], name: str, junk: object) -> dict[str, Any]:
    """The valid arguments with ``name`` replaced by ``junk``. Any: junk is what mypy would
    refuse, and the point is what the call does when mypy is not run."""
    return valid | ({name: junk} if name else {})


def _run(**junk: Any) -> Callable[[], object]:
    arguments = _with({"initial": 0, "data": [1, 2], "max_epochs": 1}, "", None) | junk
    loop = _loop()
    return lambda: loop.run(arguments.pop("initial"), arguments.pop("data"), **arguments)


def _model() -> nn.Module:
    return nn.Linear(1, 1)


# name -> (the call with one argument replaced, the arguments that may take None)
CALLS: dict[str, tuple[Callable[[str, Any], object], frozenset[str]]] = {
    "Loop": (lambda _, junk: Loop(junk), frozenset()),
    "run": (
        lambda name, junk: _run(**{name: junk})(),
        frozenset({"initial", "max_epochs", "epoch_length", "max_iters"}),
    ),
    "scan": (
        lambda name, junk: _loop().scan(0, **_with({"data": [1]}, name, junk)),
        frozenset({"max_epochs", "epoch_length", "max_iters"}),
    ),
    "attach": (lambda name, junk: _attach(name, junk, tap=False), frozenset()),
    "tap": (lambda name, junk: _attach(name, junk, tap=True), frozenset({"fn"})),
    "State": (
        lambda name, junk: State(**_with({"value": 0}, name, junk)),
        frozenset({"value", "max_epochs", "epoch_length", "max_iters", "counts"}),
    ),
    "filters": (lambda name, junk: _FILTERS[name](junk), frozenset()),
    "on": (lambda name, junk: _on(name, junk), frozenset({"filter"})),
    "Slot": (lambda name, junk: Slot(junk), frozenset()),  # "x" is a name: VALID below
    "state methods": (lambda name, junk: _STATE_METHODS[name](junk), frozenset()),
    "supervised_trainer": (lambda name, junk: _trainer(name, junk), frozenset({"device"})),
    "supervised_evaluator": (
        lambda name, junk: supervised_evaluator(**_with({"model": _model()}, name, junk)),
        frozenset({"device"}),
    ),
    "init_train_state": (
        lambda name, junk: init_train_state(
            **_with({"model": _model(), "optimizer": sgd(lr=0.1)}, name, junk)
        ),
        frozenset({"device"}),
    ),
    "optimizers": (lambda name, junk: _OPTIMIZERS[name](junk), frozenset()),
    "schedules": (lambda name, junk: _SCHEDULES[name](junk), frozenset()),
    "metrics": (lambda name, junk: _METRICS[name](junk), frozenset({"Accuracy(mode)"})),
}

ARGUMENTS = {
    "Loop": ["step"],
    "run": ["data", "max_epochs", "epoch_length", "max_iters"],
    "scan": ["data", "max_epochs", "epoch_length", "max_iters"],
    "attach": ["trigger", "handler"],
    "tap": ["trigger", "fn"],
    "State": ["epoch", "iteration", "max_epochs", "epoch_length", "max_iters", "counts"],
    "filters": ["every", "once", "before", "after", "where"],
    "on": ["kind", "filter"],
    "Slot": ["name"],
    "state methods": ["get", "put", "count", "emit"],
    "supervised_trainer": [
        "model",
        "optimizer",
        "loss_fn",
        "gradient_accumulation_steps",
        "device",
    ],
    "supervised_evaluator": ["model", "device"],
    "init_train_state": ["model", "optimizer", "seed", "device"],
    "optimizers": [
        "sgd(lr)",
        "sgd(momentum)",
        "adam(lr)",
        "adam(betas)",
        "adam(eps)",
        "adamw(weight_decay)",
        "rmsprop(alpha)",
        "adagrad(lr_decay)",
        "clip_by_global_norm",
    ],
    "schedules": [
        "constant",
        "linear(steps)",
        "cosine(period)",
        "cyclical(cycle_size)",
        "exponential(gamma)",
        "step(step_size)",
        "multistep(milestones)",
        "piecewise",
    ],
    "metrics": ["ConfusionMatrix(num_classes)", "TopK(k)", "Accuracy(mode)"],
}


def _attach(name: str, junk: Any, *, tap: bool) -> object:
    arguments = _with({"trigger": Started, "handler": lambda state: state, "fn": print}, name, junk)
    loop = _loop()
    fn = arguments["fn" if tap else "handler"]
    return (loop.tap if tap else loop.attach)(arguments["trigger"], fn)


def _on(name: str, junk: Any) -> object:
    arguments = _with({"kind": IterationCompleted, "filter": every(2)}, name, junk)
    return on(arguments["kind"], arguments["filter"])


def _trainer(name: str, junk: Any) -> object:
    arguments: dict[str, Any] = {
        "model": _model(),
        "optimizer": sgd(lr=0.1),
        "loss_fn": nn.functional.mse_loss,
    } | {name: junk}
    model, optimizer, loss_fn = (arguments.pop(k) for k in ("model", "optimizer", "loss_fn"))
    return supervised_trainer(model, optimizer, loss_fn, **arguments)


_FILTERS: dict[str, Callable[[Any], object]] = {
    "every": every,
    "once": once,
    "before": before,
    "after": after,
    "where": where,
}
_STATE_METHODS: dict[str, Callable[[Any], object]] = {
    "get": lambda junk: State(value=0).get(junk),
    "put": lambda junk: State(value=0).put(junk, 1),
    "count": lambda junk: State(value=0).count(junk),
    "emit": lambda junk: State(value=0).emit(junk),
}
_OPTIMIZERS: dict[str, Callable[[Any], object]] = {
    "sgd(lr)": lambda junk: sgd(lr=junk),
    "sgd(momentum)": lambda junk: sgd(lr=0.1, momentum=junk),
    "adam(lr)": lambda junk: adam(lr=junk),
    "adam(betas)": lambda junk: adam(betas=junk),
    "adam(eps)": lambda junk: adam(eps=junk),
    "adamw(weight_decay)": lambda junk: adamw(weight_decay=junk),
    "rmsprop(alpha)": lambda junk: rmsprop(alpha=junk),
    "adagrad(lr_decay)": lambda junk: adagrad(lr_decay=junk),
    "clip_by_global_norm": clip_by_global_norm,
}
_SCHEDULES: dict[str, Callable[[Any], object]] = {
    "constant": constant_schedule,
    "linear(steps)": lambda junk: linear_schedule(1.0, 0.0, junk),
    "cosine(period)": lambda junk: cosine_annealing(1.0, junk),
    "cyclical(cycle_size)": lambda junk: cyclical(1.0, 0.0, junk),
    "exponential(gamma)": lambda junk: exponential_decay(1.0, junk),
    "step(step_size)": lambda junk: step_schedule(1.0, junk),
    "multistep(milestones)": lambda junk: multistep_schedule(1.0, junk),
    "piecewise": piecewise_linear,
}
_METRICS: dict[str, Callable[[Any], object]] = {
    "ConfusionMatrix(num_classes)": lambda junk: ConfusionMatrix(num_classes=junk),
    "TopK(k)": lambda junk: TopKCategoricalAccuracy(k=junk),
    "Accuracy(mode)": lambda junk: Accuracy(mode=junk),
}

# Junk that happens to be a valid value there (None where it means "not given" is above).
VALID = {
    ("Slot", "name", "str"),  # Slot("x") is a slot named "x"
    ("schedules", "constant", "negative"),
    (
        "schedules",
        "multistep(milestones)",
        "list",
    ),  # no milestone: a constant value  # a schedule of -1 (an lr of -1 is refused later)
}

CASES = [
    pytest.param(call, name, junk_name, id=f"{call}-{name}-{junk_name}")
    for call, names in ARGUMENTS.items()
    for name in names
    for junk_name in JUNK
    if not (junk_name == "None" and name in CALLS[call][1]) and (call, name, junk_name) not in VALID
]


@pytest.mark.parametrize(("call", "name", "junk_name"), CASES)
def test_junk_is_refused_before_any_work_with_a_message(
    call: str, name: str, junk_name: str
) -> None:
    FIRED.clear()
    build, _ = CALLS[call]
    with pytest.raises((TypeError, ValueError)) as raised:
        build(name, JUNK[junk_name])
    assert FIRED == [], "the refusal came after the run had started"
    message = str(raised.value)
    assert len(message) > 20, f"too terse to say what to write instead: {message!r}"
    for unclear in ("unpack", "has no attribute", "object is not", "not subscriptable"):
        assert unclear not in message, message


def test_the_metric_of_complex_tensors_is_part_of_the_table() -> None:
    with pytest.raises(TypeError, match="takes real tensors"):
        MeanSquaredError().fold([(torch.tensor([1j]), torch.tensor([0j]))])


def test_a_custom_event_is_accepted_where_a_kind_is_expected() -> None:
    class Mine(Event):
        pass

    assert State(value=0).emit(Mine()).pending == (Mine(),)
