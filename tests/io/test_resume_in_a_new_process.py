"""A run saved at any event and resumed in a new process ends bit for bit where the
uninterrupted run ends (a dropout model, shuffled data, a metric, mid-epoch stops)."""

from __future__ import annotations

import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest
import resume_job  # beside this file (tests/io is not a package)
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from foldloop.io import load, save

JOB = Path(resume_job.__file__)
EVENTS = sum(
    1
    for _ in resume_job.trainer().scan(
        resume_job.initial(), resume_job.data(), max_epochs=resume_job.EPOCHS
    )
)
UNINTERRUPTED = resume_job.final_digest(resume_job.initial())


def saved_at(indices: list[int], directory: Path) -> list[Path]:
    """The states of an uninterrupted scan after its events number ``indices``, saved."""
    scan = resume_job.trainer().scan(
        resume_job.initial(), resume_job.data(), max_epochs=resume_job.EPOCHS
    )
    paths = []
    for index, (_, state) in enumerate(islice(scan, max(indices) + 1)):
        if index in indices:
            paths.append(save(state, directory / f"at-{index}"))
    return paths


@settings(max_examples=15)
@given(indices=st.lists(st.integers(0, EVENTS - 1), min_size=1, max_size=4, unique=True))
def test_a_state_saved_at_any_event_and_loaded_resumes_to_the_same_digest(
    indices: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("saved")
    for path in saved_at(indices, directory):
        assert resume_job.final_digest(load(path, like=resume_job.initial())) == UNINTERRUPTED


@settings(max_examples=2, deadline=None)
@given(indices=st.lists(st.integers(0, EVENTS - 1), min_size=6, max_size=6, unique=True))
def test_in_a_new_process_too(indices: list[int], tmp_path_factory: pytest.TempPathFactory) -> None:
    directory = tmp_path_factory.mktemp("saved")
    paths = saved_at(indices, directory)
    threads = str(torch.get_num_threads())  # bit for bit is promised for one thread count
    child = [sys.executable, str(JOB), threads, *map(str, paths)]
    done = subprocess.run(child, capture_output=True, text=True, timeout=50, check=True)
    assert done.stdout.split() == [UNINTERRUPTED] * len(paths), done.stderr
