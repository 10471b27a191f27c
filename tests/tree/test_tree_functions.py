"""The pytree layer: flatten, unflatten, map, structure and paths."""

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop.tree import (
    tree_flatten,
    tree_flatten_with_paths,
    tree_leaves,
    tree_map,
    tree_paths,
    tree_structure,
    tree_unflatten,
)

# Any: a nested container of ints, of no single static type.
nested: st.SearchStrategy[Any] = st.recursive(
    st.integers(),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(st.text("abc", min_size=1, max_size=2), children, max_size=3),
    ),
    max_leaves=12,
)


@given(nested)
def test_unflatten_inverts_flatten(tree: object) -> None:
    leaves, spec = tree_flatten(tree)
    assert tree_unflatten(spec, leaves) == tree


@given(nested)
def test_leaves_and_structure_are_the_two_halves_of_flatten(tree: object) -> None:
    assert (tree_leaves(tree), tree_structure(tree)) == tree_flatten(tree)


@given(nested)
def test_map_of_identity_is_identity(tree: object) -> None:
    assert tree_map(lambda leaf: leaf, tree) == tree


@given(nested)
def test_map_over_two_trees_combines_leaf_by_leaf(tree: object) -> None:
    doubled = tree_map(lambda leaf: 2 * leaf, tree)
    assert tree_leaves(tree_map(lambda a, b: b - a, tree, doubled)) == tree_leaves(tree)


@given(nested)
def test_paths_are_one_per_leaf_and_unique(tree: object) -> None:
    paths, leaves, spec = tree_flatten_with_paths(tree)
    assert len(paths) == len(leaves) == len(set(paths))
    assert (leaves, spec) == tree_flatten(tree)


def test_dict_order_does_not_change_leaves_or_structure() -> None:
    assert tree_flatten({"a": 1, "b": 2}) == tree_flatten({"b": 2, "a": 1})


def test_none_is_an_empty_subtree() -> None:
    assert tree_leaves({"a": None, "b": 1}) == [1]
    assert tree_unflatten(tree_structure({"a": None, "b": 1}), [5]) == {"a": None, "b": 5}


def test_paths_join_keys_and_positions_with_dots() -> None:
    tree = {"params": {"fc1.weight": 1, "fc1.bias": 2}, "moments": [(3,)]}
    assert tree_paths(tree) == ["moments.0.0", "params.fc1.bias", "params.fc1.weight"]


def test_a_lone_leaf_has_the_empty_path() -> None:
    assert tree_paths(7) == [""]


def test_paths_that_collide_are_refused_with_the_path() -> None:
    with pytest.raises(ValueError, match=r"same path \['a\.b'\].*rename"):
        tree_paths({"a.b": 1, "a": {"b": 2}})


def test_map_refuses_trees_of_another_structure_naming_the_keys() -> None:
    with pytest.raises(ValueError, match=r"missing key\(s\): \['a'\]"):
        tree_map(lambda x, y: x + y, {"a": 1}, {"b": 2})


def test_unflatten_refuses_the_wrong_number_of_leaves() -> None:
    with pytest.raises(ValueError, match="leaves"):
        tree_unflatten(tree_structure([1, 2]), [1])


def test_the_tree_layer_does_not_import_torch() -> None:
    code = "import sys, foldloop.tree; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
