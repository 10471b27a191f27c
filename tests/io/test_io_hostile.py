"""Bad and hostile checkpoints: each is refused with a `CheckpointError` that names the file and
what is wrong, and nothing in the files is executed."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch
from checkpoint_states import Box, Pair, Scored, replace_tensors, rewrite_manifest

from foldloop import Slot, State
from foldloop.io import CheckpointError, ReproducibilityWarning, load, save

BEST = Slot("best", 0.0)


def saved(tmp_path: Path) -> Path:
    """A checkpoint holding a bit of everything."""
    value = {
        "w": torch.arange(6.0).reshape(2, 3),
        "n": [1, 2.5, Pair("a", Box(torch.ones(2, dtype=torch.int64), 3))],
    }
    state = State(value=value, counts={Scored: 2}).put(BEST, 0.5).emit(Scored(score=1.0))
    return save(state, tmp_path / "ckpt")


def refused(checkpoint: Path, match: str) -> CheckpointError:
    with pytest.raises(CheckpointError, match=match) as raised:
        load(checkpoint)
    assert str(checkpoint) in str(raised.value)
    return raised.value


# -- missing and damaged files --------------------------------------------------------------------


def test_a_missing_directory(tmp_path: Path) -> None:
    refused(tmp_path / "nothing", "it does not exist")


def test_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    refused(tmp_path / "file", "is not a directory")


@pytest.mark.parametrize("name", ["manifest.json", "tensors.safetensors"])
def test_a_missing_file(tmp_path: Path, name: str) -> None:
    checkpoint = saved(tmp_path)
    (checkpoint / name).unlink()
    refused(checkpoint, f"{name} is missing")


def test_a_truncated_tensors_file_fails_its_checksum(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    data = (checkpoint / "tensors.safetensors").read_bytes()
    (checkpoint / "tensors.safetensors").write_bytes(data[: len(data) // 2])
    refused(checkpoint, "does not match the sha256")


@pytest.mark.parametrize("where", [0, 8, 100, -1])
def test_one_flipped_byte_fails_the_checksum(tmp_path: Path, where: int) -> None:
    checkpoint = saved(tmp_path)
    data = bytearray((checkpoint / "tensors.safetensors").read_bytes())
    data[where] ^= 0x01
    (checkpoint / "tensors.safetensors").write_bytes(bytes(data))
    refused(checkpoint, "flipped byte")


def test_a_truncated_tensors_file_with_a_matching_checksum_fails_parsing(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    data = (checkpoint / "tensors.safetensors").read_bytes()
    replace_tensors(checkpoint, data[:-3])
    refused(checkpoint, "not a valid safetensors file")


class Marker:
    """Pickling this object records a call that creates a file when unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:  # Any: the callable pickle stores
        return (open, (str(self.path), "w"))


def test_a_pickle_in_place_of_the_tensors_is_never_executed(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"w": Marker(marker)})
    pickle.loads(payload)["w"].close()  # the payload works: unpickling it creates the marker
    assert marker.exists()
    marker.unlink()
    replace_tensors(checkpoint, payload)
    refused(checkpoint, "not a valid safetensors file")
    assert not marker.exists()
    torch_file = tmp_path / "torch.pt"  # nor is a torch.save file in its place unpickled
    torch.save({"w": Marker(marker)}, torch_file, _use_new_zipfile_serialization=True)
    replace_tensors(checkpoint, torch_file.read_bytes())
    refused(checkpoint, "not a valid safetensors file")
    assert not marker.exists()


# -- the tensors file and the manifest disagree ---------------------------------------------------


def _tensors_file(checkpoint: Path) -> dict[str, torch.Tensor]:
    return safetensors.torch.load((checkpoint / "tensors.safetensors").read_bytes())


