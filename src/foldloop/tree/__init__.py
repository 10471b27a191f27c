"""Pytrees for foldloop: flatten, map and name the leaves of nested containers.

A thin layer over `optree` in foldloop's own namespace. It imports no torch: tensors are leaves
like any other object.
"""

from ._register import register_attrs as register_attrs
from ._tree import NAMESPACE as NAMESPACE
from ._tree import PATH_SEPARATOR as PATH_SEPARATOR
from ._tree import TreeSpec as TreeSpec
from ._tree import tree_flatten as tree_flatten
from ._tree import tree_flatten_with_paths as tree_flatten_with_paths
from ._tree import tree_leaves as tree_leaves
from ._tree import tree_map as tree_map
from ._tree import tree_paths as tree_paths
from ._tree import tree_structure as tree_structure
from ._tree import tree_unflatten as tree_unflatten
