# The split of foldloop's main job.
from typing import Any

from numpy.typing import ArrayLike, NDArray

def train_test_split(
    *arrays: ArrayLike,
    test_size: float | int | None = ...,
    train_size: float | int | None = ...,
    random_state: int | None = ...,
    shuffle: bool = ...,
    stratify: ArrayLike | None = ...,
) -> list[NDArray[Any]]: ...
