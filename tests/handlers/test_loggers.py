"""JsonLines and Csv: the record format, appending on resume, closing, refusals of bad paths."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from foldloop import (
    EpochCompleted,
    IterationCompleted,
    Loop,
    RunError,
    State,
    every,
    on,
)
from foldloop.handlers import Csv, JsonLines


def adding_loop(fail_at: int | None = None) -> Loop[float, float]:
    def step(state: State[float], batch: float) -> State[float]:
        if state.iteration == fail_at:
            raise RuntimeError("boom")
        return state.replace(value=state.value + batch)

    return Loop(step)


def test_jsonl_writes_the_fixed_record_format(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log: JsonLines[float] = JsonLines(path, {"total": lambda s: s.value}, tag="train")
    loop = adding_loop()
    log.attach(loop, on(IterationCompleted, every(2)) | on(EpochCompleted))
    loop.run(0.0, [1.0, 2.0, 3.0], max_epochs=2)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["event"], r["epoch"], r["iteration"]) for r in records] == [
        ("IterationCompleted", 1, 2),
        ("EpochCompleted", 1, 3),
        ("IterationCompleted", 2, 4),
        ("IterationCompleted", 2, 6),
        ("EpochCompleted", 2, 6),
    ]
    assert records[-1]["values"] == {"total": 12.0} and records[0]["tag"] == "train"
    assert all(
        set(r) == {"tag", "event", "epoch", "iteration", "wall_time", "values"} for r in records
    )
    assert all(isinstance(r["wall_time"], float) for r in records)


def test_a_zero_dimensional_tensor_is_a_number(tmp_path: Path) -> None:
    import torch

    path = tmp_path / "log.jsonl"
    log: JsonLines[float] = JsonLines(path, {"t": lambda s: torch.tensor(s.value)})
    loop = adding_loop()
    log.attach(loop, EpochCompleted)
    loop.run(0.0, [1.5])
    assert json.loads(path.read_text())["values"] == {"t": 1.5}


def test_a_resumed_run_appends_and_files_close_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log: JsonLines[float] = JsonLines(path, {"v": lambda s: s.value})
    failing = adding_loop(fail_at=2)
    log.attach(failing, IterationCompleted)
    with pytest.raises(RunError) as caught:
        failing.run(0.0, [1.0, 1.0, 1.0])
    assert log._file._file is None  # closed by the ExceptionRaised tap
    loop = adding_loop()
    log.attach(loop, IterationCompleted)
    loop.run(caught.value.state, [1.0, 1.0, 1.0])
    assert log._file._file is None  # closed on Completed
    iterations = [json.loads(line)["iteration"] for line in path.read_text().splitlines()]
    assert iterations == [1, 2, 3]


def test_csv_has_the_jsonl_columns_flat(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    loop = adding_loop()
    Csv(path, {"v": lambda s: s.value, "w": lambda s: 2 * s.value}).attach(loop, EpochCompleted)
    loop.run(0.0, [1.0, 2.0], max_epochs=2)
    loop.run(State(value=0.0), [1.0], max_epochs=1)  # a second run appends, no second header
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["tag", "event", "epoch", "iteration", "wall_time", "v", "w"]
    assert [row[:4] for row in rows[1:]] == [
        ["train", "EpochCompleted", "1", "2"],
        ["train", "EpochCompleted", "2", "4"],
        ["train", "EpochCompleted", "1", "1"],
    ]
    assert rows[2][5:] == ["6.0", "12.0"]


def test_csv_refuses_to_append_under_another_header(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("tag,event,epoch,iteration,wall_time,other\n")
    loop = adding_loop()
    Csv(path, {"v": lambda s: s.value}).attach(loop, EpochCompleted)
    with pytest.raises(RunError) as caught:
        loop.run(0.0, [1.0])
    assert "log to another file, or give the same value names" in str(caught.value.__cause__)


@pytest.mark.parametrize("logger", [JsonLines, Csv])
def test_paths_that_cannot_be_written_are_refused_at_construction(
    tmp_path: Path, logger: type[JsonLines[float]] | type[Csv[float]]
) -> None:
    with pytest.raises(ValueError, match=r"does not exist; create it first"):
        logger(tmp_path / "missing" / "log")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match=r"is not a folder"):
        logger(tmp_path / "file" / "log")
    with pytest.raises(ValueError, match=r"it is a folder; give a file path in it"):
        logger(tmp_path)


def test_values_must_be_functions() -> None:
    with pytest.raises(TypeError, match=r"write \{'loss': lambda state: ...\}"):
        JsonLines("log.jsonl", {"loss": 0.5})  # type: ignore[arg-type]  # the refusal tested
