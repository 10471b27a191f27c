"""Checkpoints: a whole `State` saved as safetensors and JSON, loaded safely, and its digest.

- `save` writes a state as a new directory (``tensors.safetensors`` + ``manifest.json``),
  atomically; `load` reads it back, executing nothing from the files, optionally checked
  against a template (``like=``); `digest` is a sha256 of a state that equal states share in
  every process.
- `Checkpoints` is a tap that writes a run's checkpoints into a directory and keeps the newest
  and the best; `resume` loads the newest good one.
- `write_file_atomically` and `write_directory_atomically` are the atomic writes underneath.

See ``docs/checkpoints.md``.
"""

from ._checkpoint import load as load
from ._checkpoint import save as save
from ._checkpoints import Checkpoints as Checkpoints
from ._checkpoints import resume as resume
from ._digest import digest as digest
from ._errors import CheckpointError as CheckpointError
from ._errors import CheckpointWarning as CheckpointWarning
from ._errors import ReproducibilityWarning as ReproducibilityWarning
from ._files import FileContents as FileContents
from ._files import write_directory_atomically as write_directory_atomically
from ._files import write_file_atomically as write_file_atomically

__all__ = [
    "CheckpointError",
    "CheckpointWarning",
    "Checkpoints",
    "FileContents",
    "ReproducibilityWarning",
    "digest",
    "load",
    "resume",
    "save",
    "write_directory_atomically",
    "write_file_atomically",
]
