"""Metrics as mergeable folds: ``init``, ``update``, ``merge`` and ``compute``.

A metric holds configuration only. Everything it has seen lives in its accumulator, a pytree of
tensors, so accumulators can be checkpointed, merged across batches or processes, and compared.
Metrics combine: a mapping of metrics is a metric (``metrics({...})``), ``metric.map(f)``
post-processes a value, arithmetic on metrics builds a metric (F1 from precision and recall),
and ``metric.with_output_transform(f)`` picks ``(y_pred, y)`` out of a step's output.

Example:
    >>> import torch
    >>> from foldloop.metrics import Precision, Recall
    >>> precision, recall = Precision(), Recall()
    >>> f1 = 2 * precision * recall / (precision + recall)
    >>> f1.compute(f1.fold([(torch.tensor([1, 1, 0, 0]), torch.tensor([1, 0, 1, 0]))]))
    0.5
"""

from ._accuracy import Accuracy as Accuracy
from ._accuracy import Counts as Counts
from ._accuracy import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from ._attach import attach_metrics as attach_metrics
from ._attached import METRICS as METRICS
from ._attached import AttachedMetrics as AttachedMetrics
from ._class_counts import Averaged as Averaged
from ._class_counts import ClassCounts as ClassCounts
from ._class_counts import PerClass as PerClass
from ._classify import Mode as Mode
from ._confusion import ConfusionMatrix as ConfusionMatrix
from ._dict import MetricDict as MetricDict
from ._dict import metrics as metrics
from ._errors import NoDataError as NoDataError
from ._evaluate import evaluate as evaluate
from ._fbeta import Fbeta as Fbeta
from ._inputs import PredTarget as PredTarget
from ._inputs import Scalar as Scalar
from ._mean import Average as Average
from ._mean import Loss as Loss
from ._mean import Mean as Mean
from ._metric import Metric as Metric
from ._precision_recall import Precision as Precision
from ._precision_recall import Recall as Recall
from ._r2 import Moments as Moments
from ._r2 import R2Score as R2Score
from ._regression import MeanAbsoluteError as MeanAbsoluteError
from ._regression import MeanSquaredError as MeanSquaredError
from ._regression import RootMeanSquaredError as RootMeanSquaredError
from ._running import Ema as Ema
from ._running import RunningAverage as RunningAverage
from ._usage import BATCH_WISE as BATCH_WISE
from ._usage import EPOCH_WISE as EPOCH_WISE
from ._usage import RUNNING_BATCH_WISE as RUNNING_BATCH_WISE
from ._usage import RUNNING_EPOCH_WISE as RUNNING_EPOCH_WISE
from ._usage import SINGLE_EPOCH_RUNNING_BATCH_WISE as SINGLE_EPOCH_RUNNING_BATCH_WISE
from ._usage import Usage as Usage
