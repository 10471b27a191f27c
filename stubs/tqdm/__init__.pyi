# The part of tqdm's API that foldloop uses: tqdm ships no type information.
from collections.abc import Mapping
from typing import IO, Generic, TypeVar

_T = TypeVar("_T")

class tqdm(Generic[_T]):
    n: float
    total: float | None
    disable: bool
    def __init__(
        self,
        iterable: None = None,
        desc: str | None = None,
        total: float | None = None,
        leave: bool | None = True,
        file: IO[str] | None = None,
        ncols: int | None = None,
        mininterval: float = 0.1,
        maxinterval: float = 10.0,
        miniters: float | None = None,
        ascii: bool | str | None = None,
        disable: bool | None = False,
        unit: str = "it",
        unit_scale: bool | float = False,
        dynamic_ncols: bool = False,
        smoothing: float = 0.3,
        bar_format: str | None = None,
        initial: float = 0,
        position: int | None = None,
        postfix: Mapping[str, object] | str | None = None,
    ) -> None: ...
    def update(self, n: float | None = 1) -> bool | None: ...
    def set_postfix(
        self, ordered_dict: Mapping[str, object] | None = None, refresh: bool | None = True
    ) -> None: ...
    def set_description(self, desc: str | None = None, refresh: bool | None = True) -> None: ...
    def refresh(self) -> None: ...
    def close(self) -> None: ...
