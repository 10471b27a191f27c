"""The error raised when a metric is asked for a value before it has seen enough data."""

from __future__ import annotations


class NoDataError(ValueError):
    """``compute`` was called on an accumulator that has not seen enough data.

    A metric never answers ``nan`` or ``0`` for "no data": it raises this instead, naming the
    metric, how many samples it needs and how many it saw.

    Args:
        metric: the name of the metric that was asked.
        needed: the number of samples the metric needs.
        seen: the number of samples it has seen.

    Example:
        >>> from foldloop.metrics import Accuracy, NoDataError
        >>> metric = Accuracy()
        >>> try:
        ...     metric.compute(metric.init())
        ... except NoDataError as error:
        ...     print(error)
        Accuracy needs at least 1 sample to compute a value but saw 0; update it with data first.
    """

    def __init__(self, metric: str, needed: int = 1, seen: int = 0) -> None:
        plural = "sample" if needed == 1 else "samples"
        super().__init__(
            f"{metric} needs at least {needed} {plural} to compute a value but saw {seen}; "
            "update it with data first."
        )
        self.metric = metric
        self.needed = needed
        self.seen = seen
