"""Small CPU batches are counted on the host; every other batch with tensor operations.

``Accuracy`` compares a small batch's labels as Python ints and ``Loss`` adds a CPU loss as a
Python float: both must give what the tensor path gives, and refuse the same bad labels. What
was counted in main memory is held as Python numbers; what was counted on a device as tensors,
and the two merge.
"""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from foldloop.metrics import Accuracy, Counts, Loss
from foldloop.metrics._inputs import _READ_ON_HOST_UP_TO, host_labels
from foldloop.metrics._mean import _plus_scaled


def _scores_labels(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 5, generator=generator), torch.randint(0, 5, (n,), generator=generator)


def test_only_small_1d_cpu_labels_are_read_on_the_host() -> None:
    assert host_labels(torch.tensor([1, 0])) == [1, 0]
    assert host_labels(torch.zeros(_READ_ON_HOST_UP_TO + 1, dtype=torch.long)) is None
    assert host_labels(torch.zeros(2, 2, dtype=torch.long)) is None


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_counts_the_same_on_the_host_and_with_tensors(seed: int) -> None:
    scores, labels = _scores_labels(2 * _READ_ON_HOST_UP_TO + 2, seed)  # 2 halves > the limit
    acc = Accuracy()
    whole = acc.update(acc.init(), (scores, labels))  # tensor path
    batches = [(scores[i : i + 32], labels[i : i + 32]) for i in range(0, len(labels), 32)]
    small = acc.fold(batches)  # host path, the last batch shorter
    assert (int(small.correct), small.total) == (int(whole.correct), whole.total)
    expected = int((scores.argmax(1) == labels).sum())
    assert int(whole.correct) == expected
    assert type(small.correct) is type(whole.correct) is int  # counted in main memory


def test_counts_from_main_memory_and_from_a_device_merge() -> None:
    acc = Accuracy()
    host, device = Counts(2, 3), Counts(torch.tensor(1), 1)  # a device's count is a tensor
    assert acc.compute(acc.merge(host, device)) == acc.compute(acc.merge(device, host)) == 0.75


@pytest.mark.parametrize("n", [2, _READ_ON_HOST_UP_TO + 1])
@pytest.mark.parametrize(("bad", "match"), [(5, "label 5, outside the 5"), (-1, "label -1")])
def test_accuracy_refuses_a_label_outside_the_classes_on_both_paths(
    n: int, bad: int, match: str
) -> None:
    scores, labels = _scores_labels(n, 0)
    labels[-1] = bad
    with pytest.raises(ValueError, match=match):
        Accuracy().update(Accuracy().init(), (scores, labels))


def test_an_empty_batch_counts_nothing() -> None:
    acc = Accuracy()
    counts = acc.update(acc.init(), (torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)))
    assert (int(counts.correct), counts.total) == (0, 0)


def test_loss_adds_a_cpu_loss_as_the_tensor_path_does() -> None:
    scores, labels = _scores_labels(100, 1)
    loss = Loss(F.cross_entropy)
    total = loss.fold([(scores[:60], labels[:60]), (scores[60:], labels[60:])]).total
    expected = 60 * F.cross_entropy(scores[:60], labels[:60]).double()
    expected += 40 * F.cross_entropy(scores[60:], labels[60:]).double()
    assert type(total) is float  # summed in main memory
    assert total == pytest.approx(float(expected), rel=1e-12)


def test_a_loss_off_main_memory_is_summed_on_its_device() -> None:
    # (the meta device: a device that is not main memory, whose tensors are never read)
    y_pred = torch.zeros(4, 3, device="meta")
    y = torch.zeros(4, dtype=torch.long, device="meta")
    acc = Loss(F.cross_entropy).fold([(y_pred, y), (y_pred, y)])
    assert isinstance(acc.total, torch.Tensor) and acc.total.device.type == "meta"
    assert acc.total.dtype == torch.float64 and acc.samples == 8


def test_a_device_loss_is_added_in_float64_in_one_op() -> None:
    loss = torch.tensor(0.25, dtype=torch.float32)
    first = _plus_scaled(0.5, loss, 4)  # the sum so far still a number
    assert first.dtype == torch.float64 and float(first) == 1.5
    assert float(_plus_scaled(first, loss, 2)) == 2.0
