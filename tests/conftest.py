"""Shared test configuration.

Hypothesis profiles: ``ci`` (used by ``make test``) keeps the whole suite under ten minutes on
two cores; ``dev`` is quicker; ``thorough`` is for a long run before a release.
Torch runs on one thread: the tests use tiny tensors, where thread start-up dominates.
"""

import os

import torch
from hypothesis import HealthCheck, settings

torch.set_num_threads(1)

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
