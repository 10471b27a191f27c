"""Checking a batch source's arguments up front, with errors that say what to pass."""

from __future__ import annotations

from torch.utils.data import IterableDataset

_WHO = "SeededBatches"


def _kind(value: object) -> str:
    return f"{value!r} of type {type(value).__name__}"


def dataset_length(dataset: object) -> int:
    """``len(dataset)``, after checking that it is a non-empty map-style dataset.

    Example:
        >>> dataset_length([10, 20, 30])
        3
    """
    if isinstance(dataset, IterableDataset):
        raise TypeError(
            f"{_WHO} takes a map-style dataset, got the iterable-style {type(dataset).__name__}: "
            "its items have no index, so a pass cannot be shuffled by seed nor started at a "
            "batch; give it __len__ and __getitem__(index), or pass it to run() as it is (a "
            "resumed run then draws and discards)"
        )
    missing = [name for name in ("__len__", "__getitem__") if not hasattr(type(dataset), name)]
    if missing:
        raise TypeError(
            f"{_WHO} takes a map-style dataset (with __len__ and __getitem__(index), such as a "
            f"torch TensorDataset or a list), got {type(dataset).__name__}, which has no "
            f"{' and no '.join(missing)}; define them, or wrap the data in a map-style dataset"
        )
    n = len(dataset)  # type: ignore[arg-type]  # checked above: its type defines __len__
    if n == 0:
        raise ValueError(f"{_WHO} got an empty dataset: a pass needs at least one item")
    return n


def positive_int(name: str, value: object, what: str) -> int:
    """``value``, checked to be an int >= 1 (``what`` says what it counts)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{_WHO}: {name} must be an int, got {_kind(value)}; pass {what}")
    if value < 1:
        raise ValueError(f"{_WHO}: {name} must be >= 1, got {value}; pass {what}")
    return value


def seed_of(value: object) -> int:
    """``value``, checked to be a seed: an int from 0 to 2**64 - 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{_WHO}: seed must be an int, got {_kind(value)}; pass seed=0 (any int from 0 to "
            "2**64 - 1): the order of every pass is a function of it"
        )
    if not 0 <= value < 2**64:
        raise ValueError(f"{_WHO}: seed must be from 0 to 2**64 - 1, got {value}")
    return value


def flag(name: str, value: object) -> bool:
    """``value``, checked to be True or False."""
    if not isinstance(value, bool):
        raise TypeError(f"{_WHO}: {name} must be True or False, got {_kind(value)}")
    return value


def workers(value: object) -> int:
    """``value``, checked to be a number of worker processes (0: load in this process)."""
    fix = "pass 0 to load in this process, or the number of worker processes"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{_WHO}: num_workers must be an int, got {_kind(value)}; {fix}")
    if value < 0:
        raise ValueError(f"{_WHO}: num_workers must be >= 0, got {value}; {fix}")
    return value


def seconds(value: object) -> float:
    """``value``, checked to be a timeout in seconds, >= 0 (0: wait for ever)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{_WHO}: timeout must be a number of seconds, got {_kind(value)}")
    if value < 0:
        raise ValueError(f"{_WHO}: timeout must be >= 0 (0 waits for ever), got {value}")
    return float(value)


def optional_callable(name: str, value: object, signature: str) -> None:
    """Check that ``value`` is None or callable (``signature`` says how it is called)."""
    if value is not None and not callable(value):
        raise TypeError(
            f"{_WHO}: {name} must be a function {signature} or None, got {_kind(value)}"
        )


def batches_per_pass(n: int, batch_size: int, drop_last: bool) -> int:
    """How many batches a pass over ``n`` items has.

    Example:
        >>> batches_per_pass(10, 4, drop_last=False), batches_per_pass(10, 4, drop_last=True)
        (3, 2)
    """
    count = n // batch_size if drop_last else -(-n // batch_size)
    if count == 0:
        raise ValueError(
            f"{_WHO}: with drop_last=True a dataset of {n} item(s) gives no batch of "
            f"batch_size={batch_size}; pass a batch_size <= {n} or drop_last=False"
        )
    return count