def test_a_tensor_the_manifest_names_is_not_in_the_file(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    tensors = _tensors_file(checkpoint)
    del tensors["value.w"]
    replace_tensors(checkpoint, safetensors.torch.save(tensors))
    refused(checkpoint, r"at value\.w: the tensors file has no tensor 'value\.w'")


def test_a_tensor_in_the_file_that_the_manifest_does_not_name(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    tensors = {**_tensors_file(checkpoint), "value.extra": torch.zeros(1)}
    replace_tensors(checkpoint, safetensors.torch.save(tensors))
    refused(checkpoint, r"does not name: \['value\.extra'\]")


@pytest.mark.parametrize(
    "stored",
    [torch.arange(6.0, dtype=torch.float64).reshape(2, 3), torch.arange(6.0).reshape(3, 2)],
    ids=["dtype", "shape"],
)
def test_a_tensor_whose_dtype_or_shape_differs_from_the_manifest(
    tmp_path: Path, stored: torch.Tensor
) -> None:
    checkpoint = saved(tmp_path)
    replace_tensors(
        checkpoint, safetensors.torch.save({**_tensors_file(checkpoint), "value.w": stored})
    )
    refused(
        checkpoint, r"holds 'value\.w' as a float\w* tensor of shape \[\d, \d\], the manifest says"
    )


def _value_entries(manifest: dict[str, Any]) -> list[list[Any]]:
    entries: list[list[Any]] = manifest["state"]["value"]["dict"]
    return entries


@pytest.mark.parametrize("key", ["value.n", "../value.w", "/etc/passwd", "value/w", ""])
def test_a_tensor_reference_that_points_elsewhere(tmp_path: Path, key: str) -> None:
    checkpoint = saved(tmp_path)

    def point_elsewhere(manifest: dict[str, Any]) -> None:
        _value_entries(manifest)[0][1]["tensor"] = key

    rewrite_manifest(checkpoint, point_elsewhere)
    refused(checkpoint, r"at value\.w: the tensor here must be stored under 'value\.w'")


def test_a_tensor_referenced_twice(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)

    def twice(manifest: dict[str, Any]) -> None:
        entries = _value_entries(manifest)
        entries.append(["w", entries[0][1]])  # a second "w" entry: refused as a repeated key

    rewrite_manifest(checkpoint, twice)
    refused(checkpoint, "the key 'w' appears twice")


# -- malformed manifests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ('{"a": 1, "a": 2}', r"the keys \['a'\] appear twice"),
        ('{"x": NaN}', "NaN is not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        ('"just a string"', "not the manifest of a foldloop checkpoint"),
        ('{"format": "something else"}', "not the manifest of a foldloop checkpoint"),
    ],
    ids=["syntax", "duplicate", "nan", "deep", "string", "format"],
)
def test_a_manifest_that_is_not_a_manifest(tmp_path: Path, text: str, match: str) -> None:
    checkpoint = saved(tmp_path)
    (checkpoint / "manifest.json").write_text(text)
    refused(checkpoint, match)


def test_a_manifest_that_is_not_utf8(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    (checkpoint / "manifest.json").write_bytes(b'{"\xff": 1}')
    refused(checkpoint, "cannot be read")


def test_a_checkpoint_from_a_newer_schema(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)

    def newer(manifest: dict[str, Any]) -> None:
        manifest["schema"] = 2
        manifest["state"] = {"something": "new"}

    rewrite_manifest(checkpoint, newer)
    refused(checkpoint, "newer foldloop .*schema 2.* upgrade foldloop")


def _set_value(node: object) -> Any:  # Any: the change function rewrite_manifest takes
    def change(manifest: dict[str, Any]) -> None:
        _value_entries(manifest)[1][1] = node

    return change


@pytest.mark.parametrize(
    ("node", "match"),
    [
        (1.5, "expected a value, found 1.5"),
        ([1, 2], r"expected a value, found \[1, 2\]"),
        ({"list": 5}, "expected the items of a list, found 5"),
        ({"list": [], "tuple": []}, r"an object with the keys \['list', 'tuple'\]"),
        ({"eval": "print(1)"}, r"an object with the keys \['eval'\]"),
        ({"float": "not hex"}, "expected a float in hex"),
        ({"float": 1.5}, "expected a float in hex"),
        ({"dict": [[1]]}, r"a \[key, value\] pair, found a list of 1"),
        ({"dict": [[True, 1]]}, "a dict key must be a string or an integer, found True"),
        ({"dict": [[[1], 1]]}, "a dict key must be a string or an integer"),
        ({"dict": {"a": 1}}, "a list of"),
        ({"named_tuple": "checkpoint_states:Pair", "fields": {"left": 1}}, "has the fields"),
        ({"event": "checkpoint_states:Scored", "fields": {}}, "has the fields"),
        (
            {"node": "checkpoint_states:Box", "metadata": None, "children": [["content", 1]]},
            "cannot be rebuilt",
        ),
        (
            {
                "node": "checkpoint_states:Box",
                "metadata": {
                    "tensor": "x",
                    "dtype": "float32",
                    "shape": [],
                    "requires_grad": False,
                },
                "children": [],
            },
            "a tensor in a tree node's metadata",
        ),
        (
            {"tensor": "value.n", "dtype": "float128", "shape": [], "requires_grad": False},
            "not a dtype",
        ),
        ({"tensor": "value.n", "dtype": "int64", "shape": [-1], "requires_grad": False}, ">= 0"),
        (
            {"tensor": "value.n", "dtype": "int64", "shape": [], "requires_grad": True},
            "cannot require grad",
        ),
    ],
    ids=repr,
)
def test_a_malformed_node(tmp_path: Path, node: object, match: str) -> None:
    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, _set_value(node))
    error = refused(checkpoint, match)
    assert "at value.n" in str(error)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("no_such_module:Thing", "is not defined in this process: import the module"),
        ("os:Thing", "is not defined in this process"),
        ("os:system", "is not a class foldloop can rebuild"),
        ("builtins:object", "is not a class foldloop can rebuild"),
        ("subprocess:Popen", "is not a class foldloop can rebuild"),
        ("checkpoint_states:Pair", "is not a class foldloop can rebuild"),  # a NamedTuple here
        ("os.path:join.__globals__", "is not a class foldloop can rebuild|not defined"),
        ("os:path.os.system", "not defined"),
        ("os", "not a class name of the form"),
        ("os:__import__('os')", "not a class name of the form"),
        (5, "must be a string"),
    ],
)
def test_a_class_name_that_is_not_defined_or_not_permitted(
    tmp_path: Path, name: object, match: str
) -> None:
    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, _set_value({"event": name, "fields": {}}))
    refused(checkpoint, match)


