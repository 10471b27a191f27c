"""Figures drawn with matplotlib's Agg backend and saved as PNG, without pyplot's global state."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches on its own Agg canvas (no display needed).

    Example:
        >>> new_figure(4, 3).get_size_inches().tolist()
        [4.0, 3.0]
    """
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` to ``path`` as a PNG (its folder must exist) and return the path.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     save_png(new_figure(2, 2), Path(folder) / "empty.png").read_bytes()[:4]
        b'\\x89PNG'
    """
    target = Path(path)
    figure.savefig(target, format="png", dpi=100)
    return target
