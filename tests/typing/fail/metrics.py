"""Metrics: a per-class score is a tensor, not a float; an average must be one of the names."""

from foldloop.metrics import ClassCounts, Precision, Recall


def per_class_as_float(counts: ClassCounts) -> float:
    return Recall(average=None).compute(counts)  # E: return-value


def averaged_as_tensor(counts: ClassCounts) -> int:
    return Precision().compute(counts)  # E: return-value


Precision("mean")  # E: call-overload
