"""Checks of a transition's settings, made when it is built, with the corrected call."""

from __future__ import annotations


def require_count(owner: str, what: str, value: object, minimum: int) -> int:
    """``value``, after checking that it is a whole number >= ``minimum``.

    Example:
        >>> require_count("EarlyStopping", "patience", 0, 1)
        Traceback (most recent call last):
        ...
        ValueError: EarlyStopping: patience must be a whole number >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{owner}: {what} must be a whole number >= {minimum}, got {value!r}")
    return value


def require_number(owner: str, what: str, value: object, *, low: float, high: float) -> float:
    """``value`` as a float, after checking that ``low <= value <= high`` (and it is not NaN).

    Example:
        >>> require_number("EarlyStopping", "min_delta", -1.0, low=0.0, high=float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: EarlyStopping: min_delta must be a number in [0.0, inf], got -1.0
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{owner}: {what} must be a number in [{low}, {high}], got {value!r}")
    return float(value)


def require_choice(owner: str, what: str, value: object, choices: tuple[str, ...]) -> str:
    """``value``, after checking that it is one of ``choices``.

    Example:
        >>> require_choice("EarlyStopping", "mode", "maximum", ("max", "min"))
        Traceback (most recent call last):
        ...
        ValueError: EarlyStopping: mode must be one of 'max', 'min'; got 'maximum'
    """
    if value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{owner}: {what} must be one of {listed}; got {value!r}")
    assert isinstance(value, str)
    return value
