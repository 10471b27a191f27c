"""Taps declared for one rank, and buffers broadcast during a run: real processes (gloo, 2 on
127.0.0.1) for the run; the refusal of a bad ``rank`` needs none."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from foldloop.distributed import run_parallel
from foldloop.handlers import Checkpoints, Csv, JsonLines, ProgressBar, TensorBoard

from .workers import taps_and_buffers


@pytest.fixture(scope="module")
def folder_and_ranks(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[dict[str, object]]]:
    folder = tmp_path_factory.mktemp("ranks")
    return folder, run_parallel(taps_and_buffers, 2, str(folder))


def test_a_log_declared_for_rank_0_is_written_once_and_one_for_every_rank_by_each(
    folder_and_ranks: tuple[Path, list[dict[str, object]]],
) -> None:
    folder, _ = folder_and_ranks
    assert len((folder / "log.jsonl").read_text().splitlines()) == 6  # 2 epochs of 3, once
    for rank in (0, 1):
        assert len((folder / f"rank-{rank}.jsonl").read_text().splitlines()) == 6


def test_checkpoints_are_written_by_rank_0_and_resumed_by_every_rank(
    folder_and_ranks: tuple[Path, list[dict[str, object]]],
) -> None:
    folder, ranks = folder_and_ranks
    names = sorted(p.name for p in (folder / "checkpoints").iterdir())
    assert names == ["ckpt-00000002-e2-i6", "latest"]  # keep_last=1; one writer, no clash
    assert [r["resumed_equal"] for r in ranks] == [True, True]


def _buffers(run: dict[str, object], key: str) -> dict[str, torch.Tensor]:
    value = run[key]
    assert isinstance(value, dict)
    return value


def test_broadcast_buffers_gives_every_rank_rank_0s_running_statistics(
    folder_and_ranks: tuple[Path, list[dict[str, object]]],
) -> None:
    _, (r0, r1) = folder_and_ranks
    synced0, synced1 = _buffers(r0, "synced"), _buffers(r1, "synced")
    assert set(synced0) == {"1.running_mean", "1.running_var", "1.num_batches_tracked"}
    for name in synced0:
        assert torch.equal(synced0[name], synced1[name]), name
    # Without it each rank's statistics follow its own data (so the check above can fail).
    own0, own1 = _buffers(r0, "own"), _buffers(r1, "own")
    assert not torch.equal(own0["1.running_mean"], own1["1.running_mean"])


@pytest.mark.parametrize("rank", [-1, True, 1.0, "0"])
def test_a_tap_refuses_a_rank_that_is_not_a_whole_number_or_none(rank: Any, tmp_path: Path) -> None:
    # Any: the refused values, which the signatures (int | None) do not admit.
    makers: list[Callable[[], object]] = [
        lambda: JsonLines(tmp_path / "log.jsonl", rank=rank),
        lambda: Csv(tmp_path / "log.csv", rank=rank),
        lambda: TensorBoard(tmp_path, rank=rank),
        lambda: Checkpoints(tmp_path, rank=rank),
        lambda: ProgressBar(rank=rank),
    ]
    for make in makers:
        with pytest.raises(ValueError, match=r"rank must be an int >= 0 .* or None"):
            make()
