"""Determinism: same seed, same parameters; a run stopped anywhere and resumed equals one run."""

import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from supervised_problem import batches, classifier, one_thread

from foldloop import State
from foldloop.train import TrainState, adamw, init_train_state, supervised_trainer

EPOCHS = 2


def run_twice(seed: int, accumulation: int) -> tuple[State[TrainState], State[TrainState]]:
    def one_run() -> State[TrainState]:
        model = classifier(dropout=0.5)
        trainer = supervised_trainer(
            model, adamw(0.01), F.cross_entropy, gradient_accumulation_steps=accumulation
        )
        initial = init_train_state(model, adamw(0.01), seed=seed)
        return trainer.run(initial, batches(3), max_epochs=EPOCHS)

    with one_thread():
        return one_run(), one_run()


@given(seed=st.integers(0, 2**63), accumulation=st.integers(1, 3))
def test_two_runs_with_the_same_seed_end_bit_identical(seed: int, accumulation: int) -> None:
    first, second = run_twice(seed, accumulation)
    assert first == second


@given(stop=st.integers(0, 60), accumulation=st.integers(1, 4), seed=st.integers(0, 3))
def test_a_dropout_run_stopped_anywhere_and_resumed_equals_the_uninterrupted_run(
    stop: int, accumulation: int, seed: int
) -> None:
    model = classifier(dropout=0.5)
    optimizer = adamw(0.01)
    trainer = supervised_trainer(
        model, optimizer, F.cross_entropy, gradient_accumulation_steps=accumulation
    )
    initial = init_train_state(model, optimizer, seed=seed)
    data = batches(5)
    with one_thread():
        uninterrupted = trainer.run(initial, data, max_epochs=EPOCHS)
        states = [state for _, state in trainer.scan(initial, data, max_epochs=EPOCHS)]
        stopped = states[stop % len(states)]
        resumed = trainer.run(stopped, data, max_epochs=EPOCHS)
    assert resumed == uninterrupted
    assert resumed.value.step == EPOCHS * len(data) // accumulation
