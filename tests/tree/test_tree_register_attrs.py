"""register_attrs: attrs classes as pytree nodes."""

import attrs
import pytest

from foldloop.tree import (
    register_attrs,
    tree_flatten,
    tree_map,
    tree_paths,
    tree_structure,
    tree_unflatten,
)


@register_attrs
@attrs.frozen
class Moments:
    mean: dict[str, float]
    count: int
    _private: int = 0


@register_attrs
@attrs.define
class Positive:
    value: int = attrs.field(validator=attrs.validators.gt(0))


def test_round_trip_rebuilds_an_equal_node() -> None:
    node = Moments({"w": 0.5, "b": 1.5}, 3, 4)
    leaves, spec = tree_flatten(node)
    assert leaves == [1.5, 0.5, 3, 4]
    assert tree_unflatten(spec, leaves) == node


def test_register_attrs_returns_the_class_itself() -> None:
    @attrs.frozen
    class Local:
        x: int

    assert register_attrs(Local) is Local


def test_paths_go_through_field_names() -> None:
    tree = {"state": Moments({"w": 0.5}, 3)}
    assert tree_paths(tree) == ["state.mean.w", "state.count", "state._private"]


def test_map_over_two_nodes() -> None:
    total = tree_map(lambda a, b: a + b, Moments({"w": 1.0}, 2), Moments({"w": 10.0}, 20))
    assert total == Moments({"w": 11.0}, 22)


def test_nodes_of_another_class_have_another_structure() -> None:
    @register_attrs
    @attrs.frozen
    class Other:
        mean: dict[str, float]
        count: int
        _private: int = 0

    assert tree_structure(Moments({}, 1)) != tree_structure(Other({}, 1))


def test_rebuilding_skips_validators_so_leaves_may_change_type() -> None:
    assert tree_map(lambda _: -1, Positive(5)).value == -1


def test_a_class_that_is_not_attrs_is_refused() -> None:
    class Plain:
        pass

    with pytest.raises(TypeError, match=r"needs an attrs class.*@attrs.frozen"):
        register_attrs(Plain)  # type: ignore[type-var]  # the point of the test


def test_registering_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_attrs(Moments)
