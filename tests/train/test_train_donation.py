"""Donation: a step built with ``donate=True`` updates the given state's tensors in place, ends
where the pure step does bit for bit, and leaves the given state unreadable, never changed."""

from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from supervised_problem import batches, classifier, one_thread
from torch.overrides import TorchFunctionMode

from foldloop import IterationCompleted, RunError, State
from foldloop.train import (
    DonatedError,
    GradientTransformation,
    TrainState,
    adamw,
    init_train_state,
    params_of,
    rmsprop,
    sgd,
    supervised_evaluator,
    supervised_trainer,
    supervised_training_step,
)
from foldloop.tree import tree_leaves

# Any: optimizers whose states differ.
OPTIMIZERS: list[Callable[[], GradientTransformation[Any]]] = [
    lambda: adamw(0.01, amsgrad=True),
    lambda: sgd(0.1, momentum=0.9, weight_decay=0.01),
    lambda: rmsprop(0.01, momentum=0.5),  # a chain: update, then an in-place addition
]


def run(
    optimizer: GradientTransformation[Any], donate: bool, iterations: int, accumulation: int = 1
) -> State[TrainState]:
    model = classifier()
    trainer = supervised_trainer(
        model,
        optimizer,
        F.cross_entropy,
        gradient_accumulation_steps=accumulation,
        donate=donate,
    )
    with one_thread():
        return trainer.run(init_train_state(model, optimizer, seed=3), batches(iterations))


@settings(max_examples=12, deadline=None)
@given(
    make=st.sampled_from(OPTIMIZERS), iterations=st.integers(1, 6), accumulation=st.integers(1, 3)
)
def test_a_donated_run_ends_where_a_pure_run_does_bit_for_bit(
    make: Callable[[], GradientTransformation[Any]], iterations: int, accumulation: int
) -> None:
    pure = run(make(), donate=False, iterations=iterations, accumulation=accumulation)
    donated = run(make(), donate=True, iterations=iterations, accumulation=accumulation)
    assert donated.value == pure.value


def test_a_held_state_raises_a_clear_error_once_donated_and_never_shows_new_numbers() -> None:
    model, optimizer = classifier(), adamw(0.01)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, donate=True)
    held: list[State[TrainState]] = []
    trainer.tap(IterationCompleted, held.append)
    start = init_train_state(model, optimizer)
    copy = start.clone()
    final = trainer.run(start, batches(4))
    assert final.value.params.keys() == copy.params.keys()  # the last state stays readable
    assert final.value == held[-1].value
    for iteration, state in enumerate([State(value=start), *held[:-1]], start=1):
        for read in (
            lambda s: s.value.params,
            lambda s: s.value.buffers,
            lambda s: s.value.opt_state,
            lambda s: s.value.grads,
            lambda s: s.value == final.value,
            lambda s: tree_leaves(s.value),
        ):
            with pytest.raises(DonatedError, match=f"iteration {iteration} .*state.clone()"):
                read(state)
        assert repr(state.value) == f"TrainState(<donated at iteration {iteration}>)"
    assert copy == init_train_state(model, optimizer)  # a clone made before stays as it was


def test_a_state_donated_twice_fails_the_run_with_the_error_as_cause() -> None:
    model, optimizer = classifier(), sgd(0.1)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, donate=True)
    start = init_train_state(model, optimizer)
    trainer.run(start, batches(1))
    with pytest.raises(RunError) as caught:
        trainer.run(start, batches(1))
    assert isinstance(caught.value.__cause__, DonatedError)


def test_a_step_that_fails_before_the_update_leaves_the_given_state_readable() -> None:
    model, optimizer = classifier(), adamw(0.01)
    calls = iter(range(100))

    def loss_fn(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if next(calls) == 2:
            raise ArithmeticError("the loss failed")
        return F.cross_entropy(y_pred, y)

    donating = supervised_trainer(model, optimizer, loss_fn, donate=True)
    with one_thread(), pytest.raises(RunError) as caught:
        donating.run(init_train_state(model, optimizer), batches(4))
    pure = run(adamw(0.01), donate=False, iterations=2)
    last_good = caught.value.state.value
    assert last_good.step == 2
    assert last_good.params.keys() == pure.value.params.keys()
    with one_thread():
        expected = supervised_trainer(model, optimizer, F.cross_entropy).run(
            init_train_state(model, optimizer), batches(2)
        )
    assert last_good == expected.value


def test_an_evaluators_state_shares_the_lease_of_the_trainers_state_it_reads() -> None:
    model, optimizer = classifier(), sgd(0.1, momentum=0.9)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, donate=True)
    start = init_train_state(model, optimizer)
    evaluated = supervised_evaluator(model).run(start, batches(1))
    trainer.run(start, batches(1))
    with pytest.raises(DonatedError):
        evaluated.value.params  # noqa: B018  # reading is what raises


