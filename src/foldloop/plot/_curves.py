"""Training curves from a JSON Lines log: a panel per value, train and evaluation together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.axes import Axes

from ._figure import new_figure, save_png
from ._log import read_log
from ._series import Panel, panels


def curves(
    log_path: str | Path,
    path: str | Path,
    *,
    names: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Draw the curves of the log at ``log_path`` into the PNG file ``path``; return the path.

    One panel per value name (``names`` picks and orders them; all by default), x the
    iteration: per-iteration records (``IterationCompleted``) as lines, the others (an
    epoch's, an evaluation's) as markers at their iteration; one series per ``tag``, with a
    legend. The whole log is read and checked before anything is drawn.

    Raises:
        FileNotFoundError: there is no file at ``log_path``.
        foldloop.plot.LogError: the log is empty, or a line (named) is not a record.
        ValueError: a name in ``names`` is in no record.

    Example:
        >>> import json, tempfile
        >>> lines = [{"tag": "train", "event": "IterationCompleted", "epoch": 1, "iteration": i,
        ...           "wall_time": 0.1 * i, "values": {"loss": 1 / i}} for i in (1, 2, 3)]
        >>> lines.append({"tag": "eval", "event": "EpochCompleted", "epoch": 1, "iteration": 3,
        ...               "wall_time": 0.4, "values": {"loss": 0.5, "accuracy": 0.8}})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     log = Path(folder) / "log.jsonl"
        ...     _ = log.write_text("".join(json.dumps(line) + "\\n" for line in lines))
        ...     curves(log, Path(folder) / "curves.png").stat().st_size > 10_000
        True
    """
    records = read_log(log_path)
    drawn = panels(records, names)
    # One colour per tag in every panel, in order of first appearance in the log.
    colours = {tag: f"C{n % 10}" for n, tag in enumerate(dict.fromkeys(r.tag for r in records))}
    figure = new_figure(6.0, 2.6 * len(drawn))
    for n, panel in enumerate(drawn, start=1):
        _draw(figure.add_subplot(len(drawn), 1, n), panel, colours)
    if title is not None:
        figure.suptitle(title)
    return save_png(figure, path)


def _draw(axes: Axes, panel: Panel, colours: Mapping[str, str]) -> None:
    for series in panel.series:
        label = series.tag if series.as_line else f"{series.tag} ({series.event})"
        style = "-" if series.as_line else "o"
        axes.plot(series.iterations, series.values, style, color=colours[series.tag], label=label)
    axes.set_ylabel(panel.name)
    axes.set_xlabel("iteration")
    axes.legend()
