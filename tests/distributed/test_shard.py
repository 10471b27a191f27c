"""Sharded batches (one process, no group): the ranks' slices of each global batch, in rank
order, are that batch; every rank resumes at the same global position; uneven batches are
padded or cut; the step's ``reduce_grads`` runs once per update."""

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import nn

from foldloop.data import SeededBatches
from foldloop.distributed import item_weighted
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
    assume(batch >= world)
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


@given(
    n=st.integers(1, 40),
    batch=st.integers(1, 9),
    world=st.integers(1, 4),
    pass_index=st.integers(0, 3),
)
def test_split_gives_every_item_once_in_slices_differing_by_at_most_one(
    n: int, batch: int, world: int, pass_index: int
) -> None:
    assume(batch >= world and n - (-(-n // batch) - 1) * batch >= world)
    source: SeededBatches[torch.Tensor] = SeededBatches(list(range(n)), batch, seed=5)
    split = [source.sharded(r, world, uneven="split") for r in range(world)]
    shares = [[b.tolist() for b in s.iter_from(pass_index, 0)] for s in split]
    for k, global_batch in enumerate(source.iter_from(pass_index, 0)):
        sizes = [len(shares[r][k]) for r in range(world)]
        assert [i for r in range(world) for i in shares[r][k]] == global_batch.tolist()
        assert sizes == sorted(sizes, reverse=True) and sizes[0] - sizes[-1] <= 1


def test_split_refuses_a_last_batch_with_fewer_items_than_ranks() -> None:
    fits: SeededBatches[torch.Tensor] = SeededBatches(list(range(10)), 4, seed=0)
    assert "rank 1 of 2, uneven='split'" in repr(fits.sharded(1, 2, uneven="split"))
    source: SeededBatches[torch.Tensor] = SeededBatches(list(range(9)), 4, seed=0)
    with pytest.raises(ValueError, match=r"last batch has 1 items, fewer than world_size 2"):
        source.sharded(0, 2, uneven="split")
    with pytest.raises(ValueError, match=r'uneven must be "pad", "drop" or "split"'):
        source.sharded(0, 2, uneven="even")  # type: ignore[arg-type]  # refused


def test_the_item_weighted_loss_is_the_loss_itself_in_one_process() -> None:
    y_pred, y = torch.randn(5, 3), torch.randint(0, 3, (5,))
    weighted = item_weighted(nn.functional.cross_entropy)
    assert torch.equal(weighted(y_pred, y), nn.functional.cross_entropy(y_pred, y))


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
