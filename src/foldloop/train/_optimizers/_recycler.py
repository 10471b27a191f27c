"""Output buffers for out-of-place updates, reused once nothing else can see them."""

import sys
from collections.abc import Sequence

import torch

# A storage is held by its tensor and by its Python object, which torch keeps alive with it.
_STORAGE_REFERENCES = 2

_Key = tuple[tuple[torch.Size, torch.dtype, torch.device], ...]


class Recycler:
    """Hands out tensors to write new values into, reusing ones that nobody can see any more.

    A pure update writes its results into new tensors, so the state it was given stays as it
    was. On a CPU, tensors of tens of megabytes come from the operating system as fresh pages
    every time, and touching those pages costs more than the arithmetic. The recycler keeps
    each group of tensors it hands out and hands it out again once the group is *unseen*: no
    Python object but the recycler refers to its tensors, and no other tensor (a view, an
    autograd graph, a NumPy array) shares their memory. A state that anyone still holds (a tap
    that keeps it, a variable, a list of states from ``scan``) keeps its tensors seen, so they
    are never overwritten: the update stays pure, only its memory is reused.

    It keeps at most ``capacity`` groups of each shape; past that it forgets a group that is
    in use elsewhere (which then lives as long as its holder keeps it). Between runs it keeps
    the groups it handed out alive, as a caching allocator does; they go with the recycler
    (that is, with the training step that owns it).

    Example:
        >>> import torch
        >>> recycler = Recycler()
        >>> [first] = recycler.like([torch.zeros(3)])
        >>> [second] = recycler.like([torch.zeros(3)])
        >>> second[0] is first[0]  # ``first`` still holds its tensor: a new group
        False
        >>> kept = first[0].data_ptr()
        >>> del first
        >>> [third] = recycler.like([torch.zeros(3)])
        >>> third[0].data_ptr() == kept
        True
    """

    __slots__ = ("_capacity", "_key", "_pool")

    def __init__(self, capacity: int = 12) -> None:
        self._capacity = capacity
        self._key: _Key = ()
        self._pool: list[list[torch.Tensor]] = []

    def like(self, tensors: Sequence[torch.Tensor], count: int = 1) -> list[list[torch.Tensor]]:
        """``count`` groups of contiguous tensors shaped like ``tensors`` (and of their dtypes
        and devices), holding any values: unseen groups reused, the oldest first, or new ones."""
        key = tuple((tensor.shape, tensor.dtype, tensor.device) for tensor in tensors)
        if key != self._key:  # another shape of parameters: the old groups cannot serve
            self._key, self._pool = key, []
        taken = [group for group in self._pool if _all_unseen(group)][:count]
        kept = [group for group in self._pool if not any(group is t for t in taken)]
        while len(taken) < count:
            taken.append([_contiguous_like(tensor) for tensor in tensors])
        if len(kept) + len(taken) > self._capacity:  # forget groups in use elsewhere first
            kept.sort(key=_all_unseen)
            del kept[: len(kept) + len(taken) - self._capacity]
        self._pool = kept + taken
        return [list(group) for group in taken]


def _contiguous_like(tensor: torch.Tensor) -> torch.Tensor:
    return torch.empty(tensor.shape, dtype=tensor.dtype, device=tensor.device)


def _all_unseen(group: list[torch.Tensor]) -> bool:
    return all(_unseen(buffer) for buffer in group)


def _references_when_unseen() -> tuple[int, int]:
    """The reference counts `_unseen` sees for a tensor and for its storage object when only
    the pool holds the tensor: measured on a probe through the same calls, so the counts fit
    whatever this interpreter adds for loop variables, parameters and arguments."""
    counts: list[int] = []

    def probe(buffer: torch.Tensor) -> bool:
        counts.append(sys.getrefcount(buffer))
        storage = buffer.untyped_storage()
        counts.append(sys.getrefcount(storage))
        return True

    group = [torch.empty(1)]
    all(probe(buffer) for buffer in group)
    return counts[0], counts[1]


# What `_unseen` counts when nothing but the pool holds a buffer: one more means someone else
# holds the tensor, or its storage object (``tensor.untyped_storage()``).
_POOL_REFERENCES, _STORAGE_OBJECT_REFERENCES = _references_when_unseen()


def _unseen(buffer: torch.Tensor) -> bool:
    """Whether the recycler's reference is the only way to reach ``buffer`` or its memory.

    Python holders show in the reference counts of the tensor and of its storage object;
    views, autograd graphs, NumPy arrays and DLPack capsules in the counts torch keeps of its
    tensor and storage. (These are torch's private counters; `tests/train` pins each case.)
    """
    if sys.getrefcount(buffer) != _POOL_REFERENCES:
        return False
    # _use_count: the TensorImpl's reference count (views and graphs hold the TensorImpl).
    if buffer._use_count() != 1:  # type: ignore[attr-defined]  # in torch, not in its stubs
        return False
    storage = buffer.untyped_storage()
    return (
        sys.getrefcount(storage) == _STORAGE_OBJECT_REFERENCES
        and torch._C._storage_Use_Count(storage._cdata) == _STORAGE_REFERENCES
    )