class CountedCopies(TorchFunctionMode):
    """Counts the tensors that torch functions copy inside the block (``clone``,
    ``_foreach_clone``, ``contiguous`` of a tensor that is not), whoever calls them."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    # Any: torch's own signature for a function mode's hook.
    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        name = getattr(func, "__name__", "")
        if name == "clone":
            self.count += 1
        elif name == "_foreach_clone":
            self.count += len(args[0])
        elif name == "contiguous" and not args[0].is_contiguous():
            self.count += 1
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize(
    ("make", "moments"), [(lambda: adamw(0.01), 2), (lambda: sgd(0.1, momentum=0.9), 1)]
)
def test_a_donated_fused_step_copies_no_tensor(
    make: Callable[[], GradientTransformation[Any]], moments: int
) -> None:
    """The point of donation: torch's fused kernel works in the given tensors, where the pure
    step clones each parameter and moment; a model without buffers then clones nothing."""
    model, optimizer = classifier(batch_norm=False), make()
    data = batches(2)
    counts = {}
    for donate in (False, True):
        step = supervised_training_step(model, optimizer, F.cross_entropy, donate=donate)
        state = step(State(value=init_train_state(model, optimizer), iteration=1), data[0])
        with CountedCopies() as copies:
            step(State(value=state.value, iteration=2), data[1])
        counts[donate] = copies.count
    assert counts == {False: len(params_of(model)) * (1 + moments), True: 0}


def test_a_model_donated_to_its_state_is_not_copied_and_shows_the_runs_parameters() -> None:
    """``init_train_state(donate=True)`` holds the model's own memory; a donating run from it
    ends bit for bit where a pure run from copies does, and the model holds its parameters."""
    pure = run(adamw(0.01), donate=False, iterations=3)
    model, optimizer = classifier(), adamw(0.01)
    with CountedCopies() as copies:
        start = init_train_state(model, optimizer, seed=3, donate=True)
    assert copies.count == len(list(model.buffers()))  # the buffers alone are copied
    own = dict(model.named_parameters())
    assert all(p.data_ptr() == own[name].data_ptr() for name, p in start.params.items())
    trainer = supervised_trainer(model, optimizer, F.cross_entropy, donate=True)
    with one_thread():
        final = trainer.run(start, batches(3))
    assert final.value == pure.value
    assert all(torch.equal(p, own[name]) for name, p in final.value.params.items())


def test_a_pure_run_from_a_donated_model_leaves_the_model_as_it_was() -> None:
    model, optimizer = classifier(), sgd(0.1, momentum=0.9)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    start = init_train_state(model, optimizer, donate=True)
    final = supervised_trainer(model, optimizer, F.cross_entropy).run(start, batches(2))
    assert final.value.step == 2
    assert all(torch.equal(p, before[name]) for name, p in model.named_parameters())


def test_a_model_donates_its_parameters_once() -> None:
    model, optimizer = classifier(), sgd(0.1)
    init_train_state(model, optimizer, donate=True)
    with pytest.raises(
        ValueError, match=r"already donated .* init_train_state\(model, optimizer\)"
    ):
        init_train_state(model, optimizer, donate=True)
    assert init_train_state(model, optimizer).step == 0  # copies are still there to take


def test_a_donation_that_fails_to_make_its_state_gives_nothing_up() -> None:
    model = classifier()

    def failing_init(params: object) -> tuple[()]:
        raise RuntimeError("init failed")

    failing = sgd(0.1)._replace(init=failing_init)
    with pytest.raises(RuntimeError, match="init failed"):
        init_train_state(model, failing, donate=True)
    assert init_train_state(model, sgd(0.1), donate=True).step == 0


def test_a_donation_cannot_also_move_the_parameters() -> None:
    model = classifier()
    with pytest.raises(ValueError, match=r"donate=True .* cannot also move them.*model\.to"):
        init_train_state(model, sgd(0.1), device="cpu", donate=True)
    assert init_train_state(model, sgd(0.1), donate=True).step == 0  # nothing was given up
