"""Checks on hyper-parameters, shared by schedules and optimizers.

Each takes ``what``, the name the caller's user knows the value by (``"adam: eps"``), and returns
the value with its checked type, so a check and a conversion are one call.
"""

import math
from collections.abc import Sequence
from numbers import Real


def require_real(what: str, value: object) -> float:
    """``value`` as a float, after checking that it is a finite real number (not a bool).

    Example:
        >>> require_real("adam: eps", "1e-8")
        Traceback (most recent call last):
        ...
        TypeError: adam: eps must be a real number, got str '1e-8'
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def require_non_negative(what: str, value: object) -> float:
    """``value`` as a float, after checking that it is a number >= 0.

    Example:
        >>> require_non_negative("sgd: momentum", -0.9)
        Traceback (most recent call last):
        ...
        ValueError: sgd: momentum must be >= 0, got -0.9
    """
    number = require_real(what, value)
    if not number >= 0:
        raise ValueError(f"{what} must be >= 0, got {number}")
    return number


def require_positive(what: str, value: object) -> float:
    """``value`` as a float, after checking that it is a number > 0.

    Example:
        >>> require_positive("clip_by_global_norm: max_norm", 0)
        Traceback (most recent call last):
        ...
        ValueError: clip_by_global_norm: max_norm must be > 0, got 0.0
    """
    number = require_real(what, value)
    if not number > 0:
        raise ValueError(f"{what} must be > 0, got {number}")
    return number


def require_unit_interval(what: str, value: object) -> float:
    """``value`` as a float, after checking that ``0 <= value < 1`` (a decay rate).

    Example:
        >>> require_unit_interval("adam: betas[0]", 1.0)
        Traceback (most recent call last):
        ...
        ValueError: adam: betas[0] must be in [0, 1), got 1.0
    """
    number = require_real(what, value)
    if not 0 <= number < 1:
        raise ValueError(f"{what} must be in [0, 1), got {number}")
    return number


def require_whole(what: str, value: object, minimum: int) -> int:
    """``value``, after checking that it is a whole number of steps >= ``minimum``.

    Example:
        >>> require_whole("step_size", 0, minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: step_size must be a whole number of steps >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what} must be a whole number of steps >= {minimum}, got {value!r}")
    return value


def require_betas(what: str, betas: object) -> tuple[float, float]:
    """``betas`` as two decay rates in ``[0, 1)``, after checking it is a pair.

    Example:
        >>> require_betas("adam: betas", (0.9,))
        Traceback (most recent call last):
        ...
        ValueError: adam: betas must be a pair (beta1, beta2), got (0.9,); write betas=(0.9, 0.999)
    """
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(
            f"{what} must be a pair (beta1, beta2), got {betas!r}; write betas=(0.9, 0.999)"
        )
    return (
        require_unit_interval(f"{what}[0]", betas[0]),
        require_unit_interval(f"{what}[1]", betas[1]),
    )


def require_sequence(what: str, value: object, example: str) -> Sequence[object]:
    """``value``, after checking that it is a list or tuple (``example`` shows one).

    Example:
        >>> require_sequence("milestones", 30, "milestones=[30, 80]")
        Traceback (most recent call last):
        ...
        TypeError: milestones must be a list or tuple, got int 30; write milestones=[30, 80]
    """
    if not isinstance(value, list | tuple):
        raise TypeError(
            f"{what} must be a list or tuple, got {type(value).__name__} {value!r}; write {example}"
        )
    return value


def require_pairs(what: str, value: object, example: str) -> Sequence[Sequence[object]]:
    """``value``, after checking that it is a list or tuple of pairs.

    Example:
        >>> require_pairs("points", [(0, 1.0), 5], "[(0, 1.0), (10, 0.0)]")
        Traceback (most recent call last):
        ...
        TypeError: points must be (milestone, value) pairs, got 5; write [(0, 1.0), (10, 0.0)]
    """
    pairs = require_sequence(what, value, example)
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise TypeError(
                f"{what} must be (milestone, value) pairs, got {pair!r}; write {example}"
            )
    return pairs  # type: ignore[return-value]  # each item was checked to be a pair above
