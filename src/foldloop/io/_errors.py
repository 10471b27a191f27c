"""What checkpoint reading and writing raise and warn."""

from __future__ import annotations

from pathlib import Path

from foldloop.core import FoldloopError


class CheckpointError(FoldloopError, ValueError):
    """A checkpoint cannot be written or read as it is; the message says which file (or which
    leaf of the state), what is wrong with it, and how to fix it.

    Attributes:
        path: the checkpoint directory or file concerned (None when refusing a state to save).

    Example:
        >>> error = CheckpointError("no manifest.json in it", Path("ckpt"))
        >>> print(error)
        checkpoint ckpt: no manifest.json in it
        >>> isinstance(error, ValueError)
        True
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        self.path = path
        super().__init__(message if path is None else f"checkpoint {path}: {message}")


class ReproducibilityWarning(UserWarning):
    """A checkpoint was written by other versions of foldloop, torch or Python, or with another
    torch thread count: it loads, but a resumed run is bitwise equal to the uninterrupted one
    only for the same versions and thread count.

    Example:
        >>> issubclass(ReproducibilityWarning, UserWarning)
        True
    """


class CheckpointWarning(UserWarning):
    """A checkpoint of a directory could not be loaded and was skipped for an older one.

    Example:
        >>> issubclass(CheckpointWarning, UserWarning)
        True
    """
