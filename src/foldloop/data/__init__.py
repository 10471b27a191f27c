"""Data for runs that can stop and go on anywhere: batch sources whose order is a function of
``(seed, pass)`` and that start at any batch of any pass (:class:`foldloop.ResumableData`).

Imports torch. See ``docs/data.md``.
"""

from ._batches import SeededBatches as SeededBatches
from ._dataset import MapDataset as MapDataset
from ._sampler import Uneven as Uneven
from ._seeds import pass_seed as pass_seed

__all__ = ["MapDataset", "SeededBatches", "Uneven", "pass_seed"]