def test_a_module_is_never_imported_to_find_a_class(tmp_path: Path) -> None:
    import sys

    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, _set_value({"kind": "antigravity:Event"}))
    refused(checkpoint, "not defined in this process")
    assert "antigravity" not in sys.modules


@pytest.mark.parametrize(
    ("part", "change", "match"),
    [
        ("position", {"epoch": -1}, r"at position\.epoch: expected a whole number >= 0"),
        ("position", {"stage": 99}, r"at position\.stage: expected a stage"),
        ("position", {"iteration": True}, r"at position\.iteration: expected a whole number"),
        ("position", {"terminated": 0}, r"at position\.terminated: expected true or false"),
        ("position", {"other_counts": [["checkpoint_states:Scored", 0]]}, ">= 1"),
        ("position", {"other_counts": [["foldloop.core._events:IterationStarted", 1]]}, "twice"),
        ("limits", {"max_epochs": 0}, r"at limits\.max_epochs: expected a whole number >= 1"),
        ("stop", {"terminate": "yes"}, r"at stop: expected true or false"),
    ],
)
def test_a_malformed_position_limit_or_request(
    tmp_path: Path, part: str, change: dict[str, object], match: str
) -> None:
    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, lambda manifest: manifest["state"][part].update(change))
    refused(checkpoint, match)


def test_a_pending_event_of_a_built_in_kind_is_refused(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    started = {"event": "foldloop.core._events:Started", "fields": {}}
    rewrite_manifest(checkpoint, lambda manifest: manifest["state"]["pending"].append(started))
    refused(checkpoint, r"at pending\.1: expected an event of your own kind")


def test_missing_parts_of_the_state(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, lambda manifest: manifest["state"].pop("slots"))
    refused(checkpoint, "the state's parts must be")


# -- versions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [("torch", "1.0.0"), ("foldloop", "0.0.1"), ("python", "3.99.0"), ("torch_threads", 977)],
)
def test_other_versions_or_thread_count_load_with_a_warning(
    tmp_path: Path, name: str, value: object
) -> None:
    checkpoint = saved(tmp_path)
    expected = load(checkpoint)
    rewrite_manifest(checkpoint, lambda manifest: manifest["written_by"].update({name: value}))
    with pytest.warns(ReproducibilityWarning, match=f"{name} {value!r}.*same torch thread count"):
        loaded = load(checkpoint)
    assert json.dumps(str(loaded)) == json.dumps(str(expected))


def test_a_manifest_nested_too_deeply_for_the_decoder(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    rewrite_manifest(checkpoint, lambda manifest: _value_entries(manifest).append(["x", "HERE"]))
    pair = '{"named_tuple": "checkpoint_states:Pair", "fields": {"right": 1, "left": '
    deep = pair * 450 + "1" + "}}" * 450  # JSON reads it; rebuilding it recurses deeper
    text = (checkpoint / "manifest.json").read_text().replace('"HERE"', deep)
    (checkpoint / "manifest.json").write_text(text)
    refused(checkpoint, "deeper than Python's recursion limit")
