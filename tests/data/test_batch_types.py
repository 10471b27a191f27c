"""The batch type of a ``SeededBatches``: what its collate function returns, or what it is
named; it is data for any loop whose step takes that batch, and ``ResumableData`` of it.

Checked by the project's mypy run (``mypy.ini`` covers ``tests``): ``assert_type`` for what
must hold, and ``# type: ignore[code]`` on what must be refused (strict mypy reports an ignore
that is no longer needed, so each of those lines must keep failing). The refused lines sit
under ``TYPE_CHECKING``: mypy reads them, Python does not run them. These are not snippets in
``tests/typing``: each of those mypy runs starts from nothing and would analyse torch anew.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_type

import torch
from torch.utils.data import TensorDataset

from foldloop import Loop, ResumableData, State
from foldloop.data import MapDataset, SeededBatches

DATASET = TensorDataset(torch.arange(10.0), torch.arange(10))


def stacked(items: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    return torch.stack([item[0] for item in items])


def add(state: State[float], batch: list[torch.Tensor]) -> State[float]:
    return state.replace(value=state.value + float(batch[0].sum()))


def count(state: State[int], batch: int) -> State[int]:
    return state


def test_a_collate_function_gives_the_batch_type() -> None:
    by_collate = SeededBatches(DATASET, 4, seed=0, collate_fn=stacked)
    assert_type(by_collate, SeededBatches[torch.Tensor])
    resumable: ResumableData[torch.Tensor] = by_collate
    summed = SeededBatches([1, 2, 3], 2, seed=0, collate_fn=sum)
    assert_type(summed, SeededBatches[int])
    assert next(iter(resumable)).shape == (4,)
    assert len(list(summed)) == 2 and sum(summed) == 6


def test_with_the_default_collate_the_batch_type_is_named_or_taken_from_the_loop() -> None:
    named: SeededBatches[list[torch.Tensor]] = SeededBatches(DATASET, 4, seed=0)
    loop = Loop(add)
    assert_type(loop.run(0.0, named), State[float])
    unshuffled = loop.run(0.0, SeededBatches(DATASET, 4, seed=1, shuffle=False))
    assert_type(unshuffled, State[float])
    assert unshuffled.value == sum(range(10))
    items: MapDataset[str] = ["a", "b", "c"]
    assert items[1] == "b"


if TYPE_CHECKING:  # refused by mypy, never run

    def refused() -> None:
        Loop(count).run(0, SeededBatches(DATASET, 4, seed=0, collate_fn=stacked))  # type: ignore[arg-type]
        unnamed = SeededBatches(DATASET, 4, seed=0)  # type: ignore[var-annotated]
        SeededBatches(iter([1, 2]), 1, seed=0)  # type: ignore[arg-type]  # not map-style
        SeededBatches(DATASET, 4, seed="0")  # type: ignore[arg-type]
        print(unnamed)
