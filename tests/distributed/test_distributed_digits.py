"""Real processes (gloo, 2 on 127.0.0.1): the digits job on 2 processes equals it on 1 with the
same global batch; a stopped 2-process run resumes bit for bit; merged metrics equal the
one-process ones; a failing rank is named. One 2-process run holds most checks (each process
start imports torch: a few seconds)."""

import time

import pytest
import torch

from foldloop.distributed import RankFailed, run_parallel
from foldloop.examples.digits_scores import Scores

from .workers import (
    FAILS_AT,
    STOP_AT,
    die_on_rank_1,
    digits_job,
    raise_in_a_step_on_rank_1,
    raise_on_rank_1,
)

EPOCHS = 2
RTOL = 1e-5  # the stated tolerance: a sum over 2 half-batches, reordered, then 44 AdamW steps


@pytest.fixture(scope="module")
def runs() -> tuple[dict[str, object], list[dict[str, object]]]:
    return digits_job(EPOCHS), run_parallel(digits_job, 2, EPOCHS)


def _tensors(run: dict[str, object], key: str) -> dict[str, torch.Tensor]:
    value = run[key]
    assert isinstance(value, dict)
    return value


def _scores(run: dict[str, object]) -> Scores:
    scores = run["split_scores"]
    assert isinstance(scores, Scores)
    return scores


def test_two_processes_end_where_one_does(
    runs: tuple[dict[str, object], list[dict[str, object]]],
) -> None:
    one, (r0, r1) = runs
    assert (one["world"], r0["world"], r1["world"]) == (1, 2, 2)
    for name, expected in _tensors(one, "params").items():
        # Both ranks hold the very same numbers (the same averaged gradient, the same update).
        assert torch.equal(_tensors(r0, "params")[name], _tensors(r1, "params")[name]), name
        torch.testing.assert_close(
            _tensors(r0, "params")[name], expected, rtol=RTOL, atol=1e-6, msg=name
        )
        # Rank 1 built its model from another seed: the broadcast from rank 0 replaced it.
        assert torch.equal(_tensors(r1, "start")[name], _tensors(one, "start")[name]), name


def test_the_example_trainer_on_slices_of_unequal_size_ends_where_one_process_does(
    runs: tuple[dict[str, object], list[dict[str, object]]],
) -> None:
    # Global batches of 37 (19 + 18 items a rank) and a last one of 31 (16 + 15): the loss is
    # weighted by each rank's item count, so the update is the one-process one up to rounding.
    one, (r0, r1) = runs
    for name, expected in _tensors(one, "split_params").items():
        assert torch.equal(_tensors(r0, "split_params")[name], _tensors(r1, "split_params")[name])
        torch.testing.assert_close(
            _tensors(r0, "split_params")[name], expected, rtol=RTOL, atol=1e-6, msg=name
        )
    for run in (r0, r1):  # every rank evaluates the whole test split with the same weights
        assert _scores(run).accuracy == _scores(one).accuracy
        assert _scores(run).loss == pytest.approx(_scores(one).loss, rel=1e-6)


def test_a_stopped_two_process_run_resumes_bit_for_bit(
    runs: tuple[dict[str, object], list[dict[str, object]]],
) -> None:
    _, ranks = runs
    assert [r["stopped_at"] for r in ranks] == [STOP_AT, STOP_AT]
    assert [r["resumed_equal"] for r in ranks] == [True, True]


def test_metrics_merged_across_ranks_equal_the_one_process_ones(
    runs: tuple[dict[str, object], list[dict[str, object]]],
) -> None:
    one, (r0, r1) = runs
    assert r0["accuracy"] == r1["accuracy"]
    # Accuracy of the slightly different weights: equal unless a prediction flips.
    assert r0["accuracy"] == one["accuracy"]
    confusion = one["confusion"]
    assert isinstance(confusion, torch.Tensor) and int(confusion.sum()) == 360
    assert torch.equal(r0["confusion"], confusion)  # type: ignore[arg-type]  # a Tensor above
    assert torch.equal(r1["confusion"], confusion)  # type: ignore[arg-type]
    # evaluate with Across metrics gives every rank the global values.
    for run in (one, r0, r1):
        evaluated = run["evaluated"]
        assert isinstance(evaluated, dict)
        assert evaluated["accuracy"] == one["accuracy"]
        assert torch.equal(evaluated["confusion"], confusion)


def test_a_rank_that_raises_is_named_and_the_other_does_not_hang() -> None:
    began = time.monotonic()
    with pytest.raises(
        RankFailed, match=r"(?s)rank 1 failed: .*ValueError: rank 1 gives up"
    ) as info:
        run_parallel(raise_on_rank_1, 2)
    assert info.value.rank == 1
    assert time.monotonic() - began < 30


def test_a_surviving_rank_names_the_rank_that_raised_and_keeps_its_last_good_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOLDLOOP_COLLECTIVE_TIMEOUT", "20")  # a hang fails, after 20 s
    survivor, failed = run_parallel(raise_in_a_step_on_rank_1, 2)
    assert survivor["failed"] == 1 and failed["failed"] is None
    cause = survivor["cause"]
    assert isinstance(cause, RankFailed) and cause.rank == 1
    assert str(cause) == "rank 1 failed: ValueError: rank 1 gives up"
    # The state before the failed step, as one process keeps it: both ranks at FAILS_AT.
    assert survivor["iteration"] == failed["iteration"] == FAILS_AT
    seconds = survivor["seconds"]
    assert isinstance(seconds, float) and seconds < 10  # broke at once, not at the timeout


def test_a_rank_that_dies_is_named() -> None:
    with pytest.raises(RankFailed, match=r"rank 1 failed: the process exited with code 3") as info:
        run_parallel(die_on_rank_1, 2)
    assert info.value.rank == 1
