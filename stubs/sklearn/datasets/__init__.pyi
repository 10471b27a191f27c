# The bundled data set of foldloop's main job.
from typing import Any

from numpy.typing import NDArray

class Bunch:
    data: NDArray[Any]
    target: NDArray[Any]
    images: NDArray[Any]

def load_digits(*, n_class: int = ..., return_X_y: bool = ...) -> Bunch: ...
