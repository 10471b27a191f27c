"""Shared test configuration.

Hypothesis profiles: ``ci`` (used by ``make test``, which runs pytest on two worker processes)
keeps the whole suite under ten minutes on two cores; ``dev`` is quicker; ``thorough`` is for a
long run before a release.
Torch runs on one thread: the tests use tiny tensors, where thread start-up dominates.
SIGINT has Python's default handler, as in a terminal: a shell that starts a job in the
background (``cmd &``, ``nohup``) makes it ignore SIGINT, which would leave the Ctrl-C tests
(and the jobs they start, which inherit it) with nothing to test.
"""

import os
import signal

import torch
from hypothesis import HealthCheck, settings

torch.set_num_threads(1)

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
