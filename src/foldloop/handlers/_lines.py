"""``LineFile``: a text file opened at the first line written, appended to, flushed per line."""

from __future__ import annotations

import os
from typing import TextIO

from ._paths import writable_file


class LineFile:
    """A log file: checked at construction, opened for appending at the first ``write``,
    flushed after every line (a crash loses nothing written), reopened after ``close``.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.txt"
        >>> lines = LineFile(path, "test")
        >>> lines.write("a\\n"); lines.close(); lines.write("b\\n"); lines.close()
        >>> path.read_text()
        'a\\nb\\n'
    """

    def __init__(self, path: str | os.PathLike[str], where: str) -> None:
        self.path = writable_file(path, where)
        self._file: TextIO | None = None

    def open(self) -> TextIO:
        """The file, opened for appending if it is not open.

        Example:
            >>> import tempfile, pathlib
            >>> lines = LineFile(pathlib.Path(tempfile.mkdtemp()) / "x", "test")
            >>> lines.open().closed
            False
            >>> lines.close()
        """
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        return self._file

    def write(self, text: str) -> None:
        """Append ``text`` and flush it to the operating system.

        Example:
            >>> import tempfile, pathlib
            >>> lines = LineFile(pathlib.Path(tempfile.mkdtemp()) / "x", "test")
            >>> lines.write("line\\n"); lines.close()
        """
        file = self.open()
        file.write(text)
        file.flush()

    def close(self) -> None:
        """Close the file if it is open; the next ``write`` reopens it (appending).

        Example:
            >>> import tempfile, pathlib
            >>> LineFile(pathlib.Path(tempfile.mkdtemp()) / "x", "test").close()
        """
        if self._file is not None:
            self._file.close()
            self._file = None
