"""A loaded checkpoint is a State[object], or typed as its template."""

import tempfile
from pathlib import Path
from typing import assert_type

import torch

from foldloop import State
from foldloop.io import digest, load, save

template = State(value={"w": torch.zeros(2)})
with tempfile.TemporaryDirectory() as folder:
    path: Path = save(template, Path(folder) / "ckpt")
    assert_type(load(path), State[object])
    assert_type(load(str(path), like=template), State[dict[str, torch.Tensor]])
    assert_type(load(save(State(value=1), f"{folder}/n"), like=State(value=2)), State[int])
assert_type(digest(template), str)
