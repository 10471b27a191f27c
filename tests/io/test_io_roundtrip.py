"""Checkpoints round-trip: ``load(save(s))`` is ``s``, and ``digest`` agrees, for any state."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from checkpoint_states import Box, Pair, Ping, Scored, bytes_of, difference, states
from hypothesis import HealthCheck, given, settings
from torch import nn

from foldloop import Slot, Started, State
from foldloop.core._state import BATCH
from foldloop.io import CheckpointError, digest, load, save
from foldloop.train import DonatedError, TrainState, adamw, init_train_state, supervised_trainer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
names = itertools.count()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states())
def test_any_state_round_trips_exactly_and_keeps_its_digest(
    tmp_path: Path, state: State[object]
) -> None:
    checkpoint = save(state, tmp_path / f"ckpt-{next(names)}")
    loaded = load(checkpoint)
    assert difference(loaded, state) is None, difference(loaded, state)
    assert digest(loaded) == digest(state)
    like = load(checkpoint, like=state)  # a template of the same structure: the same state
    assert difference(like, state) is None, difference(like, state)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_state_of_plain_values_loads_equal() -> None:
    state = State(value={"a": [1, 2.5, None, "x", True], 3: (float("inf"), -0.0)}, epoch=2)
    state = state.put(BEST, 0.5).emit(Scored(score=1.0)).terminate()
    assert _round_trip(state) == state


BEST = Slot("best", 0.0)


def _round_trip(state: State[Any]) -> State[object]:  # Any: a state of any value
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return load(save(state, Path(folder) / "ckpt"))


def test_dicts_keep_their_order_and_key_types_and_digests_ignore_the_order() -> None:
    forward = {"b": 1, 2: "two", "a": OrderedDict([("z", 1), ("y", 2)])}
    backward = {"a": OrderedDict([("z", 1), ("y", 2)]), 2: "two", "b": 1}
    loaded = _round_trip(State(value=forward)).value
    assert isinstance(loaded, dict)
    assert list(loaded) == ["b", 2, "a"] and type(loaded["a"]) is OrderedDict
    assert digest(State(value=forward)) == digest(State(value=backward))
    reordered = {
        **forward,
        "a": OrderedDict([("y", 2), ("z", 1)]),
    }  # order is an OrderedDict's value
    assert digest(State(value=forward)) != digest(State(value=reordered))


T = torch.tensor


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1, 2),
        (1, True),
        (1, 1.0),
        (0.0, -0.0),
        ("1", 1),
        ([1], (1,)),
        ({"a": 1}, {"b": 1}),
        ({1: 0}, {"1": 0}),
        (Pair(1, 2), (1, 2)),
        (Box(1, 2), Box(1, 3)),
        (Ping, Scored),
        (T([1.0, 2.0]), T([1.0, 2.5])),
        (T([1.0, 2.0]), T([1.0, 2.0], dtype=torch.float64)),
        (T([1.0, 2.0]), T([[1.0, 2.0]])),
        (T([1.0, 2.0]), T([1.0, 2.0]).requires_grad_()),
        (T(0.0), T(-0.0)),
    ],
    ids=repr,
)
def test_a_changed_leaf_changes_the_digest(left: object, right: object) -> None:
    assert digest(State(value={"x": left})) != digest(State(value={"x": right}))


def test_every_part_of_the_state_is_in_the_digest_but_the_batch() -> None:
    state = State(value=0, max_epochs=3)
    same = digest(state)
    assert digest(state._with(BATCH, [T([1.0])])) == same
    for changed in (
        state.replace(value=1),
        State(value=0, max_epochs=4),
        State(value=0, max_epochs=3, counts={Started: 1}),
        State(value=0, max_epochs=3, counts={Scored: 1}),
        state.put(BEST, 1.0),
        state.emit(Ping()),
        state.terminate(),
        state.terminate_epoch(),
    ):
        assert digest(changed) != same


def test_a_digest_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("digest opened a file")

    state = State(value={"w": torch.ones(3), "n": [1, 2.5]})
    expected = digest(state)
    monkeypatch.setattr("builtins.open", no_files)
    monkeypatch.setattr("os.open", no_files)
    assert digest(state) == expected


def test_a_bit_flipped_anywhere_in_a_tensor_changes_the_digest() -> None:
    weights = torch.randn(64, generator=torch.Generator().manual_seed(0))
    before = digest(State(value={"w": weights}))
    for i in (0, 31, 63):
        raw = bytearray(bytes_of(weights))
        raw[4 * i + 1] ^= 0x10
        flipped = torch.frombuffer(raw, dtype=torch.float32)
        assert digest(State(value={"w": flipped})) != before


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(1)
    return [
        (torch.randn(6, 4, generator=generator), torch.randint(0, 3, (6,), generator=generator))
        for _ in range(3)
    ]


def _trained() -> tuple[State[TrainState], TrainState]:
    model, optimizer = _model(), adamw(lr=0.01)
    initial = init_train_state(model, optimizer, seed=5)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy)
    return trainer.run(initial, _batches(), max_epochs=2), initial


def test_a_train_state_round_trips_with_its_optimizer_state_and_resumes_the_same(
    tmp_path: Path,
) -> None:
    final, initial = _trained()
    loaded = load(save(final, tmp_path / "ckpt"), like=State(value=initial))
    assert loaded == final and digest(loaded) == digest(final)
    assert difference(loaded, final) is None  # requires_grad, dtypes, the AdamState and all
    assert load(tmp_path / "ckpt") == final  # without a template as well
    assert loaded.value.params["0.weight"].requires_grad
    assert loaded.value.buffers["1.num_batches_tracked"].dtype == torch.int64
    model, optimizer = _model(), adamw(lr=0.01)
    trainer = supervised_trainer(model, optimizer, F.cross_entropy)
    assert trainer.run(loaded, _batches(), max_epochs=4) == trainer.run(
        final, _batches(), max_epochs=4
    )


def test_a_donated_template_is_refused_with_the_reason(tmp_path: Path) -> None:
    final, _ = _trained()
    checkpoint = save(final, tmp_path / "ckpt")
    model, optimizer = _model(), adamw(lr=0.01)
    donated = State(value=init_train_state(model, optimizer))
    supervised_trainer(model, optimizer, F.cross_entropy, donate=True).run(donated, _batches())
    with pytest.raises(
        CheckpointError, match="template cannot be read at value: this TrainState was donated"
    ):
        load(checkpoint, like=donated)


def test_a_loaded_train_state_has_a_fresh_lease(tmp_path: Path) -> None:
    final, _ = _trained()
    loaded = load(save(final, tmp_path / "ckpt"))
    assert isinstance(loaded.value, TrainState)
    assert loaded.value.lease is not final.value.lease and loaded.value.lease.donated_at is None


def test_saving_a_donated_state_raises_donated_error_and_writes_nothing(tmp_path: Path) -> None:
    model, optimizer = _model(), adamw(lr=0.01)
    initial = init_train_state(model, optimizer)
    supervised_trainer(model, optimizer, F.cross_entropy, donate=True).run(initial, _batches())
    with pytest.raises(DonatedError):
        save(State(value=initial), tmp_path / "ckpt")
    assert list(tmp_path.iterdir()) == []


CHILD = """
import sys
import torch
sys.path.insert(0, sys.argv[3])
import checkpoint_states  # the classes the checkpoint names: loading imports nothing itself
import foldloop.train
from foldloop.io import digest, load
torch.set_num_threads(int(sys.argv[2]))
print(digest(load(sys.argv[1])))
"""


def test_a_new_process_computes_the_same_digest_of_the_loaded_checkpoint(tmp_path: Path) -> None:
    final, _ = _trained()
    final = final.put(BEST, 0.25).emit(Scored(score=T([1.5])))
    checkpoint = save(final, tmp_path / "ckpt")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(checkpoint), str(torch.get_num_threads()), str(HERE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == digest(final)
    assert json.loads((checkpoint / "manifest.json").read_text())["schema"] == 1


def test_a_large_tensors_file_is_hashed_as_it_is_written(tmp_path: Path) -> None:
    import hashlib

    from foldloop.io._checkpoint import HASH_APART

    weights = torch.arange(HASH_APART // 4 + 1, dtype=torch.float32)
    checkpoint = save(State(value={"w": weights}), tmp_path / "ckpt")
    manifest = json.loads((checkpoint / "manifest.json").read_text())
    data = (checkpoint / "tensors.safetensors").read_bytes()
    assert manifest["tensors"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["tensors"]["bytes"] == len(data) > HASH_APART
    loaded = load(checkpoint).value
    assert isinstance(loaded, dict) and torch.equal(loaded["w"], weights)
