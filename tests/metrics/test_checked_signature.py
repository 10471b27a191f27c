"""The checks of shapes and dtypes that ``Accuracy`` runs once per input signature.

A batch with a new shape or dtype after good ones is checked again (and refused when bad); the
checks of values (labels within the classes, 0/1 input) run on every batch.
"""

from __future__ import annotations

import copy
import pickle

import pytest
import torch
from torch import Tensor

from foldloop.metrics import Accuracy
from foldloop.metrics._accuracy import Counts

SCORES = torch.tensor([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])  # 3 classes, predicts 0 then 1


def _after_a_good_batch(metric: Accuracy) -> Counts:
    acc = metric.update(metric.init(), (SCORES, torch.tensor([0, 2])))
    assert (int(acc.correct), acc.total) == (1, 2)
    return acc


@pytest.mark.parametrize(
    ("batch", "error", "match"),
    [
        ((SCORES, torch.tensor([0.0, 1.0])), TypeError, "integer class labels"),  # new dtype
        ((SCORES, torch.tensor([True, False])), TypeError, "integer class labels"),
        ((SCORES, torch.tensor([0, 1, 2])), ValueError, "do not agree"),  # new shape of y
        ((SCORES[:, :2], torch.tensor([0, 2])), ValueError, "outside the 2 classes"),
        ((SCORES, torch.tensor([0, 3])), ValueError, "outside the 3 classes"),  # same signature
        ((SCORES, torch.tensor([-1, 0])), ValueError, "label -1"),
    ],
)
def test_a_bad_batch_after_a_good_one_is_still_refused(
    batch: tuple[Tensor, Tensor], error: type[Exception], match: str
) -> None:
    metric = Accuracy()
    acc = _after_a_good_batch(metric)
    with pytest.raises(error, match=match):
        metric.update(acc, batch)
    with pytest.raises(error, match=match):  # a refused signature is not remembered
        metric.update(acc, batch)
    assert int(metric.update(acc, (SCORES, torch.tensor([1, 1]))).correct) == 2  # still fine


def test_a_new_signature_is_read_in_its_own_mode() -> None:
    metric = Accuracy()
    acc = _after_a_good_batch(metric)  # multiclass
    acc = metric.update(acc, (torch.tensor([1, 0]), torch.tensor([1, 1])))  # binary now
    assert (int(acc.correct), acc.total) == (2, 4)
    with pytest.raises(ValueError, match="must hold only 0 and 1"):  # values: every batch
        metric.update(acc, (torch.tensor([1, 2]), torch.tensor([1, 1])))
    acc = metric.update(acc, (SCORES, torch.tensor([0, 1])))  # multiclass again
    assert (int(acc.correct), acc.total) == (4, 6)


def test_a_mode_given_is_checked_for_every_new_signature() -> None:
    metric = Accuracy(mode="multilabel")
    acc = metric.update(metric.init(), (torch.tensor([[1, 0]]), torch.tensor([[1, 0]])))
    with pytest.raises(ValueError, match="needs shape"):
        metric.update(acc, (torch.tensor([1, 0]), torch.tensor([1, 0])))


def test_the_cache_is_no_part_of_the_metric_value_equality_or_copies() -> None:
    used, fresh = Accuracy(), Accuracy()
    _after_a_good_batch(used)
    assert used == fresh and hash(used) == hash(fresh) and repr(used) == "Accuracy(mode=None)"
    for twin in (copy.deepcopy(used), pickle.loads(pickle.dumps(used))):
        with pytest.raises(ValueError, match="outside the 3 classes"):
            twin.update(twin.init(), (SCORES, torch.tensor([0, 5])))
        assert twin.compute(_after_a_good_batch(twin)) == 0.5
