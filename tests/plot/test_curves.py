"""Curves from a JSON Lines log: the series drawn, the picture, and every refused log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.image import imread

from foldloop.plot import LogError, curves, panels, read_log

GOOD = {
    "tag": "train",
    "event": "IterationCompleted",
    "epoch": 1,
    "iteration": 1,
    "wall_time": 0.5,
    "values": {"loss": 1.0},
}


def _log(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "log.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                            for line in lines))  # fmt: skip
    return path


def _run_log(tmp_path: Path) -> Path:
    lines: list[object] = []
    for i in range(1, 9):
        epoch = (i - 1) // 4 + 1
        lines.append({**GOOD, "epoch": epoch, "iteration": i, "values": {"loss": 1 / i}})
        if i % 4 == 0:
            values = {"loss": 2 / i, "accuracy": i / 10}
            lines.append({**GOOD, "tag": "eval", "event": "EpochCompleted", "epoch": epoch,
                          "iteration": i, "values": values})  # fmt: skip
    return _log(tmp_path, *lines)


def test_panels_put_train_and_eval_together(tmp_path: Path) -> None:
    loss, accuracy = panels(read_log(_run_log(tmp_path)))
    assert (loss.name, accuracy.name) == ("loss", "accuracy")
    train, evaluation = loss.series
    assert (train.tag, train.as_line, train.iterations) == ("train", True, tuple(range(1, 9)))
    assert (evaluation.tag, evaluation.as_line, evaluation.iterations) == ("eval", False, (4, 8))
    assert evaluation.values == (0.5, 0.25)
    assert [s.tag for s in accuracy.series] == ["eval"]


def test_names_pick_the_panels(tmp_path: Path) -> None:
    records = read_log(_run_log(tmp_path))
    assert [p.name for p in panels(records, ["accuracy"])] == ["accuracy"]
    with pytest.raises(ValueError, match="'f1'"):
        panels(records, ["f1"])


def test_the_curves_are_a_png(tmp_path: Path) -> None:
    png = curves(_run_log(tmp_path), tmp_path / "curves.png", title="digits")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
    height, width, _ = imread(png).shape
    assert width >= 500 and height >= 400


def test_a_missing_log_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.jsonl"):
        curves(tmp_path / "nowhere.jsonl", tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


def test_an_empty_log_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LogError, match=r"log\.jsonl: the log is empty"):
        curves(_log(tmp_path, "", "  "), tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "tag"}), "'tag' is missing"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "values"}), "'values' is missing"),
        (json.dumps({**GOOD, "iteration": "3"}), "'iteration' must be of type int"),
        (json.dumps({**GOOD, "epoch": True}), "'epoch' must be of type int"),
        (json.dumps({**GOOD, "wall_time": None}), "'wall_time' must be a number"),
        (json.dumps({**GOOD, "values": {"loss": "low"}}), r"values\['loss'\] must be a number"),
    ],
)
def test_a_bad_line_is_refused_with_its_file_and_line(tmp_path: Path, bad: str, says: str) -> None:
    log = _log(tmp_path, GOOD, "", bad, GOOD)
    with pytest.raises(LogError, match=rf"log\.jsonl, line 3: .*{says}"):
        curves(log, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()
