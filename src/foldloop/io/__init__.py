"""Checkpoints: a whole `State` saved as safetensors and JSON, loaded safely, and its digest.

- `save` writes a state as a new directory (``tensors.safetensors`` + ``manifest.json``),
  atomically; `load` reads it back, executing nothing from the files, optionally checked
  against a template (``like=``); `digest` is a sha256 of a state that equal states share in
  every process.
- a directory of checkpoints (`write_checkpoint`, `entries_of`, `delete_checkpoint`: the layout
  that the tap `foldloop.handlers.Checkpoints` writes); `resume` loads its newest good one.
- `write_file_atomically` and `write_directory_atomically` are the atomic writes underneath.

See ``docs/checkpoints.md``.
"""

from ._checkpoint import load as load
from ._checkpoint import save as save
from ._digest import digest as digest
from ._directory import LATEST as LATEST
from ._directory import Entry as Entry
from ._directory import delete_checkpoint as delete_checkpoint
from ._directory import entries_of as entries_of
from ._directory import resume as resume
from ._directory import write_checkpoint as write_checkpoint
from ._errors import CheckpointError as CheckpointError
from ._errors import CheckpointWarning as CheckpointWarning
from ._errors import ReproducibilityWarning as ReproducibilityWarning
from ._files import FileContents as FileContents
from ._files import write_directory_atomically as write_directory_atomically
from ._files import write_file_atomically as write_file_atomically

__all__ = [
    "LATEST",
    "CheckpointError",
    "CheckpointWarning",
    "Entry",
    "FileContents",
    "ReproducibilityWarning",
    "delete_checkpoint",
    "digest",
    "entries_of",
    "load",
    "resume",
    "save",
    "write_checkpoint",
    "write_directory_atomically",
    "write_file_atomically",
]
