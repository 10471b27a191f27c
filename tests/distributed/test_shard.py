"""Sharded batches (one process, no group): the ranks' slices of each global batch, in rank
order, are that batch; every rank resumes at the same global position; uneven batches are
padded or cut; the step's ``reduce_grads`` runs once per update."""

import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from foldloop.data import SeededBatches
from foldloop.train import init_train_state, sgd, supervised_trainer


@given(
    n=st.integers(1, 40),
    batch=st.integers(1, 9),
    world=st.integers(1, 4),
    pass_index=st.integers(0, 3),
    drawn=st.integers(0, 6),
)
def test_the_ranks_slices_are_the_global_batches(
    n: int, batch: int, world: int, pass_index: int, drawn: int
) -> None:
    if batch < world:
        return
    source: SeededBatches[torch.Tensor] = SeededBatches(list(range(n)), batch, seed=3)
    whole = [b.tolist() for b in source.iter_from(pass_index, drawn)]
    padded = [source.sharded(r, world) for r in range(world)]
    shares = [[b.tolist() for b in s.iter_from(pass_index, drawn)] for s in padded]
    assert all(len(s) == len(source) for s in padded)
    order = source.order(pass_index)
    for k, global_batch in enumerate(whole):
        joined = [i for r in range(world) for i in shares[r][k]]
        assert len({len(shares[r][k]) for r in range(world)}) == 1  # equal shares
        assert joined[: len(global_batch)] == global_batch
        pad = joined[len(global_batch) :]
        assert len(pad) < world and pad == (order * world)[: len(pad)]


def test_drop_cuts_an_uneven_batch_and_drops_one_smaller_than_the_world() -> None:
    source: SeededBatches[torch.Tensor] = SeededBatches(list(range(9)), 4, seed=0, shuffle=False)
    ranks = [source.sharded(r, 3, uneven="drop") for r in range(3)]
    assert [len(s) for s in ranks] == [2, 2, 2]  # the last batch, [8], is dropped
    assert [[b.tolist() for b in s] for s in ranks] == [
        [[0], [4]],
        [[1], [5]],
        [[2], [6]],
    ]
    assert "rank 2 of 3, uneven='drop'" in repr(ranks[2])


def test_reduce_grads_runs_once_per_update_and_sees_the_summed_gradients() -> None:
    seen: list[dict[str, torch.Tensor]] = []

    def halve(grads: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        seen.append(grads)
        return {name: g / 2 for name, g in grads.items()}

    torch.manual_seed(0)
    model, optimizer = nn.Linear(2, 1), sgd(lr=0.1)
    data = [(torch.randn(4, 2), torch.randn(4, 1)) for _ in range(4)]
    start = init_train_state(model, optimizer)
    halved = supervised_trainer(
        model,
        optimizer,
        nn.functional.mse_loss,
        gradient_accumulation_steps=2,
        reduce_grads=halve,
    )
    final = halved.run(start, data)
    assert len(seen) == 2
    # Halving every gradient is SGD at half the learning rate.
    plain = supervised_trainer(
        model, sgd(lr=0.05), nn.functional.mse_loss, gradient_accumulation_steps=2
    ).run(init_train_state(model, sgd(lr=0.05)), data)
    for name, p in plain.value.params.items():
        torch.testing.assert_close(final.value.params[name], p)
